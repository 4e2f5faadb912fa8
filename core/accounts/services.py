"""Accounts: creating users, signing in, API tokens (trainee self-registration: core.claims)."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from litestar.stores.base import Store

from core import audit, clock, db, ratelimit
from core.accounts.passwords import (
    check_policy,
    dummy_verify,
    hash_password,
    verify_password,
)
from core.accounts.usernames import normalise_username
from core.actor import Actor, CurrentUser
from core.errors import Conflict, DomainError, ValidationError
from core.roles import Role
from core.settings import get_settings
from core.tables import ApiToken, User

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{3,50}$")
FAILURE_WINDOW_S = 15 * 60


class TooManyAttempts(DomainError):
    """Sign-in refused while the account or address is locked; ``retry_after`` in seconds."""

    status_code = 429
    retry_after: int | None = None


def to_current_user(row: dict) -> CurrentUser:
    """The signed-in user from a row of USER_FIELDS. A trainee whose identity is not verified
    yet (core.claims) gets ``person_id`` None, so nothing of the record reaches them."""
    unverified = row["role"] == Role.TRAINEE and row.get("identity_verified_at") is None
    return CurrentUser(
        id=row["id"],
        username=row["username"],
        display_name=row["display_name"],
        role=Role(row["role"]),
        organisation_id=row["organisation_id"],
        person_id=None if unverified else row["person"],
        must_change_password=bool(row.get("must_change_password")),
        identity_unverified=unverified,
    )


USER_FIELDS = (
    User.id,
    User.username,
    User.display_name,
    User.role,
    User.organisation_id,
    User.person,
    User.is_active,
    User.must_change_password,
    User.identity_verified_at,
)


async def load_user(user_id: int) -> CurrentUser | None:
    row = await User.select(*USER_FIELDS).where(User.id == user_id).first()
    return to_current_user(row) if row and row["is_active"] else None


def check_username(username: str) -> str:
    username = (username or "").strip()
    if not USERNAME_RE.fullmatch(username):
        raise ValidationError("用户名应为 3–50 位字母、数字、下划线、点或连字符", "username")
    return username


@dataclass(frozen=True)
class NewUser:
    username: str
    password: str
    role: str
    display_name: str
    organisation_id: int | None = None
    person_id: int | None = None
    # an admin hands over the initial password: the user must choose their own at first login
    must_change_password: bool = False


async def create_user(data: NewUser, actor: Actor) -> int:
    username = check_username(data.username)
    try:
        role = Role(data.role)
    except ValueError:
        raise ValidationError("角色取值无效", "role") from None
    check_policy(data.password, user_inputs=(username, data.display_name))
    if not data.display_name.strip():
        raise ValidationError("请填写姓名或显示名称", "display_name")
    password_hash = await hash_password(data.password)
    async with db.transaction():
        if await User.exists().where(User.username_key == normalise_username(username)):
            raise Conflict("该用户名已被使用", "username")
        row = User(
            username=username,
            username_key=normalise_username(username),
            password_hash=password_hash,
            role=role,
            display_name=data.display_name.strip(),
            organisation_id=data.organisation_id,
            person=data.person_id,
            # made by an administrator, so is any binding to a Person: only self-registered
            # trainees prove their identity first (core.claims)
            identity_verified_at=clock.now(),
            must_change_password=data.must_change_password,
            created_at=clock.now(),
        )
        await row.save()
        await audit.record(
            actor, "user.create", "user", row.id, after={"username": username, "role": str(role)}
        )
    return row.id


async def authenticate(username: str, password: str, ip: str, store: Store) -> CurrentUser:
    """Check a username and password, slowing down repeated failures per account and address."""
    settings = get_settings()
    username_key = normalise_username(username)  # one account and one lock, however spelt
    user_key, ip_key = f"login:user:{username_key}", f"login:ip:{ip}"
    for key in (user_key, ip_key):
        wait = await ratelimit.locked_for(store, key)
        if wait:
            minutes = max(wait // 60, 1)
            refused = TooManyAttempts(f"登录失败次数过多，请 {minutes} 分钟后再试", "username")
            refused.retry_after = int(wait)
            raise refused
    row = (
        await User.select(*USER_FIELDS, User.password_hash)
        .where(User.username_key == username_key)
        .first()
    )
    ok = False
    if row is None:
        await dummy_verify(password)
    else:
        ok = await verify_password(row["password_hash"], password) and row["is_active"]
    if not ok:
        failures = await ratelimit.hit(store, user_key, FAILURE_WINDOW_S)
        ip_failures = await ratelimit.hit(store, ip_key, FAILURE_WINDOW_S)
        if failures >= settings.login_max_failures:
            await ratelimit.lock(store, user_key, settings.login_lock_seconds)
        if ip_failures >= settings.login_ip_max_failures:
            await ratelimit.lock(store, ip_key, settings.login_lock_seconds)
        raise ValidationError("用户名或密码错误", "password")
    await ratelimit.reset(store, user_key, FAILURE_WINDOW_S)
    await User.update({User.last_login_at: clock.now()}).where(User.id == row["id"])
    return to_current_user(row)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue_token(user: CurrentUser, actor: Actor) -> tuple[str, int]:
    ttl = get_settings().token_ttl_seconds
    token = secrets.token_urlsafe(32)
    now = clock.now()
    async with db.transaction():
        row = ApiToken(
            user=user.id,
            token_hash=_token_hash(token),
            created_at=now,
            expires_at=now + timedelta(seconds=ttl),
        )
        await row.save()
        await audit.record(actor, "token.issue", "api_token", row.id)
    return token, ttl


async def user_for_token(token: str) -> CurrentUser | None:
    row = (
        await ApiToken.select(ApiToken.user, ApiToken.expires_at, ApiToken.revoked_at)
        .where(ApiToken.token_hash == _token_hash(token))
        .first()
    )
    if row is None or row["revoked_at"] is not None:
        return None
    if row["expires_at"] <= clock.now():
        return None
    return await load_user(row["user"])


async def revoke_token(token: str, actor: Actor) -> None:
    async with db.transaction():
        row = await ApiToken.objects().where(ApiToken.token_hash == _token_hash(token)).first()
        if row is None or row.revoked_at is not None:
            return
        row.revoked_at = clock.now()
        await row.save()
        await audit.record(actor, "token.revoke", "api_token", row.id)
