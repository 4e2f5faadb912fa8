"""Certificate numbers and verification codes: pure functions, no I/O, no clock.

Skill-level certificates (职业技能等级证书编码规则, 22 characters, ``^[YS][0-9]{21}$``):

    1      assessment-body type: Y (用人单位) or S (社会培训评价组织)
    2–5    assessment-body code (4 digits)
    6–7    province (天津 12)
    8–13   assessment site serial (6 digits)
    14–15  issue year (2 digits)
    16     level (1–5)
    17–22  serial, unique within the first 16 characters

The national format has no check character; the random verification code printed on the
certificate is what makes a made-up number useless.

Training certificates (培训合格证明) use our own 16-character format with a check character:

    PX  + year (2) + provider id (5 digits) + serial (6) + check (ISO 7064 MOD 11-2)

The check character (0–9 or X, as on a 身份证) is computed over the 13 digits; MOD 11-2 catches
every single wrong digit and every swap of two adjacent digits. The serial is unique within
the first 9 characters. The counter of serials per prefix lives in
the database (``certification.services.numbering``); this module only formats and checks.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from core.identity import fold_code

SKILL_NUMBER_RE = re.compile(r"^[YS][0-9]{21}$")
SKILL_PREFIX_LENGTH = 16
BODY_TYPES = ("Y", "S")
TIANJIN_PROVINCE = "12"
MAX_SERIAL = 999_999

TRAINING_PREFIX = "PX"
TRAINING_NUMBER_RE = re.compile(r"^PX[0-9]{13}[0-9X]$")
TRAINING_PREFIX_LENGTH = 9
MAX_PROVIDER_ID = 99_999
MOD11_CHECK_CHARS = "0123456789X"

# No 0/O, 1/I/L: a code read off paper and typed on a phone must not be ambiguous.
VERIFICATION_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
VERIFICATION_CODE_LENGTH = 8


class NumberError(ValueError):
    """A part of a number is out of range; the message names the part."""


@dataclass(frozen=True)
class SkillNumberParts:
    body_type: str  # Y | S
    body_code: str  # 4 digits
    province: str  # 2 digits
    site_serial: str  # 6 digits
    year: int  # four-digit issue year
    level: int  # 1..5

    def prefix(self) -> str:
        """The first 16 characters: everything but the serial."""
        if self.body_type not in BODY_TYPES:
            raise NumberError("评价机构类型应为 Y 或 S")
        if not re.fullmatch(r"[0-9]{4}", self.body_code):
            raise NumberError("评价机构代码应为 4 位数字")
        if not re.fullmatch(r"[0-9]{2}", self.province):
            raise NumberError("省份代码应为 2 位数字")
        if not re.fullmatch(r"[0-9]{6}", self.site_serial):
            raise NumberError("评价站点序号应为 6 位数字")
        if not 2000 <= self.year <= 2099:
            raise NumberError("发证年份超出范围")
        if self.level not in range(1, 6):
            raise NumberError("职业技能等级应为 1–5")
        return (
            f"{self.body_type}{self.body_code}{self.province}{self.site_serial}"
            f"{self.year % 100:02d}{self.level}"
        )


def skill_number(prefix: str, serial: int) -> str:
    if len(prefix) != SKILL_PREFIX_LENGTH:
        raise NumberError("证书编号前缀应为 16 位")
    if not 1 <= serial <= MAX_SERIAL:
        raise NumberError("该前缀下的证书序号已用尽")
    number = f"{prefix}{serial:06d}"
    if not SKILL_NUMBER_RE.fullmatch(number):
        raise NumberError("证书编号格式不正确")
    return number


def parse_skill_number(number: str) -> SkillNumberParts:
    if not SKILL_NUMBER_RE.fullmatch(number):
        raise NumberError("证书编号应为 22 位：Y/S 加 21 位数字")
    return SkillNumberParts(
        body_type=number[0], body_code=number[1:5], province=number[5:7],
        site_serial=number[7:13], year=2000 + int(number[13:15]), level=int(number[15]),
    )


def iso7064_mod11_2(digits: str) -> str:
    """Check character of ISO/IEC 7064 MOD 11-2 over a string of digits (0–9 or X)."""
    if not digits.isdigit() or not digits.isascii():
        raise NumberError("校验位只能对数字计算")
    p = 0
    for char in digits:
        p = ((p + int(char)) * 2) % 11
    return MOD11_CHECK_CHARS[(12 - p) % 11]


def training_prefix(year: int, provider_id: int) -> str:
    if not 2000 <= year <= 2099:
        raise NumberError("发证年份超出范围")
    if not 1 <= provider_id <= MAX_PROVIDER_ID:
        raise NumberError("培训机构编号超出范围")
    return f"{TRAINING_PREFIX}{year % 100:02d}{provider_id:05d}"


def training_number(prefix: str, serial: int) -> str:
    if len(prefix) != TRAINING_PREFIX_LENGTH or not prefix.startswith(TRAINING_PREFIX):
        raise NumberError("培训证明编号前缀不正确")
    if not 1 <= serial <= MAX_SERIAL:
        raise NumberError("该前缀下的证明序号已用尽")
    body = f"{prefix}{serial:06d}"
    return body + iso7064_mod11_2(body[len(TRAINING_PREFIX):])


def is_training_number(number: str) -> bool:
    return bool(TRAINING_NUMBER_RE.fullmatch(number)) and \
        iso7064_mod11_2(number[len(TRAINING_PREFIX):-1]) == number[-1]


def normalise_number(value: str, field: str = "number", label: str = "证书编号") -> str:
    """What a user typed, as stored: no spaces, upper case, full-width folded
    (core.identity.fold_code). A digit of another script (١, ①, ² …) raises ValidationError
    naming ``field``."""
    return fold_code(value, label, field)


def looks_like_certificate_number(number: str) -> bool:
    return bool(SKILL_NUMBER_RE.fullmatch(number)) or is_training_number(number)


def new_verification_code() -> str:
    """8 characters from an unambiguous alphabet, from the OS's CSPRNG (~39 bits)."""
    return "".join(
        secrets.choice(VERIFICATION_ALPHABET) for _ in range(VERIFICATION_CODE_LENGTH)
    )


def normalise_code(value: str) -> str:
    """A typed verification code as stored: as ``normalise_number``, dashes removed; raises
    ValidationError (field ``code``) for a digit of another script."""
    return normalise_number(value, "code", "验证码").replace("-", "")


def codes_match(given: str, stored: str) -> bool:
    """Constant-time comparison of a typed verification code with the stored one."""
    a = normalise_code(given).encode()
    b = normalise_code(stored).encode()
    return bool(stored) and secrets.compare_digest(a, b)
