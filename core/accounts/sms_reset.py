"""A trainee who forgot the password resets it by an SMS code to the phone on file.

1. ``request_code(identifier, phone)``: the username or ID number and a mobile number. When they
   name an active trainee account whose Person has that phone, a code is sent (core.otp);
   otherwise a code is made but sent nowhere. Either way the caller gets the same answer, and
   the resend throttle of core.otp (429) applies alike, so nobody learns whether an account or
   phone exists.
2. ``confirm_code(identifier, phone, code)``: the right code opens a one-time reset link
   (10 minutes) where the trainee sets a new password under the password policy
   (core.accounts.lifecycle.complete_reset). A wrong code gets core.otp's message, the same
   for an unknown account.

core.otp opens its own transactions: these functions call it with none open.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from core import audit, clock, db, otp
from core.accounts.lifecycle import ResetLink, open_reset_link
from core.accounts.services import USER_FIELDS, to_current_user
from core.accounts.usernames import normalise_username
from core.actor import Actor
from core.errors import ValidationError
from core.identity import normalise_mobile
from core.messages.tables import Message
from core.roles import Role
from core.settings import get_settings
from core.tables import Person, User

PURPOSE = "password_reset"
LINK_VALID_FOR = timedelta(minutes=10)
ANSWER = ("如果该账号与手机号码匹配，验证码已发送至该手机（10 分钟内有效）。"
          "请输入验证码，然后设置新密码。")


def _clean(identifier: str, phone: str) -> tuple[str, str]:
    identifier = (identifier or "").strip()
    if not identifier:
        raise ValidationError("请填写用户名或证件号码", "identifier")
    if len(identifier) > 50:
        raise ValidationError("用户名或证件号码过长", "identifier")
    return identifier, normalise_mobile(phone)


async def _matching_user(identifier: str, phone: str) -> dict | None:
    """The active trainee account named by username or ID number whose Person's phone is
    ``phone``, else None."""
    account = User.role == Role.TRAINEE
    row = await (
        User.select(*USER_FIELDS).where(
            account & (User.username_key == normalise_username(identifier))).first()
    )
    if row is None:
        person = await Person.select(Person.id).where(
            Person.id_number == identifier.upper()).first()
        if person is not None:
            row = await User.select(*USER_FIELDS).where(
                account & (User.person == person["id"])).first()
    if row is None or not row["is_active"] or not row["person"]:
        return None
    if getattr(to_current_user(row), "identity_unverified", False):
        return None  # a claim not proved yet (core.claims): the phone may be someone else's
    on_file = await Person.select(Person.phone).where(Person.id == row["person"]).first()
    return row if on_file and on_file["phone"] == phone else None


def _subject(row: dict | None, identifier: str, phone: str) -> str:
    """What the code proves: a keyed hash of what was typed, whether or not it matches an
    account. (A per-account subject made the username and the ID number of one account share
    their throttle and tries, so asking with both told that they and the phone belong
    together.) ``row`` is not used; kept for the callers' symmetry."""
    key = get_settings().secret_key.encode()
    typed = f"{normalise_username(identifier)}|{phone}".encode()
    return "reset:" + hmac.new(key, typed, hashlib.sha256).hexdigest()[:40]


# Real codes sent to one account's phone in any hour, however it is named (username or ID
# number); past it the code is an unguessable decoy, silently, so the answer does not change
# and the second spelling buys no more guesses at a real code.
_PER_ACCOUNT_CODES = otp.MAX_SENDS_PER_HOUR


async def _may_send(row: dict) -> bool:
    sent = await Message.count().where(
        (Message.person == row["person"]) & (Message.topic == f"otp.{PURPOSE}")
        & (Message.created_at > clock.now() - timedelta(hours=1)))
    return sent < _PER_ACCOUNT_CODES


async def request_code(identifier: str, phone: str) -> None:
    """Send a code when the pair matches (see the module). Raises ValidationError (identifier,
    phone: format only) and otp.CodeThrottled (429) alike for every pair."""
    identifier, phone = _clean(identifier, phone)
    row = await _matching_user(identifier, phone)
    send = row is not None and await _may_send(row)
    await otp.send_code(PURPOSE, _subject(row, identifier, phone), phone if send else None,
                        person_id=row["person"] if send else None,
                        unguessable=row is not None and not send)


async def confirm_code(identifier: str, phone: str, code: str, ip: str = "") -> ResetLink:
    """Check the code; when right, a one-time reset link for the account (audited). Raises
    ValidationError naming ``code`` (wrong, expired, too many tries; the same for an unknown
    account), ``identifier`` or ``phone``."""
    identifier, phone = _clean(identifier, phone)
    row = await _matching_user(identifier, phone)
    await otp.check_code(PURPOSE, _subject(row, identifier, phone), code)
    if row is None:  # unreachable in practice: no code was sent for an unknown pair
        raise ValidationError("验证码不正确", "code")
    actor = Actor.of(to_current_user(row), ip)
    async with db.transaction():
        link = await open_reset_link(row["id"], actor, LINK_VALID_FOR)
        await audit.record(actor, "user.password_reset_sms", "user", row["id"],
                           after={"phone": phone, "expires_at": link.expires_at})
    return link
