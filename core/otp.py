"""One-time codes sent by SMS: 6 digits, valid 10 minutes, 5 tries, resends throttled.

Used to prove that a person holds the phone on file (claiming a record at registration, a
phone number's first verification, a trainee's password reset). Codes are stored only as an
HMAC keyed with the app's secret; the SMS goes through the outbox in the same transaction.

``check_code`` writes its own transaction (a wrong try must count even though the caller then
fails): never call it inside an open transaction. Neither function says whether an account or
a phone exists: callers decide what the user is told.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from datetime import timedelta

from core import clock, db
from core.errors import DomainError, ValidationError
from core.messages.outbox import enqueue
from core.messages.tables import OneTimeCode
from core.settings import get_settings

DIGITS = 6
VALID_FOR = timedelta(minutes=10)
MAX_TRIES = 5
RESEND_AFTER = timedelta(seconds=60)
MAX_SENDS_PER_HOUR = 5
SMS_TEXT = ("【托育从业人员平台】您的验证码为 {code}，{minutes} 分钟内有效，请勿告诉他人。"
            "如非本人操作，请忽略本短信。")


class CodeThrottled(DomainError):
    """A new code was asked for too soon (429); ``retry_after`` in seconds."""

    status_code = 429

    def __init__(self, message: str, retry_after: int, field: str | None = "code") -> None:
        super().__init__(message, field)
        self.retry_after = retry_after


def _digest(purpose: str, subject: str, code: str) -> str:
    key = get_settings().secret_key.encode()
    return hmac.new(key, f"{purpose}|{subject}|{code}".encode(), hashlib.sha256).hexdigest()


def new_code() -> str:
    """Six random decimal digits (leading zeros kept)."""
    return f"{secrets.randbelow(10**DIGITS):0{DIGITS}d}"


async def send_code(purpose: str, subject: str, phone: str | None, *,
                    person_id: int | None = None, unguessable: bool = False) -> None:
    """Make a new code for (purpose, subject), replacing any earlier one, and put its SMS to
    ``phone`` (a normalised mobile number) in the outbox. Opens its own transaction unless one
    is open. Raises CodeThrottled (429) within 60 s of the last code or after 5 codes in an
    hour for the same (purpose, subject).

    ``phone`` None makes a decoy: the code is stored, throttled and checked exactly the same
    way but sent nowhere, so nobody knows it (a caller that must not reveal whether a record
    or a phone exists answers every case alike). ``unguessable`` (with ``phone`` None) stores
    a code no input can match: for a caller whose own per-person limit is spent, so that more
    subjects (accounts, spellings) do not buy more guesses at a real one."""
    now = clock.now()
    async with db.transaction():
        recent = await (
            OneTimeCode.select(OneTimeCode.created_at)
            .where((OneTimeCode.purpose == purpose) & (OneTimeCode.subject == subject)
                   & (OneTimeCode.created_at > now - timedelta(hours=1)))
            .order_by(OneTimeCode.created_at, ascending=False)
        )
        if recent and now - recent[0]["created_at"] < RESEND_AFTER:
            wait = math.ceil((RESEND_AFTER - (now - recent[0]["created_at"])).total_seconds())
            raise CodeThrottled(f"验证码已发送，请 {wait} 秒后再重新获取", wait)
        if len(recent) >= MAX_SENDS_PER_HOUR:
            wait = math.ceil((recent[-1]["created_at"] + timedelta(hours=1) - now).total_seconds())
            raise CodeThrottled("验证码获取次数过多，请 1 小时后再试", wait)
        await OneTimeCode.update({OneTimeCode.used_at: now}).where(
            (OneTimeCode.purpose == purpose) & (OneTimeCode.subject == subject)
            & OneTimeCode.used_at.is_null())
        code = new_code()
        digest = _digest(purpose, subject, secrets.token_hex(16) if unguessable else code)
        await OneTimeCode(purpose=purpose, subject=subject, code_hash=digest, tries=0,
                          expires_at=now + VALID_FOR, created_at=now).save()
        if phone is None or unguessable:
            return
        minutes = int(VALID_FOR.total_seconds() // 60)
        await enqueue("sms", phone, SMS_TEXT.format(code=code, minutes=minutes), kind="code",
                      topic=f"otp.{purpose}", person_id=person_id)


async def check_code(purpose: str, subject: str, code: str, field: str = "code") -> None:
    """Accept the current code of (purpose, subject) once. Raises ValidationError naming
    ``field`` when the code is malformed, wrong, expired, already used or tried 5 times (each
    wrong try is counted and committed)."""
    code = (code or "").strip()
    if not (len(code) == DIGITS and code.isascii() and code.isdigit()):
        raise ValidationError(f"请填写短信中的 {DIGITS} 位数字验证码", field)
    now = clock.now()
    error: ValidationError | None = None
    async with db.transaction():
        row = await (
            OneTimeCode.objects()
            .where((OneTimeCode.purpose == purpose) & (OneTimeCode.subject == subject)
                   & OneTimeCode.used_at.is_null())
            .order_by(OneTimeCode.created_at, ascending=False).first()
        )
        if row is None or row.expires_at <= now:
            error = ValidationError("验证码已失效，请重新获取", field)
        elif row.tries >= MAX_TRIES:
            error = ValidationError("验证码错误次数过多，请重新获取", field)
        elif not hmac.compare_digest(row.code_hash, _digest(purpose, subject, code)):
            row.tries += 1
            await row.save()
            left = MAX_TRIES - row.tries
            error = ValidationError(
                f"验证码不正确，还可尝试 {left} 次" if left else "验证码错误次数过多，请重新获取",
                field)
        else:
            row.used_at = now
            await row.save()
    if error is not None:
        raise error
