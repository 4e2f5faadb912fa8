"""Small helpers shared by the training page controllers."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time
from typing import Any

from core import forms
from core.errors import ValidationError
from training import states as s
from training.hours_rules import MAX_SESSION_HOURS, check_clock_time
from training.services.catalogue import level_names, qualification_names
from training.services.hours import SessionInput


def form_of(data: Mapping[str, Any]) -> dict[str, str]:
    return {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()
            if k != "_csrf_token"}


def many(data: Mapping[str, Any], field: str) -> list[str]:
    """Every value a multi-valued field (checkboxes) was posted with."""
    raw = data.get(field, [])
    return [raw] if isinstance(raw, str) else [str(v) for v in raw]


def parse_time(value: Any, field: str, label: str) -> time | None:
    """An HH:MM value (China time), None when empty."""
    text = str(value or "").strip()
    if not text:
        return None
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"{label}格式应为 HH:MM，如 09:00", field) from None


def read_time(reader: forms.FormReader, field: str, label: str) -> time | None:
    """A required HH:MM field read into ``reader`` (its error kept beside the field)."""
    value = reader.run(field, parse_time, reader.data.get(field), field, label)
    if value is None and field not in reader.errors:
        reader.fail(field, f"请填写{label}")
    reader.run(field, check_clock_time, value, field)  # no time zone, whole minutes
    return None if field in reader.errors else value


def read_ids(reader: forms.FormReader, data: Mapping[str, Any], field: str,
             label: str) -> set[int]:
    """The ids ticked in a checkbox list (e.g. 出勤学员); anything else is kept as an error."""
    ids = set()
    for value in many(data, field):
        number = reader.run(field, forms.parse_int, value, field, label, minimum=1)
        if number is None:
            reader.fail(field, f"{label}无效")
            return set()
        ids.add(number)
    return ids


def read_session(reader: forms.FormReader) -> SessionInput | None:
    """The facts of a class session (templates/training/_session_fields.html) read into
    ``reader``; None when any is at fault (the errors stay in the reader)."""
    held_on = reader.date("held_on", "上课日期", required=True)
    starts_at = read_time(reader, "starts_at", "上课时间")
    ends_at = read_time(reader, "ends_at", "下课时间")
    if starts_at and ends_at and ends_at <= starts_at:
        reader.fail("ends_at", "下课时间应晚于上课时间")
    kind = reader.choice("kind", "理论或实操", (s.HOURS_THEORY, s.HOURS_PRACTICAL))
    hours = reader.int("hours", "学时", minimum=1, maximum=MAX_SESSION_HOURS)
    topic = reader.text("topic", "授课内容", max_length=200)
    if held_on is None or starts_at is None or ends_at is None or kind is None or hours is None:
        return None
    return SessionInput(held_on, starts_at, ends_at, kind, hours, topic)


async def labels() -> dict[str, Any]:
    """Names templates need: qualifications, levels (key 'CODE:level') and state labels."""
    levels = {f"{code}:{lvl}": name for (code, lvl), name in (await level_names()).items()}
    return {"quals": await qualification_names(), "levels": levels, "st": s}
