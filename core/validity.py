"""The last valid day of a validity counted in years (or whole months) from a start day.

Source: ``docs/domain.md`` (HEALTH_CERT row and the compliance "Meanings"): a health check
on day D is valid through the day before its anniversary, and the anniversary of 29 February
in a common year is 1 March — so a check on 2024-02-29 is valid through 2025-02-28, like one
on 2024-03-01. Credentials with a validity period (the catalogue's ``validity_months``) end
the same way. Labour deadlines do not use this rule: they follow the civil code's "no
corresponding day: the month's last day" (``employers/labour/periods.py``).

Pure functions, no clock: callers pass the start day.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

ONE_DAY = timedelta(days=1)


def anniversary_after_months(start: date, months: int) -> date:
    """The day ``months`` (≥ 0) after ``start`` with the same day of the month; when the
    target month has no such day (31 April, 29 February in a common year) the anniversary is
    the first day of the month after it."""
    if months < 0:
        raise ValueError("months must be ≥ 0")
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    if start.day <= calendar.monthrange(year, month)[1]:
        return date(year, month, start.day)
    return date(year + month // 12, month % 12 + 1, 1)


def anniversary(start: date, years: int = 1) -> date:
    """The ``years``-th anniversary of ``start``; that of 29 February in a common year is
    1 March."""
    return anniversary_after_months(start, 12 * years)


def last_valid_day(start: date, years: int = 1) -> date:
    """Last day of a validity of ``years`` (≥ 1) years starting on ``start``: the day before
    the anniversary. ``last_valid_day(date(2024, 2, 29)) == date(2025, 2, 28)``.

    Raises ValueError for ``years`` < 1.
    """
    if years < 1:
        raise ValueError("years must be ≥ 1")
    return anniversary(start, years) - ONE_DAY


def last_valid_day_after_months(start: date, months: int) -> date:
    """Last day of a validity of ``months`` (≥ 1) months starting on ``start``: the day before
    ``anniversary_after_months``; for whole years the same day as ``last_valid_day``.

    Raises ValueError for ``months`` < 1.
    """
    if months < 1:
        raise ValueError("months must be ≥ 1")
    return anniversary_after_months(start, months) - ONE_DAY
