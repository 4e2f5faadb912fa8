"""Statutory periods, months and money formatting for the labour-rights rules (pure).

How a period is counted (民法典 第二百零一条): "按照年、月、日计算期间的，开始的当日不计入，
自下一日开始计算。按照年、月计算期间的，到期月的对应日为期间的最后一日；没有对应日的，
为月末日。" So "within one month of 2026-01-15" ends on 2026-02-15, "within one month of
2026-01-31" ends on 2026-02-28, and "within 30 days of D" ends on D + 30 days.

We do not move a last day that falls on a rest day (民法典 第二百零三条): the labour
authorities read the contract and insurance periods as calendar periods, and a finding must
not depend on a holiday calendar that may be provisional.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from fractions import Fraction

from core.errors import ValidationError

MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def add_months(day: date, months: int) -> date:
    """The corresponding day `months` later; the month's last day when there is none."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def period_end_months(start: date, months: int) -> date:
    """Last day of a period of `months` counted from `start` (start day not counted)."""
    return add_months(start, months)


def period_end_days(start: date, days: int) -> date:
    """Last day of a period of `days` counted from `start` (start day not counted)."""
    return start + timedelta(days=days)


def term_at_least_months(start: date, end: date, months: int) -> bool:
    """Does a contract running from `start` to `end` (both days included) last ≥ `months`?

    A term of N months from 2026-01-01 runs through 2026-03-31 (N = 3): the term reaches N
    months when its last day is on or after the day before the corresponding day N months on
    (month-end when the corresponding day does not exist). "以上" includes the number itself.
    """
    if months <= 0:
        return True
    return end >= add_months(start, months) - timedelta(days=1)


def parse_month(value: str, field: str = "month") -> tuple[date, date]:
    """'YYYY-MM' -> (first day, last day) of that month."""
    match = MONTH_RE.match(value or "")
    if not match:
        raise ValidationError("月份格式应为 YYYY-MM，如 2026-03", field)
    year, month = int(match.group(1)), int(match.group(2))
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def overlap_days(a_first: date, a_last: date, b_first: date, b_last: date) -> int:
    """Days (both ends included) shared by two closed date ranges; 0 when disjoint."""
    first, last = max(a_first, b_first), min(a_last, b_last)
    return max(0, (last - first).days + 1)


def round_half_up(value: Fraction) -> int:
    """Round a non-negative amount of fen to a whole fen, halves up."""
    return int((value * 2 + 1) // 2)


def yuan(fen: int) -> str:
    """Integer fen as '2510.00 元'."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d} 元"


def cn_date(day: date) -> str:
    """A date as written in Chinese notices: 2026年1月5日."""
    return f"{day.year}年{day.month}月{day.day}日"
