"""Strict readers for the snapshot's JSON values: each names its field path when it refuses.

JSON integers only (not booleans, not floats), dates only as ``YYYY-MM-DD`` of real days.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from core.errors import ValidationError
from core.forms import DATE_MAX, DATE_MIN
from core.identity import normalise_uscc

DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def invalid(path: str, text: str) -> ValidationError:
    return ValidationError(f"{path}: {text}", path)


def _shown(value: Any) -> str:
    shown = json.dumps(value, ensure_ascii=False)
    return shown if len(shown) <= 40 else shown[:37] + "…"


def key(raw: dict[str, Any], name: str, parent: str) -> Any:
    path = f"{parent}.{name}" if parent else name
    if name not in raw:
        raise invalid(path, "缺少必填字段")
    return raw[name]


def obj(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise invalid(path, "应为 JSON 对象")
    return value


def array(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise invalid(path, "应为 JSON 数组")
    return value


def text(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise invalid(path, "应为非空字符串")
    return value


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def count(value: Any, path: str) -> int:
    if not is_int(value):
        raise invalid(path, f"应为不小于 0 的整数，收到 {_shown(value)}")
    if value < 0:
        raise invalid(path, f"不能为负数，收到 {value}")
    return int(value)


def day(value: Any, path: str) -> date:
    if not isinstance(value, str) or not DATE_RE.fullmatch(value):
        raise invalid(path, f"应为 YYYY-MM-DD 格式的日期，收到 {_shown(value)}")
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise invalid(path, f"{value} 不是真实存在的日期") from None
    if not DATE_MIN <= parsed <= DATE_MAX:  # rules add months and years to dates
        raise invalid(path, f"日期应在 {DATE_MIN} 至 {DATE_MAX} 之间，收到 {value}")
    return parsed


def choice(value: Any, path: str, allowed: Sequence[str]) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise invalid(path, f"取值 {_shown(value)} 无效，应为 {'、'.join(allowed)} 之一")
    return value


def uscc(raw: dict[str, Any], parent: str) -> str:
    path = f"{parent}.uscc"
    value = key(raw, "uscc", parent)
    if not isinstance(value, str):
        raise invalid(path, "统一社会信用代码应为字符串")
    try:
        return normalise_uscc(value, path)
    except ValidationError as error:
        raise invalid(path, error.message) from None
