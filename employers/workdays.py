"""Working days under the State Council's yearly holiday notice (pure but for reading the data).

A day is a working day when it is a make-up working day (调休上班, usually a Saturday or
Sunday), or a Monday–Friday that is not a holiday. The calendar is data in
`employers/data/holidays.json`, one entry per year with the notice it comes from, maintained by
officers; a year marked provisional was entered before its notice was published.

Deadlines ("备案 within 5 working days", "reply within 15 working days" — 托育机构登记和备案办法)
count from the submission: the submission day itself does not count, so the deadline is the
n-th working day after it, whatever day of the week the submission came in.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path

from core.errors import ValidationError

DATA_FILE = Path(__file__).parent / "data" / "holidays.json"
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class WorkCalendar:
    # Every day of the notices' holiday spans, weekends included.
    holidays: frozenset[date]
    # Weekend days worked in exchange (调休上班).
    makeup_workdays: frozenset[date]
    years: frozenset[int] = field(default_factory=frozenset)  # years the data covers
    provisional_years: frozenset[int] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(self, "makeup_workdays", frozenset(self.makeup_workdays))
        clash = self.holidays & self.makeup_workdays
        if clash:
            raise ValidationError(
                f"节假日与调休上班日重复：{', '.join(sorted(d.isoformat() for d in clash))}",
                "makeup_workdays",
            )

    def is_workday(self, day: date) -> bool:
        if day in self.makeup_workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def covers(self, day: date) -> bool:
        """Whether the data holds the holiday notice for `day`'s year (provisional or not)."""
        return day.year in self.years

    def is_provisional(self, day: date) -> bool:
        """True when `day`'s year is missing or only provisionally entered."""
        return day.year not in self.years or day.year in self.provisional_years

    def add_workdays(self, start: date, n: int) -> date:
        """The n-th working day after `start` (`start` itself never counts); n = 0 gives start."""
        if n < 0:
            raise ValidationError("工作日数不能为负数", "n")
        day = start
        while n > 0:
            day += ONE_DAY
            if self.is_workday(day):
                n -= 1
        return day

    def workdays_between(self, a: date, b: date) -> int:
        """Working days d with a < d ≤ b (negative when b < a), so that
        workdays_between(a, add_workdays(a, n)) == n."""
        if b < a:
            return -self.workdays_between(b, a)
        count, day = 0, a
        while day < b:
            day += ONE_DAY
            count += self.is_workday(day)
        return count


def parse_calendar(document: dict) -> WorkCalendar:
    """Build the calendar from the data document (see `employers/data/holidays.json`)."""
    holidays: set[date] = set()
    makeup: set[date] = set()
    years: set[int] = set()
    provisional: set[int] = set()
    for year_text, entry in document.get("years", {}).items():
        where = f"years.{year_text}"
        try:
            year = int(year_text)
            for span in entry["holidays"]:
                first, last = date.fromisoformat(span["from"]), date.fromisoformat(span["to"])
                if last < first or (first.year != year and last.year != year):
                    raise ValueError(f"{span['name']} 的日期范围不正确")
                day = first
                while day <= last:
                    holidays.add(day)
                    day += ONE_DAY
            for text in entry.get("makeup_workdays", []):
                day = date.fromisoformat(text)
                if day.weekday() < 5:
                    raise ValueError(f"调休上班日 {text} 不是周末")
                makeup.add(day)
            if not entry.get("source"):
                raise ValueError("缺少来源（国务院办公厅通知）")
        except (KeyError, TypeError, ValueError) as exc:
            raise ValidationError(f"节假日数据 {year_text} 年有误：{exc}", where) from None
        years.add(year)
        if entry.get("provisional", False):
            provisional.add(year)
    return WorkCalendar(
        frozenset(holidays), frozenset(makeup), frozenset(years), frozenset(provisional)
    )


@cache
def load_calendar(path: Path = DATA_FILE) -> WorkCalendar:
    """The shipped (or given) holiday data as a WorkCalendar."""
    return parse_calendar(json.loads(path.read_text(encoding="utf-8")))


def is_workday(day: date, calendar: WorkCalendar | None = None) -> bool:
    return (calendar or load_calendar()).is_workday(day)


def add_workdays(start: date, n: int, calendar: WorkCalendar | None = None) -> date:
    """The n-th working day after `start` (the submission day does not count)."""
    return (calendar or load_calendar()).add_workdays(start, n)


def workdays_between(a: date, b: date, calendar: WorkCalendar | None = None) -> int:
    """Working days after `a` up to and including `b`."""
    return (calendar or load_calendar()).workdays_between(a, b)
