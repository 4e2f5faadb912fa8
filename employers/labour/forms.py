"""Page forms to API schemas: 元 to fen, dates, hours; errors name their field (pure)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic import ValidationError as PydanticError

from core.errors import ValidationError
from core.forms import MAX_FEN
from core.forms import parse_date as core_parse_date


def parse_date(value: Any, field: str, required: bool = True) -> date | None:
    """Form dates here are required unless said otherwise."""
    return core_parse_date(value, field, required)


YUAN_RE = re.compile(r"^\d{1,9}(\.\d{1,2})?$")
M = TypeVar("M", bound=BaseModel)


def parse_yuan(value: Any, field: str, *, required: bool = True) -> int | None:
    """'2510' / '2,510.5' / '2510.00' 元 -> fen (integer)."""
    text = str(value or "").replace(",", "").replace("，", "").strip()
    if not text:
        if required:
            raise ValidationError("请填写金额（元）", field)
        return None
    if not YUAN_RE.match(text):
        raise ValidationError("金额格式应为元，最多两位小数，如 2510.00", field)
    fen = int(Decimal(text) * 100)
    if fen > MAX_FEN:
        raise ValidationError("金额不能超过 1 亿元", field)
    return fen


def parse_hours(value: Any, field: str = "hours") -> Decimal | None:
    text = str(value or "").strip()
    if not text:
        return None
    try:
        hours = Decimal(text)
    except InvalidOperation:
        raise ValidationError("工时应为数字，最多两位小数", field) from None
    if not hours.is_finite():
        raise ValidationError("工时应为有限的数字", field)
    if hours < 0 or hours > Decimal("9999") or hours != hours.quantize(Decimal("0.01")):
        raise ValidationError("工时应为不小于 0 的数，最多两位小数", field)
    return hours


def build(model: type[M], **values: Any) -> M:
    """Construct a schema; a pydantic error becomes a ValidationError on its field."""
    try:
        return model(**values)
    except PydanticError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first.get("loc") else None
        raise ValidationError("填写内容不正确：" + _message(first), field) from None


def _message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    if "date" in kind:
        return "应为日期（YYYY-MM-DD）"
    if "int" in kind or "decimal" in kind:
        return "应为数字"
    if "too_long" in kind:
        return "内容过长"
    if "greater_than" in kind:
        return "应不小于 0"
    if "missing" in kind:
        return "必填"
    return "格式不正确"


def text(form: dict[str, Any], key: str) -> str:
    return str(form.get(key) or "").strip()
