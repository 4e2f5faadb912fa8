"""The one clock: what time it is, and which day it is in China.

Every read of the current time or date in the product goes through ``now()`` or ``today()``
(ruff's DTZ rules keep naive ``datetime.now()`` / ``date.today()`` out; the rest is review).
Dates a person sees or a rule uses are China dates (Asia/Shanghai, UTC+8 all year, no DST), so
``today()`` is the China date even on a server whose own zone is UTC: between 00:00 and 08:00
China time the UTC date is still yesterday.

Tests inject a clock with ``frozen(...)`` (or the ``clock`` fixture in ``tests/conftest.py``);
the app runs in the test client's own thread, so the override is process-wide, not per task.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")

_fixed: datetime | None = None


def now() -> datetime:
    """The current instant as an aware UTC datetime (the frozen one in tests)."""
    return _fixed if _fixed is not None else datetime.now(UTC)


def now_china() -> datetime:
    """The current instant as an aware datetime in China time (Asia/Shanghai)."""
    return now().astimezone(CHINA)


def today() -> date:
    """Today's date in China (Asia/Shanghai): the day users and rules mean."""
    return now_china().date()


def china_midnight(day: date) -> datetime:
    """00:00 China time of ``day`` as an aware UTC datetime (start of that China day)."""
    return datetime.combine(day, time(0), CHINA).astimezone(UTC)


def to_china_date(instant: datetime) -> date:
    """The China date of an aware instant (e.g. a ``Timestamptz`` read from the database)."""
    if instant.tzinfo is None:  # SQLite may hand back naive UTC values
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(CHINA).date()


def set_now(instant: datetime | None) -> None:
    """Freeze the clock at an aware ``instant`` (None: back to the system clock). Tests only."""
    global _fixed
    if instant is not None and instant.tzinfo is None:
        raise ValueError("set_now needs an aware datetime")
    _fixed = instant.astimezone(UTC) if instant is not None else None


def set_today(day: date, at: time = time(10, 0)) -> None:
    """Freeze the clock at ``at`` China time on ``day``. Tests only."""
    set_now(datetime.combine(day, at, CHINA))


def advance(delta: timedelta) -> None:
    """Move a frozen clock forward (or back) by ``delta``. Tests only."""
    if _fixed is None:
        raise RuntimeError("the clock is not frozen")
    set_now(_fixed + delta)


@contextmanager
def frozen(when: date | datetime) -> Iterator[None]:
    """Run a block with the clock frozen at ``when`` (a date means 10:00 China time that day)."""
    previous = _fixed
    if isinstance(when, datetime):
        set_now(when)
    else:
        set_today(when)
    try:
        yield
    finally:
        set_now(previous)
