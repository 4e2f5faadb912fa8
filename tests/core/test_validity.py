"""The last valid day of a yearly validity (docs/domain.md: HEALTH_CERT, compliance Meanings)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.validity import (
    anniversary,
    anniversary_after_months,
    last_valid_day,
    last_valid_day_after_months,
)

days = st.dates(min_value=date(1901, 1, 1), max_value=date(2399, 12, 31))
years = st.integers(min_value=1, max_value=50)
ONE = timedelta(days=1)


@pytest.mark.parametrize(("start", "through"), [
    (date(2024, 2, 29), date(2025, 2, 28)),
    (date(2024, 3, 1), date(2025, 2, 28)),
    (date(2024, 2, 28), date(2025, 2, 27)),
    (date(2023, 3, 1), date(2024, 2, 29)),
    (date(2025, 11, 30), date(2026, 11, 29)),
    (date(2025, 1, 1), date(2025, 12, 31)),
])
def test_examples(start, through):
    assert last_valid_day(start) == through


def test_feb_29_over_four_years_reaches_feb_28_of_a_leap_year():
    assert last_valid_day(date(2024, 2, 29), 4) == date(2028, 2, 28)
    assert last_valid_day(date(2024, 2, 29), 2) == date(2026, 2, 28)


@given(days, years)
def test_within_the_bounds_of_365_and_366_day_years(start, n):
    through = last_valid_day(start, n)
    assert start + timedelta(days=365 * n - 1) <= through <= start + timedelta(days=366 * n - 1)


@given(days, days, years)
def test_monotone_in_the_start(a, b, n):
    if a <= b:
        assert last_valid_day(a, n) <= last_valid_day(b, n)


@given(days, years)
def test_same_month_and_day_minus_one_when_not_feb_29(start, n):
    if (start.month, start.day) != (2, 29):
        assert last_valid_day(start, n) == start.replace(year=start.year + n) - ONE


@given(st.integers(min_value=1904, max_value=2396).filter(calendar.isleap), years)
def test_feb_29_ends_on_feb_28(year, n):
    through = last_valid_day(date(year, 2, 29), n)
    assert (through.year, through.month, through.day) == (year + n, 2, 28)
    assert anniversary(date(year, 2, 29), n) == (
        date(year + n, 2, 29) if calendar.isleap(year + n) else date(year + n, 3, 1))


@given(days, years)
def test_ends_the_day_before_the_anniversary(start, n):
    after = anniversary(start, n)
    assert last_valid_day(start, n) < after
    assert last_valid_day(start, n) + ONE == after
    assert (after.year, after.month) in ((start.year + n, start.month), (start.year + n, 3))


@given(days, years)
def test_consecutive_periods_tile_without_gap_or_overlap(start, n):
    first = last_valid_day(start, n)
    assert first + ONE == anniversary(start, n)
    assert first >= start


@given(days, st.integers(min_value=1, max_value=50))
def test_whole_years_in_months_agree_with_years(start, n):
    assert last_valid_day_after_months(start, 12 * n) == last_valid_day(start, n)


@given(days, st.integers(min_value=1, max_value=600))
def test_months_within_bounds(start, months):
    after = anniversary_after_months(start, months)
    assert after > start
    index = start.year * 12 + start.month - 1 + months
    if after.day == start.day:
        assert (after.year * 12 + after.month - 1) == index
    else:  # no such day in the target month: the first of the next month
        assert after.day == 1 and (after.year * 12 + after.month - 1) == index + 1


def test_no_validity_shorter_than_a_year_or_month():
    with pytest.raises(ValueError):
        last_valid_day(date(2024, 1, 1), 0)
    with pytest.raises(ValueError):
        last_valid_day_after_months(date(2024, 1, 1), 0)
