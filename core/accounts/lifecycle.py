"""Accounts over time: a user changes their password; an admin disables and re-enables a user,
changes their role and organisation, sets a password or starts a one-time reset link.

Ending "every session and token" of a user: API tokens are revoked in the database; page
sessions carry the user's ``session_version`` from sign-in, and raising it makes every stored
session of that user worthless on its very next request (the auth middleware then deletes it).
Every change is audited in its own transaction; no password or token reaches the audit log.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from core import audit, clock, db
from core.accounts.passwords import check_policy, hash_password, unusable_hash, verify_password
from core.accounts.services import USER_FIELDS, to_current_user
from core.accounts.usernames import normalise_username
from core.actor import Actor, CurrentUser
from core.domain import Hook
from core.errors import Conflict, NotFound, ValidationError
from core.pagination import Page
from core.roles import ORGANISATION_OF_ROLE, Role
from core.tables import ApiToken, PasswordReset, Person, User

SESSION_VERSION_KEY = "session_version"
RESET_VALID_FOR = timedelta(minutes=30)
RESET_PATH = "/account/reset/"

# Domain packages tell the kernel how to check that an organisation number exists (training
# plugs ``(Role.PROVIDER_STAFF, provider_exists)``); without a checker only presence is checked.
OrganisationExists = Callable[[int], Awaitable[bool]]
ORGANISATION_CHECKS: Hook[tuple[Role, OrganisationExists]] = Hook("organisation exists")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def load_session_user(user_id: int, version: int) -> CurrentUser | None:
    """The user of a page session, or None when the account is disabled, gone, or its sessions
    were ended after this one began (``version`` is the session_version stored at sign-in)."""
    row = (
        await User.select(*USER_FIELDS, User.session_version).where(User.id == user_id).first()
    )
    if row is None or not row["is_active"] or row["session_version"] != version:
        return None
    return to_current_user(row)


async def session_version(user_id: int) -> int:
    row = await User.select(User.session_version).where(User.id == user_id).first()
    return row["session_version"] if row else 0


async def _user_row(user_id: int) -> dict:
    row = (
        await User.select(*USER_FIELDS, User.password_hash, User.session_version)
        .where(User.id == user_id)
        .first()
    )
    if row is None:
        raise NotFound("用户不存在", "user_id")
    return row


async def _personal_inputs(row: dict) -> list[str]:
    """What a password must not be built from: username, name, and a trainee's ID and phone."""
    inputs = [row["username"], row["display_name"]]
    if row["person"]:
        person = await (
            Person.select(Person.name, Person.id_number, Person.phone)
            .where(Person.id == row["person"])
            .first()
        )
        if person:
            inputs += [person["name"], person["id_number"], person["phone"]]
    return [i for i in inputs if i]


async def _end_sessions(user_id: int, keep_token: str | None = None) -> int:
    """Raise the session version and revoke the user's live tokens (except ``keep_token``, the
    one the caller is using). Call inside a transaction; returns how many tokens were revoked."""
    await User.update({User.session_version: User.session_version + 1}).where(User.id == user_id)
    live = (ApiToken.user == user_id) & ApiToken.revoked_at.is_null()
    if keep_token:
        live = live & (ApiToken.token_hash != token_hash(keep_token))
    revoked = await ApiToken.count().where(live)
    if revoked:
        await ApiToken.update({ApiToken.revoked_at: clock.now()}).where(live)
    return revoked


async def _spend_open_links(user_id: int) -> None:
    await PasswordReset.update({PasswordReset.used_at: clock.now()}).where(
        (PasswordReset.user == user_id) & PasswordReset.used_at.is_null()
    )


async def _new_password_hash(row: dict, password: str, confirm: str | None) -> str:
    check_policy(password, "password", await _personal_inputs(row))
    if confirm is not None and password != confirm:
        raise ValidationError("两次输入的新密码不一致", "password_confirm")
    return await hash_password(password)


@dataclass(frozen=True)
class PasswordChange:
    current_password: str
    password: str
    password_confirm: str


