"""Pure rules of class hours (学时): what a class session may claim and what counts as two
sessions at once. No database, no clock: the date ``today`` and the minutes per 学时 (a
catalogue parameter, ``training.tables.ClassHourRule``) are arguments.

Sources: the issue-10 rules of the registry — no session in the future, no session twice,
no trainee in two overlapping sessions, recorded 学时 ≤ span ÷ minutes per 学时 (rounded down).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from core.errors import ValidationError

MAX_SESSION_HOURS = 12


def minutes_between(starts_at: time, ends_at: time) -> int:
    """Whole minutes from ``starts_at`` to ``ends_at`` on the same day (negative if reversed)."""
    return (ends_at.hour * 60 + ends_at.minute) - (starts_at.hour * 60 + starts_at.minute)


def max_class_hours(span_minutes: int, minutes_per_hour: int) -> int:
    """The most 学时 a span of ``span_minutes`` can hold: span ÷ minutes per 学时, rounded
    down (0 for a span shorter than one 学时). ``minutes_per_hour`` must be positive."""
    if minutes_per_hour <= 0:
        raise ValueError("minutes_per_hour must be positive")
    return max(span_minutes, 0) // minutes_per_hour


def fmt_span(starts_at: time | None, ends_at: time | None) -> str:
    """'09:00–12:00', or '（未填时间）' for a session recorded before times were kept."""
    if starts_at is None or ends_at is None:
        return "（未填时间）"
    return f"{starts_at:%H:%M}–{ends_at:%H:%M}"


def check_session(held_on: date, starts_at: time | None, ends_at: time | None, hours: int,
                  today: date, minutes_per_hour: int) -> None:
    """Refuse a class session that could not have happened as recorded.

    Raises ValidationError (field held_on / starts_at / ends_at / hours) when the date is after
    ``today`` (China date), a time is missing, the end is not after the start, or ``hours``
    exceeds the span ÷ ``minutes_per_hour`` rounded down (or 1–12)."""
    if not isinstance(hours, int) or not 1 <= hours <= MAX_SESSION_HOURS:
        raise ValidationError(f"学时应为 1–{MAX_SESSION_HOURS} 的整数", "hours")
    if held_on > today:
        raise ValidationError(
            f"上课日期 {held_on.isoformat()} 晚于今天（{today.isoformat()}），"
            "课上完后才能记录学时", "held_on")
    if starts_at is None:
        raise ValidationError("请填写上课时间", "starts_at")
    if ends_at is None:
        raise ValidationError("请填写下课时间", "ends_at")
    span = minutes_between(starts_at, ends_at)
    if span <= 0:
        raise ValidationError("下课时间应晚于上课时间", "ends_at")
    most = max_class_hours(span, minutes_per_hour)
    if hours > most:
        raise ValidationError(
            f"学时超出上课时长：{fmt_span(starts_at, ends_at)} 共 {span} 分钟，按每学时 "
            f"{minutes_per_hour} 分钟最多记 {most} 学时", "hours")


@dataclass(frozen=True)
class Slot:
    """When a session was held and what kind it was (times None: recorded before times were
    kept)."""

    held_on: date
    starts_at: time | None
    ends_at: time | None
    kind: str


def clash(a: Slot, b: Slot, same_course: bool) -> bool:
    """Whether two sessions cannot both have happened as recorded.

    Same day and, when both have times, overlapping times (touching ends do not overlap:
    09:00–10:30 and 10:30–12:00 are fine). When a time is missing, only a session of the same
    class and the same kind on the same day counts as the same session recorded twice; across
    classes nothing can be told without times."""
    if a.held_on != b.held_on:
        return False
    if None in (a.starts_at, a.ends_at, b.starts_at, b.ends_at):
        return same_course and a.kind == b.kind
    return a.starts_at < b.ends_at and b.starts_at < a.ends_at  # type: ignore[operator]
