"""The local minimum wage as dated data: loading, look-up by date, proration (pure but for
reading the shipped data file).

The rows live in `employers/labour/data/minimum_wage.json`; officers add a row when the
municipality announces a new standard. Proration of a partial first or last month:

    minimum for the month = Σ over the days employed in the month of (monthly minimum in force
    that day) / days in the month, rounded half up to the fen

which is "minimum × days employed / days in month" when one standard covers the month, and
weighs the two standards by days when one changes mid-month. Days before the first row
contribute nothing. A full month is exactly the monthly minimum.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from fractions import Fraction
from functools import cache
from itertools import pairwise
from pathlib import Path

from core.errors import ValidationError
from employers.labour.periods import overlap_days, parse_month, round_half_up
from employers.labour.records import MinimumWage

DATA_FILE = Path(__file__).parent / "data" / "minimum_wage.json"
DEFAULT_REGION = "天津市"


def parse_minimum_wages(
    document: dict, region: str | None = DEFAULT_REGION
) -> tuple[MinimumWage, ...]:
    """Rows of the data document (for `region`, or all when None), oldest first."""
    rows: list[MinimumWage] = []
    for index, raw in enumerate(document.get("rows", [])):
        field = f"rows[{index}]"
        try:
            row = MinimumWage(
                effective_from=date.fromisoformat(raw["effective_from"]),
                monthly_fen=raw["monthly_fen"],
                hourly_fen=raw["hourly_fen"],
                region=raw["region"],
                source=raw["source"],
                provisional=bool(raw.get("provisional", False)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValidationError(
                f"最低工资数据第 {index + 1} 行不完整或格式错误：{exc}", field
            ) from None
        if region is None or row.region == region:
            rows.append(row)
    rows.sort(key=lambda r: (r.region, r.effective_from))
    for earlier, later in pairwise(rows):
        if earlier.region == later.region and earlier.effective_from == later.effective_from:
            raise ValidationError(
                f"最低工资数据中 {later.region} 有两行生效日期同为 {later.effective_from}",
                "effective_from",
            )
    return tuple(rows)


@cache
def load_minimum_wages(
    path: Path = DATA_FILE, region: str | None = DEFAULT_REGION
) -> tuple[MinimumWage, ...]:
    """The shipped (or given) data file's rows for `region`, oldest first."""
    return parse_minimum_wages(json.loads(path.read_text(encoding="utf-8")), region)


def minimum_wage_on(minimum_wages: Iterable[MinimumWage], day: date) -> MinimumWage | None:
    """The row in force on `day`: the latest whose effective_from ≤ day (one region's rows)."""
    in_force = [row for row in minimum_wages if row.effective_from <= day]
    return max(in_force, key=lambda row: row.effective_from, default=None)


def employed_days_in_month(month: str, start: date, end: date | None) -> tuple[date, date] | None:
    """The first and last day employed within `month`, or None when not employed in it."""
    first, last = parse_month(month)
    if overlap_days(first, last, start, end or last) == 0:
        return None
    return max(first, start), min(last, end or last)


def prorated_monthly_minimum(
    minimum_wages: Sequence[MinimumWage], month: str, start: date, end: date | None
) -> int | None:
    """The countable pay an employment from `start` to `end` must reach for `month` (fen).

    None when not employed in the month or no minimum was in force on any day employed.
    """
    employed = employed_days_in_month(month, start, end)
    if employed is None:
        return None
    first_of_month, last_of_month = parse_month(month)
    days_in_month = (last_of_month - first_of_month).days + 1
    total, any_row = 0, False
    day = employed[0]
    while day <= employed[1]:
        row = minimum_wage_on(minimum_wages, day)
        if row is not None:
            total += row.monthly_fen
            any_row = True
        day += timedelta(days=1)
    if not any_row:
        return None
    return round_half_up(Fraction(total, days_in_month))


def hourly_minimum(
    minimum_wages: Sequence[MinimumWage], first: date, last: date
) -> MinimumWage | None:
    """The row with the lowest hourly minimum in force on any day from `first` to `last`.

    Hours are not dated within a pay period, so when the standard changes inside it the
    employer gets the benefit of the doubt: a finding must hold whichever day the hours fell on.
    """
    rows = [r for r in minimum_wages if r.effective_from <= last]
    current = minimum_wage_on(rows, first)
    candidates = [r for r in rows if r.effective_from > first] + ([current] if current else [])
    return min(candidates, key=lambda r: r.hourly_fen, default=None)