async def change_own_password(
    user_id: int, data: PasswordChange, actor: Actor, *, keep_token: str | None = None
) -> int:
    """The signed-in user replaces their password (the current one required, the policy of
    core.accounts.passwords applied). Every other session and token of the user ends; returns
    the new session version for the caller's renewed session. Raises ValidationError naming
    current_password, password or password_confirm."""
    row = await _user_row(user_id)
    if not data.current_password:
        raise ValidationError("请填写当前密码", "current_password")
    if not await verify_password(row["password_hash"], data.current_password):
        raise ValidationError("当前密码不正确", "current_password")
    if data.password == data.current_password:
        raise ValidationError("新密码不能与当前密码相同", "password")
    new_hash = await _new_password_hash(row, data.password, data.password_confirm)
    async with db.transaction():
        await User.update(
            {User.password_hash: new_hash, User.must_change_password: False}
        ).where(User.id == user_id)
        revoked = await _end_sessions(user_id, keep_token)
        await _spend_open_links(user_id)
        await audit.record(actor, "user.password_change", "user", user_id,
                           after={"other_sessions_ended": True, "revoked_api_keys": revoked})
    return await session_version(user_id)


async def set_active(user_id: int, active: bool, actor: Actor) -> bool:
    """An admin disables (``active=False``) or re-enables a user. Disabling ends every session
    and token of the user at once and spends open reset links. Returns False when the user was
    already in that state (nothing written). Raises NotFound, Conflict (one's own account)."""
    row = await _user_row(user_id)
    if actor.user_id == user_id and not active:
        raise Conflict("不能停用自己的账号", "user_id")
    if row["is_active"] == active:
        return False
    async with db.transaction():
        await User.update({User.is_active: active}).where(User.id == user_id)
        after: dict = {"is_active": active}
        if not active:
            after["revoked_api_keys"] = await _end_sessions(user_id)
            after["sessions_ended"] = True
            await _spend_open_links(user_id)
        await audit.record(actor, "user.enable" if active else "user.disable", "user", user_id,
                           before={"is_active": row["is_active"]}, after=after)
    return True


async def check_organisation(role: Role, organisation_id: int | None) -> int | None:
    """The organisation a user of ``role`` belongs to: required for the roles of
    core.roles.ORGANISATION_OF_ROLE (and it must exist), refused for every other role."""
    kind = ORGANISATION_OF_ROLE.get(role)
    if kind is None:
        if organisation_id is not None:
            raise ValidationError(f"{role.label}不隶属任何机构，请勿填写所属机构编号",
                                  "organisation_id")
        return None
    if organisation_id is None:
        raise ValidationError(f"{role.label}须填写所属{kind}编号", "organisation_id")
    exists = dict(ORGANISATION_CHECKS.all()).get(role)
    if exists is not None and not await exists(organisation_id):
        raise ValidationError(f"所属{kind}编号 {organisation_id} 不存在", "organisation_id")
    return organisation_id


async def change_role(
    user_id: int, role: str, organisation_id: int | None, actor: Actor
) -> bool:
    """An admin changes a user's role and organisation (validated by ``check_organisation``).
    Takes effect on the user's next request. Returns False when nothing changed. Raises
    ValidationError (role, organisation_id), Conflict (one's own role), NotFound."""
    row = await _user_row(user_id)
    try:
        new_role = Role(role)
    except ValueError:
        raise ValidationError("角色取值无效", "role") from None
    organisation_id = await check_organisation(new_role, organisation_id)
    if actor.user_id == user_id and new_role != row["role"]:
        raise Conflict("不能更改自己的角色", "role")
    if new_role == row["role"] and organisation_id == row["organisation_id"]:
        return False
    if new_role == Role.TRAINEE and not row["person"]:
        raise ValidationError("学员账号须由本人注册并关联人员信息，不能由其他角色改为学员", "role")
    async with db.transaction():
        await User.update({User.role: new_role, User.organisation_id: organisation_id}).where(
            User.id == user_id
        )
        await audit.record(
            actor, "user.role_change", "user", user_id,
            before={"role": row["role"], "organisation_id": row["organisation_id"]},
            after={"role": str(new_role), "organisation_id": organisation_id},
        )
    return True


