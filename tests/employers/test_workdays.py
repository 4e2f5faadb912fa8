"""Working-day calendar (filing deadlines): the seeded notices, deadlines, properties."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.errors import ValidationError
from employers.workdays import (
    WorkCalendar,
    add_workdays,
    is_workday,
    load_calendar,
    parse_calendar,
    workdays_between,
)

D = date.fromisoformat
SEEDED = st.dates(min_value=D("2025-01-01"), max_value=D("2027-11-30"))


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2025-01-26", True),  # Sunday worked before the 2025 Spring Festival
        ("2025-01-28", False),  # 除夕, a holiday since 2025
        ("2025-02-08", True),
        ("2025-10-08", False),
        ("2025-10-11", True),
        ("2026-01-02", False),
        ("2026-01-04", True),
        ("2026-02-14", True),
        ("2026-02-23", False),
        ("2026-02-28", True),
        ("2026-05-09", True),
        ("2026-06-19", False),
        ("2026-09-20", True),
        ("2026-10-07", False),
        ("2026-10-10", True),
        ("2026-11-27", True),  # an ordinary Friday
        ("2026-11-28", False),  # an ordinary Saturday
        # provisional 2027: in-lieu day for the Spring Festival falling on a weekend
        ("2027-02-09", False),
    ],
)
def test_seeded_notices(day: str, expected: bool) -> None:
    assert is_workday(D(day)) is expected


def test_every_seeded_year_names_its_source_and_2027_is_provisional() -> None:
    calendar = load_calendar()
    assert calendar.years == {2025, 2026, 2027}
    assert calendar.provisional_years == {2027}
    assert not calendar.is_provisional(D("2026-06-01"))
    assert calendar.is_provisional(D("2027-06-01")) and calendar.is_provisional(D("2028-06-01"))
    assert not calendar.covers(D("2028-01-03"))


def test_working_days_per_year_match_the_notices() -> None:
    assert workdays_between(D("2024-12-31"), D("2025-12-31")) == 248
    assert workdays_between(D("2025-12-31"), D("2026-12-31")) == 248


@pytest.mark.parametrize(
    ("submitted", "n", "deadline"),
    [
        ("2026-09-18", 5, "2026-09-24"),  # Sunday 9-20 is a make-up working day
        ("2026-09-30", 5, "2026-10-13"),  # across National Day, Saturday 10-10 worked
        ("2026-02-06", 15, "2026-03-05"),  # across the Spring Festival
        ("2026-11-28", 1, "2026-11-30"),  # submitted on a Saturday
        ("2026-11-30", 1, "2026-12-01"),  # the submission day itself never counts
        ("2026-11-30", 0, "2026-11-30"),
    ],
)
def test_add_workdays(submitted: str, n: int, deadline: str) -> None:
    assert add_workdays(D(submitted), n) == D(deadline)


def test_negative_workdays_are_refused() -> None:
    with pytest.raises(ValidationError):
        add_workdays(D("2026-11-30"), -1)


def test_workdays_between_counts_after_a_up_to_b() -> None:
    assert workdays_between(D("2026-11-27"), D("2026-11-27")) == 0
    assert workdays_between(D("2026-11-27"), D("2026-11-30")) == 1
    assert workdays_between(D("2026-11-30"), D("2026-11-27")) == -1


def test_calendar_refuses_a_day_both_holiday_and_workday() -> None:
    with pytest.raises(ValidationError):
        WorkCalendar(frozenset({D("2026-01-03")}), frozenset({D("2026-01-03")}))


@pytest.mark.parametrize(
    "entry",
    [
        {"source": "x", "holidays": [], "makeup_workdays": ["2026-01-05"]},  # a Monday
        {"holidays": [], "makeup_workdays": []},  # no source
        {"source": "x", "holidays": [{"name": "y", "from": "2026-01-03", "to": "2026-01-01"}]},
    ],
)
def test_bad_calendar_data_is_refused(entry: dict) -> None:
    with pytest.raises(ValidationError):
        parse_calendar({"years": {"2026": entry}})


@given(SEEDED, st.integers(min_value=1, max_value=40))
def test_add_workdays_lands_on_a_workday_after_start(start: date, n: int) -> None:
    deadline = add_workdays(start, n)
    assert deadline > start
    assert is_workday(deadline)
    assert workdays_between(start, deadline) == n
    assert add_workdays(start, n + 1) > deadline


@given(SEEDED, SEEDED)
def test_workdays_between_is_antisymmetric(a: date, b: date) -> None:
    assert workdays_between(a, b) == -workdays_between(b, a)
