"""Parsing form and query values with Chinese messages that name the field."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import Field

from core.errors import ValidationError

# Limits every number and date read from a request must keep (issue 12 point 1): ids and counts
# fit the 64-bit database integers; an amount is at most 10^10 fen (一亿元); dates lie within
# 1900-01-01 … 2099-12-31 (the rules' own limits, such as as_of ≥ 2019-10-08, apply on top).
INT_MIN = -(2**63)
INT_MAX = 2**63 - 1
MAX_FEN = 10_000_000_000
DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2099, 12, 31)

# Shared API field types: OpenAPI states the bounds (minimum/maximum) and Pydantic enforces them.
Fen = Annotated[int, Field(ge=0, le=MAX_FEN, description="金额（分），不超过 10^10")]
BoundedDate = Annotated[date, Field(ge=DATE_MIN, le=DATE_MAX)]


def check_date_range(day: date, field: str) -> date:
    """``day`` when within DATE_MIN … DATE_MAX, else ValidationError naming ``field``."""
    if not DATE_MIN <= day <= DATE_MAX:
        raise ValidationError("日期应在 1900-01-01 至 2099-12-31 之间", field)
    return day


def parse_int(value: Any, field: str, label: str, *, required: bool = True,
              minimum: int = INT_MIN, maximum: int = INT_MAX) -> int | None:
    """A whole number typed in a form; None when empty and not required. Non-numeric text
    and numbers outside ``minimum`` … ``maximum`` raise ValidationError naming ``field``."""
    text = str(value if value is not None else "").strip()
    if not text:
        if required:
            raise ValidationError(f"请填写{label}", field)
        return None
    try:
        number = int(text)
    except ValueError:
        raise ValidationError(f"{label}应为整数", field) from None
    if not minimum <= number <= maximum:
        raise ValidationError(f"{label}应在 {minimum} 到 {maximum} 之间", field)
    return number


def parse_decimal(value: Any, field: str, label: str) -> Decimal | None:
    """A finite decimal number typed in a form, None when empty; 'inf', 'NaN' and text that is
    not a number raise ValidationError naming ``field``."""
    text = str(value if value is not None else "").replace(",", "").replace("，", "").strip()
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValidationError(f"{label}应为数字", field) from None
    if not number.is_finite():
        raise ValidationError(f"{label}应为有限的数字", field)
    return number


def parse_date(value: Any, field: str, required: bool = False) -> date | None:
    """A YYYY-MM-DD value, None when empty (or an error when required)."""
    text = str(value or "").strip()
    if not text:
        if required:
            raise ValidationError("请填写日期", field)
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValidationError("日期格式应为 YYYY-MM-DD", field) from None
    return check_date_range(day, field)
