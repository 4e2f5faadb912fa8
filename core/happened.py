"""Dates of things that already happened: never after today (China date).

A recorded health check, background check, training or licence, a labour contract's signing,
a social-insurance registration, a complaint's filing date: each records an event, so a date
after today (``core.clock.today()``, Asia/Shanghai) cannot be true and would make the registry
vouch for something that has not happened (a health check dated next year counts until the
year after). Dates that may lie ahead (a contract's start or end, a course's dates, a wage's
pay date, which the labour rules read as "not yet paid" while ahead) are not checked here.

Pure: the caller passes today.
"""

from __future__ import annotations

from datetime import date

from core.errors import ValidationError


def future_message(label: str, today: date) -> str:
    """The refusal, naming the field by its Chinese label and the day it was checked against."""
    return f"{label}不能晚于今天（{today.isoformat()}）：只能登记已经发生的事"


def require_happened(day: date | None, today: date, field: str, label: str) -> None:
    """Raise ValidationError naming ``field`` when ``day`` is after ``today``; None passes
    (whether the date is required is the caller's rule)."""
    if day is not None and day > today:
        raise ValidationError(future_message(label, today), field)