async def set_password(
    user_id: int, password: str, actor: Actor, *, must_change: bool = True
) -> None:
    """An admin (or the CLI) sets a user's password; with ``must_change`` the user has to choose
    their own at next sign-in. Every session and token of the user ends."""
    row = await _user_row(user_id)
    new_hash = await _new_password_hash(row, password, None)
    async with db.transaction():
        await User.update(
            {User.password_hash: new_hash, User.must_change_password: must_change}
        ).where(User.id == user_id)
        revoked = await _end_sessions(user_id)
        await _spend_open_links(user_id)
        await audit.record(actor, "user.password_set", "user", user_id,
                           after={"change_required_at_login": must_change,
                                  "revoked_api_keys": revoked})


@dataclass(frozen=True)
class ResetLink:
    token: str  # shown once to the admin, never stored (only its SHA-256)
    path: str  # RESET_PATH + token
    expires_at: datetime


async def start_reset(user_id: int, actor: Actor) -> ResetLink:
    """An admin starts a password reset: a one-time link valid 30 minutes (earlier open links
    of the user are spent) and, from now on, a new password is required at next sign-in.
    Every session and token of the user ends at once, and the old password stops working at
    once (its hash is replaced by an unusable marker; sign-in answers as for a wrong password
    and counts the failure): a reset is often asked for because the account is not in its
    owner's hands, and whoever knows the old password must not sign in, change it and spend
    the owner's link. Raises NotFound, Conflict (a disabled user)."""
    row = await _user_row(user_id)
    if not row["is_active"]:
        raise Conflict("该用户已停用，请先启用再重置密码", "user_id")
    async with db.transaction():
        link = await open_reset_link(user_id, actor, RESET_VALID_FOR)
        await User.update(
            {User.must_change_password: True, User.password_hash: unusable_hash()}
        ).where(User.id == user_id)
        revoked = await _end_sessions(user_id)
        await audit.record(actor, "user.password_reset_start", "user", user_id,
                           after={"expires_at": link.expires_at, "change_required_at_login": True,
                                  "old_credential_disabled": True,
                                  "sessions_ended": True, "revoked_api_keys": revoked})
    return link


