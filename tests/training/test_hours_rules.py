"""Pure rules of class hours: the span bound, the future-date rule and what counts as a clash
(unit and hypothesis property tests)."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from core.errors import ValidationError
from training.hours_rules import Slot, check_session, clash, max_class_hours, minutes_between

TODAY = date(2026, 11, 30)
times = st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45, 59]))


@given(st.integers(0, 24 * 60), st.integers(1, 120))
def test_max_hours_is_the_rounded_down_quotient(span, minutes):
    most = max_class_hours(span, minutes)
    assert most * minutes <= span < (most + 1) * minutes


@given(times, times, st.integers(1, 12), st.sampled_from([40, 45, 50, 60]))
def test_accepted_sessions_fit_their_span(start, end, hours, minutes):
    try:
        check_session(TODAY, start, end, hours, TODAY, minutes)
    except ValidationError as error:
        assert error.field in ("ends_at", "hours")
        assert minutes_between(start, end) <= 0 or hours * minutes > minutes_between(start, end)
    else:
        assert hours * minutes <= minutes_between(start, end)


@given(st.integers(1, 400))
def test_any_future_day_is_refused_naming_both_dates(days):
    held_on = TODAY + timedelta(days=days)
    with pytest.raises(ValidationError) as caught:
        check_session(held_on, time(9), time(12), 4, TODAY, 45)
    assert caught.value.field == "held_on"
    assert held_on.isoformat() in caught.value.message and TODAY.isoformat() in caught.value.message


def test_edges_of_the_span_rule():
    check_session(TODAY, time(9), time(12), 4, TODAY, 45)  # 180 min = 4 × 45
    with pytest.raises(ValidationError, match="最多记 3 学时"):
        check_session(TODAY, time(9), time(11, 59), 4, TODAY, 45)
    with pytest.raises(ValidationError, match="请填写上课时间"):
        check_session(TODAY, None, time(12), 1, TODAY, 45)
    with pytest.raises(ValidationError, match="学时应为 1–12 的整数"):
        check_session(TODAY, time(9), time(12), 0, TODAY, 45)


@given(times, times, times, times, st.booleans())
def test_clash_is_symmetric_and_matches_interval_overlap(a1, a2, b1, b2, same_course):
    assume(a1 != a2 and b1 != b2)  # empty spans are refused before any clash check
    a, b = Slot(TODAY, min(a1, a2), max(a1, a2), "theory"), Slot(TODAY, min(b1, b2),
                                                                 max(b1, b2), "practical")
    assert clash(a, b, same_course) == clash(b, a, same_course)
    minutes = {m for m in range(24 * 60)}
    def span(s):  # noqa: E306
        lo = s.starts_at.hour * 60 + s.starts_at.minute
        hi = s.ends_at.hour * 60 + s.ends_at.minute
        return {m for m in minutes if lo <= m < hi}
    assert clash(a, b, same_course) == bool(span(a) & span(b))
    assert not clash(a, Slot(TODAY + timedelta(days=1), a.starts_at, a.ends_at, "theory"), True)


def test_sessions_without_times():
    legacy = Slot(TODAY, None, None, "practical")
    assert clash(legacy, Slot(TODAY, time(9), time(12), "practical"), same_course=True)
    assert not clash(legacy, Slot(TODAY, time(9), time(12), "theory"), same_course=True)
    assert not clash(legacy, Slot(TODAY, time(9), time(12), "practical"), same_course=False)
