"""Parsing form and query values with Chinese messages that name the field."""

from __future__ import annotations

from datetime import date
from typing import Any

from core.errors import ValidationError


def parse_date(value: Any, field: str, required: bool = False) -> date | None:
    """A YYYY-MM-DD value, None when empty (or an error when required)."""
    text = str(value or "").strip()
    if not text:
        if required:
            raise ValidationError("请填写日期", field)
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError("日期格式应为 YYYY-MM-DD", field) from None
