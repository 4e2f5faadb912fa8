"""Identity numbers, names and organisation codes: validation, normalisation, masking.

Pure functions (no I/O). Every entry point that takes an ID number, a name or a
统一社会信用代码 goes through here, so the rules live once.

Sources: GB 11643-1999 (公民身份号码), GB 32100-2015 (统一社会信用代码).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from enum import StrEnum

from core import clock
from core.errors import ValidationError
from core.name_rules import APOSTROPHES, HYPHENS, NAME_DOTS, clean_name


class IdType(StrEnum):
    RESIDENT = "居民身份证"
    HMT_RESIDENCE = "港澳台居民居住证"
    FOREIGN_PERMANENT = "外国人永久居留身份证"
    PASSPORT = "护照"


ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
HMT_PREFIXES = ("81", "82", "83")

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

OLD_FOREIGN_RE = re.compile(r"^[A-Z]{3}[0-9]{12}$")  # 15-character card issued before 2023-12-01
PASSPORT_RE = re.compile(r"^[A-Z0-9]{5,17}$")
MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$")


FULL_WIDTH_OFFSET = 0xFEE0  # U+FF01..U+FF5E are the full-width forms of ASCII ! .. ~


def foreign_digit_message(label: str) -> str:
    """The refusal of a digit that is neither ASCII 0–9 nor full-width ０–９, naming the field."""
    return f"{label}只能使用数字 0–9（全角数字也可），不能含其他文字的数字或上标、带圈等数字符号"


def fold_code(value: str | None, label: str, field: str) -> str:
    """What a user typed into an ID-like field, as plain ASCII: spaces removed, full-width ASCII
    (U+FF01–U+FF5E, e.g. １ Ｘ) folded to half-width, upper-cased.

    Any other number character (Unicode category N: Arabic-Indic ١, Devanagari १, superscript
    ², circled ①, Roman numeral Ⅹ, mathematical 𝟏 …) raises ValidationError naming ``field``:
    Python's ``\\d``, ``str.isdigit`` and ``int()`` accept many of them, and NFKC turns others
    into ASCII digits, so one human's number could be stored twice in different scripts.
    Other non-ASCII characters (e.g. 津 in 津保1234567, or the letter-like numeral 一) are
    kept, so the caller's format check refuses them where the format is ASCII.
    """
    out = []
    for ch in value or "":
        if ch.isspace():
            continue
        code = ord(ch)
        if 0xFF01 <= code <= 0xFF5E:
            ch = chr(code - FULL_WIDTH_OFFSET)
        elif not ch.isascii() and unicodedata.category(ch).startswith("N"):
            raise ValidationError(foreign_digit_message(label), field)
        out.append(ch)
    return "".join(out).upper()


def id_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def old_foreign_birth_date(number: str) -> date | None:
    """Birth date in an old 15-character 外国人永久居留身份证 (positions 6–11, YYMMDD), or None.

    Layout (as commonly documented; the 2004 公安部 card has no published check algorithm):
    1–3 nationality (ISO 3166-1 alpha-3 letters), 4–5 accepting office, 6–11 birth date,
    12–14 serial, 15 check digit (not verified). The century is the one (19YY or 20YY) that
    does not put the birth date after today (core.clock.today(), China date).
    """
    if not OLD_FOREIGN_RE.fullmatch(number or ""):
        return None
    yy, mm, dd = int(number[5:7]), int(number[7:9]), int(number[9:11])
    for century in (2000, 1900):
        try:
            born = date(century + yy, mm, dd)
        except ValueError:
            continue
        if born <= clock.today():
            return born
    return None


def birth_date_of(id_number: str) -> date | None:
    """Birth date encoded in an 18-character number or an old 15-character foreign permanent
    residence card number, or None when it is not a real day."""
    if len(id_number or "") == 15:
        return old_foreign_birth_date(id_number)
    try:
        return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        return None


def _check_18(number: str, label: str, field: str) -> None:
    if not re.fullmatch(r"[0-9]{17}[0-9X]", number):
        raise ValidationError(f"{label}应为 18 位（17 位数字加 1 位数字或 X）", field)
    born = birth_date_of(number)
    if born is None or born.year < 1900:
        raise ValidationError(f"{label}中的出生日期无效", field)
    if id_check_char(number[:17]) != number[17]:
        raise ValidationError(f"{label}校验位不正确，请核对后重新输入", field)


def _check_old_foreign(number: str, field: str) -> str:
    """The 15-character 外国人永久居留身份证 issued before 1 Dec 2023 (still valid until it
    expires): three Latin letters and twelve digits, with a real birth date in positions 6–11."""
    if not OLD_FOREIGN_RE.fullmatch(number):
        raise ValidationError(
            "外国人永久居留身份证号码应为 18 位（以 9 开头），"
            "或旧版 15 位（3 位国籍字母加 12 位数字）", field)
    if old_foreign_birth_date(number) is None:
        raise ValidationError("证件号码中的出生日期无效", field)
    return number


def normalise_id_number(
    value: str | None, id_type: str = IdType.RESIDENT, field: str = "id_number"
) -> str:
    """Validate an ID number of the given type and return it in stored form.

    Accepts lower-case x, full-width characters and surrounding spaces.
    Raises ValidationError naming the field; the message never repeats the number.
    """
    try:
        kind = IdType(id_type)
    except ValueError:
        raise ValidationError(f"证件类型无效（可填：{'、'.join(IdType)}）", "id_type") from None
    label = "证件号码" if kind is not IdType.RESIDENT else "身份证号"
    number = fold_code(value, label, field)
    if not number:
        raise ValidationError(f"请填写{label}", field)
    if kind is IdType.PASSPORT:
        if not PASSPORT_RE.fullmatch(number):
            raise ValidationError("护照号码应为 5–17 位字母或数字", field)
        return number
    if kind is IdType.FOREIGN_PERMANENT and len(number) != 18:
        return _check_old_foreign(number, field)
    _check_18(number, label, field)
    if kind is IdType.HMT_RESIDENCE and number[:2] not in HMT_PREFIXES:
        raise ValidationError("港澳台居民居住证号码应以 81、82 或 83 开头", field)
    if kind is IdType.FOREIGN_PERMANENT and not number.startswith("9"):
        raise ValidationError("外国人永久居留身份证号码应以 9 开头", field)
    return number


def is_valid_id_number(value: str, id_type: str = IdType.RESIDENT) -> bool:
    try:
        normalise_id_number(value, id_type)
    except ValidationError:
        return False
    return True


def sex_of(id_number: str) -> str | None:
    """'男' / '女' from the 17th digit of an 18-character number."""
    if len(id_number) == 18 and id_number[16] in "0123456789":
        return "男" if int(id_number[16]) % 2 else "女"
    return None


def normalise_name(value: str | None, field: str = "name") -> str:
    """A person's name in stored form (NFKC, trimmed, middle dots unified to ·).

    The rule (letters of any script incl. CJK Extension B+, middle dot, space, hyphen and
    apostrophe between letters; no control/invisible characters, digits, emoji or symbols;
    no Han mixed with Latin; at most 50 characters) lives in ``core.name_rules``.
    Raises ValidationError naming ``field`` with a Chinese message.
    """
    name, problem = clean_name(value)
    if problem:
        raise ValidationError(problem, field)
    return name


# name_key's unification of separators, one pass (core.name_rules' variants -> · - ')
_NAME_KEY_SEPARATORS = str.maketrans({**dict.fromkeys(NAME_DOTS, "·"),
                                      **dict.fromkeys(HYPHENS, "-"),
                                      **dict.fromkeys(APOSTROPHES, "'")})


def name_key(value: str) -> str:
    """Comparison form of a name: trimmed, spaces removed, middle dots, hyphens and apostrophes
    unified (core.name_rules), case-folded (JOHN SMITH on a passport is John Smith)."""
    name = unicodedata.normalize("NFKC", value or "").translate(_NAME_KEY_SEPARATORS)
    return "".join(name.split()).casefold()  # split(): the whitespace of \s


def names_match(a: str, b: str) -> bool:
    return bool(name_key(a)) and name_key(a) == name_key(b)


def mask_name(name: str) -> str:
    """张* / 欧阳**: the first character, then one * per remaining character."""
    name = (name or "").strip()
    return name[:1] + "*" * (len(name) - 1) if name else ""


def mask_id_number(number: str) -> str:
    """1201**********123X: the first 4 and last 4 characters kept."""
    number = number or ""
    if len(number) <= 8:
        return number[:1] + "*" * max(len(number) - 1, 0)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def normalise_mobile(value: str | None, field: str = "phone") -> str:
    phone = fold_code(value, "手机号码", field).removeprefix("+86")
    if not MOBILE_RE.fullmatch(phone):
        raise ValidationError("手机号码应为 11 位数字，以 1 开头", field)
    return phone


def mask_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) == 11 else mask_id_number(phone)


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def normalise_uscc(value: str | None, field: str = "uscc") -> str:
    """Validate a 统一社会信用代码 (GB 32100-2015) and return it upper-cased."""
    code = fold_code(value, "统一社会信用代码", field)
    if not code:
        raise ValidationError("请填写统一社会信用代码", field)
    if len(code) != 18 or any(c not in USCC_ALPHABET for c in code):
        raise ValidationError(
            "统一社会信用代码应为 18 位数字或大写字母（不含 I、O、Z、S、V）", field
        )
    if uscc_check_char(code[:17]) != code[17]:
        raise ValidationError("统一社会信用代码校验位不正确，请核对", field)
    return code


def is_valid_uscc(value: str) -> bool:
    try:
        normalise_uscc(value)
    except ValidationError:
        return False
    return True
