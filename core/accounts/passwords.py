"""Password hashing with Argon2id, run in a worker thread so the event loop keeps serving."""

from __future__ import annotations

import asyncio
import re
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from core.errors import ValidationError
from core.settings import get_settings

MIN_LENGTH = 8


@lru_cache(maxsize=1)
def hasher() -> PasswordHasher:
    settings = get_settings()
    return PasswordHasher(
        time_cost=settings.argon2_time_cost, memory_cost=settings.argon2_memory_kib
    )


def check_policy(password: str, field: str = "password") -> None:
    if len(password or "") < MIN_LENGTH:
        raise ValidationError(f"密码至少 {MIN_LENGTH} 位", field)
    if not (re.search(r"[A-Za-z]", password) and re.search(r"\d", password)):
        raise ValidationError("密码须同时包含字母和数字", field)


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(hasher().hash, password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def verify_password(password_hash: str, password: str) -> bool:
    return await asyncio.to_thread(_verify, password_hash, password)


# A hash of a random string, verified against when the username is unknown so that
# response time does not reveal which usernames exist.
_DUMMY_HASH: str | None = None


async def dummy_verify(password: str) -> None:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = await hash_password("not-a-real-password-0")
    await verify_password(_DUMMY_HASH, password)