async def open_reset_link(user_id: int, actor: Actor, valid_for: timedelta) -> ResetLink:
    """A new one-time reset link for the user (earlier open ones are spent). Call inside the
    caller's transaction, which also writes the audit row."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    await _spend_open_links(user_id)
    await PasswordReset(user=user_id, token_hash=token_hash(token), created_at=now,
                        expires_at=now + valid_for, created_by=actor.user_id).save()
    return ResetLink(token, RESET_PATH + token, now + valid_for)


INVALID_LINK = "重置链接无效、已使用或已过期，请联系管理员重新获取"


@dataclass(frozen=True)
class ResetAccount:
    """Whom an open reset link is for, as the reset page shows it and the password rules read
    it (a password must not be built from the username or the name)."""

    username: str
    display_name: str


async def _reset_link_row(token: str) -> dict:
    """The user row (with its password hash) an open reset link is for. Raises
    NotFound(INVALID_LINK) for an unknown, used or expired link or a disabled user."""
    link = await (
        PasswordReset.select(PasswordReset.user, PasswordReset.expires_at, PasswordReset.used_at)
        .where(PasswordReset.token_hash == token_hash(token or ""))
        .first()
    )
    if link is None or link["used_at"] is not None or link["expires_at"] <= clock.now():
        raise NotFound(INVALID_LINK, "token")
    row = await _user_row(link["user"])
    if not row["is_active"]:
        raise NotFound(INVALID_LINK, "token")
    return row


async def reset_link_user(token: str) -> ResetAccount:
    """The account an open reset link is for. Raises NotFound(INVALID_LINK) for an unknown,
    used or expired link or a disabled user."""
    row = await _reset_link_row(token)
    return ResetAccount(row["username"], row["display_name"])


async def complete_reset(token: str, password: str, confirm: str, ip: str = "") -> int:
    """The user sets a new password through a reset link: the link is spent (single use, also
    under concurrent use), the password replaced, every session and token ended and the
    must-change flag cleared. Returns the user id. Raises NotFound(INVALID_LINK), ValidationError
    (password, password_confirm)."""
    row = await _reset_link_row(token)
    new_hash = await _new_password_hash(row, password, confirm)
    actor = Actor.of(to_current_user(row), ip)
    async with db.transaction():
        open_link = (
            (PasswordReset.token_hash == token_hash(token))
            & PasswordReset.used_at.is_null()
            & (PasswordReset.expires_at > clock.now())
        )
        if not await PasswordReset.exists().where(open_link):
            raise NotFound(INVALID_LINK, "token")
        await PasswordReset.update({PasswordReset.used_at: clock.now()}).where(open_link)
        await User.update(
            {User.password_hash: new_hash, User.must_change_password: False}
        ).where(User.id == row["id"])
        revoked = await _end_sessions(row["id"])
        await _spend_open_links(row["id"])
        await audit.record(actor, "user.password_reset_complete", "user", row["id"],
                           after={"sessions_ended": True, "revoked_api_keys": revoked})
    return row["id"]


async def user_id_by_username(username: str) -> int:
    """For the CLI: the id of ``username`` (compared as sign-in does), or NotFound."""
    row = await User.select(User.id).where(
        User.username_key == normalise_username(username or "")).first()
    if row is None:
        raise NotFound(f"用户 {username} 不存在", "username")
    return row["id"]


@dataclass(frozen=True)
class UserListRow:
    """One account in the admins' user list: its number, names, role, whether it may sign
    in, when it was created and when it last signed in (None: never)."""

    id: int
    username: str
    display_name: str
    role: Role
    is_active: bool
    created_at: datetime
    last_login_at: datetime | None


async def list_users(q: str, number: int, per: int) -> Page[UserListRow]:
    """Page ``number`` (``per`` rows) of the accounts by number, optionally those whose
    username or display name contains ``q`` (case-insensitive)."""
    query, count = (
        User.select(User.id, User.username, User.display_name, User.role, User.is_active,
                    User.created_at, User.last_login_at).order_by(User.id),
        User.count(),
    )
    if q:
        cond = db.contains(User.username, q) | db.contains(User.display_name, q)
        query, count = query.where(cond), count.where(cond)
    result = Page([], number, per, await count, query={"q": q})
    result.items = [UserListRow(**{**row, "role": Role(row["role"])})
                    for row in await query.limit(per).offset(result.offset)]
    return result


@dataclass(frozen=True)
class UserDetail:
    """What the admin's user page and the API's user state (core.admin_controllers.UserState)
    show of an account (never its password hash): the signed-in user's columns
    (core.accounts.services.USER_FIELDS), when it was created and last signed in, whether an
    unused reset link is open and how many API tokens are live."""

    id: int
    username: str
    display_name: str
    role: Role
    organisation_id: int | None
    person: int | None
    is_active: bool
    must_change_password: bool
    identity_verified_at: datetime | None
    created_at: datetime
    last_login_at: datetime | None
    open_reset: bool
    live_tokens: int


async def user_detail(user_id: int) -> UserDetail:
    """The account ``user_id``. Raises NotFound (field ``user_id``)."""
    row = await (
        User.select(*USER_FIELDS, User.created_at, User.last_login_at)
        .where(User.id == user_id)
        .first()
    )
    if row is None:
        raise NotFound("用户不存在", "user_id")
    open_reset = await PasswordReset.exists().where(
        (PasswordReset.user == user_id) & PasswordReset.used_at.is_null()
        & (PasswordReset.expires_at > clock.now())
    )
    live_tokens = await ApiToken.count().where(
        (ApiToken.user == user_id) & ApiToken.revoked_at.is_null()
        & (ApiToken.expires_at > clock.now())
    )
    return UserDetail(**{**row, "role": Role(row["role"])}, open_reset=open_reset,
                      live_tokens=live_tokens)
