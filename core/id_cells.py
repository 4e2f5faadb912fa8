"""ID-number cells as Excel (or a copy from a web page or chat) leaves them (results files,
bulk credential checks).

Pure: one cell value in, the ID number or what went wrong out. What Excel does to a 身份证号
column, and what this module does about it:

- a leading apostrophe (``'110105…``, Excel's "keep as text" mark typed by hand or exported to
  CSV) and the ``="110105…"`` wrapping (the CSV trick that makes Excel keep text): removed, the
  digits are intact;
- zero-width and other invisible characters (U+200B…U+200F, U+2060…U+2064, U+FEFF, U+00AD,
  bidi controls, control characters) pasted along with the number: removed;
- the number stored as a number: Excel keeps 15 significant digits, so the last three of an
  18-digit number become 000 (or the cell shows ``1.20221E+17``). The digits are lost and
  cannot be guessed: refused, saying what Excel did and how to fix the column. An 18-digit
  text ending in 000 whose check character fails is the same damage copied as text.

Sources: GB 11643-1999 (the check character, via core.identity); Excel's 15-digit precision
(Microsoft, "Excel specifications and limits": number precision 15 digits).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from core.errors import ValidationError
from core.identity import IdType, fold_code, id_check_char, normalise_id_number

AS_NUMBER = "身份证号被保存成了数字，末几位已丢失：请把该列设为“文本”格式后重新填写"
ROUNDED = (
    "身份证号末三位变成了 000：Excel 把号码当作数字保存时只保留 15 位有效数字，末三位已丢失。"
    "请把该列设为“文本”格式，再重新填写（或粘贴）完整号码"
)
_INVISIBLE = re.compile(
    "[\u0000-\u001f\u007f-\u009f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e"
    "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]"
)
_WRAPPED = re.compile(r'^=\s*"(.*)"$', re.DOTALL)
_APOSTROPHES = "'‘’`"
_PLAIN = re.compile(r"[0-9]{17}[0-9X]")
_SCIENTIFIC = re.compile(r"^[0-9](\.[0-9]+)?E\+?[0-9]+$", re.IGNORECASE)


@dataclass(frozen=True)
class IdCell:
    """The outcome for one cell: ``id_number`` (normalised) or ``problem`` (a Chinese message
    that never repeats the number); ``repaired`` names what was removed, for the record."""

    id_number: str | None
    problem: str | None
    repaired: tuple[str, ...] = ()


def _rounded_by_excel(digits: str) -> bool:
    """18 digits ending in 000 whose check character fails: Excel's 15-digit rounding."""
    return (
        len(digits) == 18
        and digits.isascii()
        and digits.isdigit()
        and digits.endswith("000")
        and id_check_char(digits[:17]) != digits[17]
    )


def strip_excel_marks(text: str) -> tuple[str, tuple[str, ...]]:
    """The text without invisible characters, ``="…"`` wrapping and a leading apostrophe."""
    repaired: list[str] = []
    cleaned = _INVISIBLE.sub("", text)
    if cleaned != text:
        repaired.append("不可见字符")
    cleaned = cleaned.strip()
    wrapped = _WRAPPED.match(cleaned)
    if wrapped:
        cleaned = wrapped.group(1).strip()
        repaired.append('="…"')
    if cleaned and cleaned[0] in _APOSTROPHES:
        cleaned = cleaned[1:].strip()
        repaired.append("前导撇号")
    return cleaned, tuple(repaired)


def clean_id_cell(value: Any) -> IdCell:
    """Read a 身份证号 cell: a str from CSV or a text cell, an int or float from a number cell.

    Never raises for bad input. A number cell is always refused: Excel keeps 15 significant
    digits, so its last three digits cannot be trusted even when they pass the check.
    """
    if isinstance(value, bool):
        return IdCell(None, AS_NUMBER)
    if isinstance(value, (int, float)):
        try:
            digits = str(int(Decimal(repr(value)))) if isinstance(value, float) else str(value)
        except (InvalidOperation, ValueError, OverflowError):
            return IdCell(None, AS_NUMBER)
        return IdCell(None, ROUNDED if len(digits) == 18 and digits.endswith("000") else AS_NUMBER)
    if isinstance(value, str) and _PLAIN.fullmatch(value):  # the usual cell: nothing to strip
        if _rounded_by_excel(value):
            return IdCell(None, ROUNDED)
        try:
            return IdCell(normalise_id_number(value, id_type=IdType.RESIDENT), None)
        except ValidationError as error:
            return IdCell(None, error.message)
    text, repaired = strip_excel_marks("" if value is None else str(value))
    try:
        folded = fold_code(text, "身份证号", "id_number")
    except ValidationError as error:
        return IdCell(None, error.message, repaired)
    if _SCIENTIFIC.match(folded):
        return IdCell(None, AS_NUMBER, repaired)
    if _rounded_by_excel(folded):
        return IdCell(None, ROUNDED, repaired)
    try:
        number = normalise_id_number(text, id_type=IdType.RESIDENT, field="id_number")
    except ValidationError as error:
        return IdCell(None, error.message, repaired)
    return IdCell(number, None, repaired)
