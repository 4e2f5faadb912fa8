"""Small helpers shared by the training page controllers."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time
from typing import Any

from core import forms
from core.errors import ValidationError
from training import states as s
from training.services.catalogue import level_names, qualification_names


def form_of(data: Mapping[str, Any]) -> dict[str, str]:
    return {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()
            if k != "_csrf_token"}


def parse_int(value: Any, field: str, label: str, required: bool = True) -> int | None:
    """A whole number (core.forms.parse_int: 64-bit range, errors name the field)."""
    return forms.parse_int(value, field, label, required=required)


def parse_time(value: Any, field: str, label: str) -> time | None:
    """An HH:MM value (China time), None when empty (the service says it is required)."""
    text = str(value or "").strip()
    if not text:
        return None
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"{label}格式应为 HH:MM，如 09:00", field) from None


def parse_yuan(value: Any, field: str) -> int:
    """Yuan as typed (1500 or 1500.50) -> fen, at most core.forms.MAX_FEN; inf/NaN/text -> 422."""
    amount = forms.parse_decimal(value or "0", field, "费用")
    assert amount is not None
    fen = int((amount * 100).to_integral_value())
    if fen < 0:
        raise ValidationError("费用不能为负数", field)
    if fen > forms.MAX_FEN:
        raise ValidationError("费用不能超过 1 亿元", field)
    return fen


async def labels() -> dict[str, Any]:
    """Names templates need: qualifications, levels (key 'CODE:level') and state labels."""
    levels = {f"{code}:{lvl}": name for (code, lvl), name in (await level_names()).items()}
    return {"quals": await qualification_names(), "levels": levels, "st": s}
