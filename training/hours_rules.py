"""Pure rules of class hours (学时): what a class session may claim and what counts as two
sessions at once. No database, no clock: the instant ``now`` (China time) and the minutes per
学时 (a catalogue parameter, ``training.tables.ClassHourRule``) are arguments.

Sources: the registry's own rules — no session in the future (nor one today that has
not ended yet), no session twice, no trainee in two overlapping sessions, recorded 学时 ≤ span ÷
minutes per 学时 (rounded down). Class times are China wall-clock times in whole minutes: a
time carrying a UTC offset or seconds is refused, never silently converted or truncated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from core.clock import CHINA
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


TIME_LABELS = {"starts_at": "上课时间", "ends_at": "下课时间"}


def check_clock_time(value: time | None, field: str) -> None:
    """Refuse a class time that is not a plain China wall-clock time in whole minutes.

    Raises ValidationError naming ``field`` when ``value`` carries a time zone (UTC offset,
    e.g. ``01:00:00Z``) or non-zero seconds / microseconds (``09:00:59``). None passes (the
    caller says whether the time is required)."""
    if value is None:
        return
    label = TIME_LABELS.get(field, "时间")
    if value.tzinfo is not None:
        raise ValidationError(
            f"{label}不能带时区（{value.isoformat()}），请按中国时间填写 HH:MM，如 09:00", field)
    if value.second or value.microsecond:
        raise ValidationError(
            f"{label}只记到分钟（{value.isoformat()} 带有秒），请填写 HH:MM，如 09:00", field)


def check_session(held_on: date, starts_at: time | None, ends_at: time | None, hours: int,
                  now: datetime, minutes_per_hour: int) -> None:
    """Refuse a class session that could not have happened as recorded.

    ``now`` is the current instant (aware; read in China time, ``clock.now_china()``). Raises
    ValidationError (field held_on / starts_at / ends_at / hours) when a time carries a time
    zone or seconds, the date is after today (China date), a time is missing, the end is not
    after the start, the session is today and has not ended by ``now``, or ``hours`` exceeds
    the span ÷ ``minutes_per_hour`` rounded down (or 1–12)."""
    if not isinstance(hours, int) or not 1 <= hours <= MAX_SESSION_HOURS:
        raise ValidationError(f"学时应为 1–{MAX_SESSION_HOURS} 的整数", "hours")
    check_clock_time(starts_at, "starts_at")
    check_clock_time(ends_at, "ends_at")
    here = now.astimezone(CHINA) if now.tzinfo is not None else now
    today = here.date()
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
    if held_on == today and ends_at > here.time().replace(tzinfo=None):
        raise ValidationError(
            f"本次课今天 {ends_at:%H:%M} 下课，现在是 {here:%H:%M}（中国时间），"
            "课上完后才能记录学时", "ends_at")
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
    a1, a2, b1, b2 = (wall_time(a.held_on, t) for t in (a.starts_at, a.ends_at, b.starts_at,
                                                         b.ends_at))
    return a1 < b2 and b1 < a2  # type: ignore[operator]


def wall_time(on: date, value: time | None) -> time | None:
    """``value`` as a naive China wall-clock time: a time carrying an offset (a row stored
    before offsets were refused) is converted to China time, so a clash check never compares
    an aware time with a naive one."""
    if value is None or value.tzinfo is None:
        return value
    return datetime.combine(on, value).astimezone(CHINA).time()
