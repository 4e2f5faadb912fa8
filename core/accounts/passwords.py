"""Password hashing with Argon2id, run in a worker thread so the event loop keeps serving,
and the password policy a new password must meet."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterable
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from core.errors import ValidationError
from core.settings import get_settings

MIN_LENGTH = 10
MIN_SCORE = 3  # zxcvbn: 3 = "safely unguessable" (about 10^8 guesses and more)
JUDGED_LENGTH = 72  # zxcvbn refuses longer input; a longer password is judged on its start
TOO_SHORT = f"密码至少 {MIN_LENGTH} 位"
POLICY_HINT = f"至少 {MIN_LENGTH} 位；不要用常见密码，也不要包含用户名、姓名、证件号或手机号"
TOO_COMMON = "密码过于常见，请换一个不常见的密码"
HAS_USER_INPUT = "密码不能包含用户名、姓名等个人信息"
TOO_SIMPLE = "密码过于简单，请使用更长、更不规则的组合（如几个不相关的词加数字和符号）"


@lru_cache(maxsize=1)
def hasher() -> PasswordHasher:
    settings = get_settings()
    return PasswordHasher(
        time_cost=settings.argon2_time_cost, memory_cost=settings.argon2_memory_kib
    )


def policy_problem(password: str, user_inputs: Iterable[str | None] = ()) -> str | None:
    """Why ``password`` may not be chosen (a Chinese message), or None when it may.

    The rule: at least 10 characters, and a strength judged by zxcvbn (Dropbox's
    estimator, not our own rules) of score >= 3, with the username, the name and other personal
    data passed as ``user_inputs`` so that a password built from them counts as weak. zxcvbn's
    English feedback becomes one of four messages: too short, too common, contains your
    username or name, too simple. Pure: no I/O.
    """
    password = password or ""
    if len(password) < MIN_LENGTH:
        return TOO_SHORT
    inputs = [str(v).strip() for v in user_inputs if v and str(v).strip()]
    # zxcvbn's dictionaries (~13 MB) are loaded on the first password judged, not by every web
    # process at start-up (most processes never set a password)
    from zxcvbn import zxcvbn

    result = zxcvbn(password[:JUDGED_LENGTH], user_inputs=inputs)
    if result["score"] >= MIN_SCORE:
        return None
    weak = [m for m in _matches(result["sequence"]) if m.get("pattern") == "dictionary"]
    if any(m.get("dictionary_name") == "user_inputs" for m in weak):
        return HAS_USER_INPUT
    warning = (result.get("feedback") or {}).get("warning") or ""
    if "common" in warning or any(m.get("dictionary_name") == "passwords" for m in weak):
        return TOO_COMMON
    return TOO_SIMPLE


def _matches(sequence: list[dict]) -> list[dict]:
    """zxcvbn's matches, with those inside a repeat ("abcabc") included."""
    found = []
    for match in sequence:
        found.append(match)
        found += _matches(match.get("base_matches") or [])
    return found


def check_policy(
    password: str, field: str = "password", user_inputs: Iterable[str | None] = ()
) -> None:
    """Raise ValidationError(message, field) when ``password`` breaks the policy
    (see ``policy_problem``). Only new passwords are judged: sign-in never re-judges one."""
    problem = policy_problem(password, user_inputs)
    if problem:
        raise ValidationError(problem, field)


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(hasher().hash, password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# A stored "hash" that no password matches: an admin's password reset puts one in place of the
# old hash, so the old password stops working the moment the reset starts (not when the link
# is used). Never a valid Argon2 string ("$argon2id$..."), so nothing can verify against it.
UNUSABLE_PREFIX = "!reset:"


def unusable_hash() -> str:
    """A stored password value no password matches (random, so no two are alike)."""
    return UNUSABLE_PREFIX + secrets.token_hex(16)


def is_unusable(password_hash: str | None) -> bool:
    return not password_hash or password_hash.startswith(UNUSABLE_PREFIX)


async def verify_password(password_hash: str, password: str) -> bool:
    """True when ``password`` matches the stored Argon2 hash. An unusable marker (see
    ``unusable_hash``) matches nothing, after the same work as a real check, so the answer's
    timing does not tell that a reset is under way."""
    if is_unusable(password_hash):
        await dummy_verify(password)
        return False
    return await asyncio.to_thread(_verify, password_hash, password)


# A hash of a random string, verified against when the username is unknown so that
# response time does not reveal which usernames exist.
_DUMMY_HASH: str | None = None


async def dummy_verify(password: str) -> None:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = await hash_password("not-a-real-password-0")
    await verify_password(_DUMMY_HASH, password)
