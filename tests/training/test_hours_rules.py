"""Pure rules of class hours: the span bound, the future-date rule and what counts as a clash
(unit and hypothesis property tests)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from core.clock import CHINA
from core.errors import ValidationError
from training.hours_rules import (
    Slot,
    check_clock_time,
    check_session,
    clash,
    max_class_hours,
    minutes_between,
)

TODAY = date(2026, 11, 30)
LATE = datetime.combine(TODAY, time(23, 59), CHINA)  # every session of TODAY is over
times = st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45, 59]))


@given(st.integers(0, 24 * 60), st.integers(1, 120))
def test_max_hours_is_the_rounded_down_quotient(span, minutes):
    most = max_class_hours(span, minutes)
    assert most * minutes <= span < (most + 1) * minutes


@given(times, times, st.integers(1, 12), st.sampled_from([40, 45, 50, 60]))
def test_accepted_sessions_fit_their_span(start, end, hours, minutes):
    try:
        check_session(TODAY, start, end, hours, LATE, minutes)
    except ValidationError as error:
        assert error.field in ("ends_at", "hours")
        assert minutes_between(start, end) <= 0 or hours * minutes > minutes_between(start, end)
    else:
        assert hours * minutes <= minutes_between(start, end)


@given(st.integers(1, 400))
def test_any_future_day_is_refused_naming_both_dates(days):
    held_on = TODAY + timedelta(days=days)
    with pytest.raises(ValidationError) as caught:
        check_session(held_on, time(9), time(12), 4, LATE, 45)
    assert caught.value.field == "held_on"
    assert held_on.isoformat() in caught.value.message and TODAY.isoformat() in caught.value.message


def test_edges_of_the_span_rule():
    check_session(TODAY, time(9), time(12), 4, LATE, 45)  # 180 min = 4 × 45
    with pytest.raises(ValidationError, match="最多记 3 学时"):
        check_session(TODAY, time(9), time(11, 59), 4, LATE, 45)
    with pytest.raises(ValidationError, match="请填写上课时间"):
        check_session(TODAY, None, time(12), 1, LATE, 45)
    with pytest.raises(ValidationError, match="学时应为 1–12 的整数"):
        check_session(TODAY, time(9), time(12), 0, LATE, 45)


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


@given(st.integers(0, 23 * 60 + 58), st.integers(1, 12 * 45))
def test_a_session_today_is_accepted_only_once_it_has_ended(now_minute, span):
    """At any minute of the day, a session of today ending after now is refused naming both
    times; one that ended by now is accepted (the rule reads the China time of ``now``)."""
    now = datetime.combine(TODAY, time(now_minute // 60, now_minute % 60), CHINA)
    end_minute = min(now_minute + 1 + span % 60, 24 * 60 - 1)
    start_minute = end_minute - 45
    assume(start_minute >= 0)
    start, end = (time(m // 60, m % 60) for m in (start_minute, end_minute))
    with pytest.raises(ValidationError) as caught:
        check_session(TODAY, start, end, 1, now, 45)
    assert caught.value.field == "ends_at"
    assert f"{end:%H:%M}" in caught.value.message and f"{now:%H:%M}" in caught.value.message
    if now_minute >= 45:
        done = time(now_minute // 60, now_minute % 60)
        begun = time((now_minute - 45) // 60, (now_minute - 45) % 60)
        check_session(TODAY, begun, done, 1, now, 45)  # ends exactly now: over
        check_session(TODAY - timedelta(days=1), start, end, 1, now, 45)  # yesterday: over


def test_now_is_read_in_china_time():
    """00:30 UTC is 08:30 in China: a class 07:00–08:15 today is over, 08:00–08:45 is not."""
    now = datetime.combine(TODAY, time(0, 30), UTC)
    check_session(TODAY, time(7), time(8, 15), 1, now, 45)
    with pytest.raises(ValidationError, match="08:45 下课，现在是 08:30"):
        check_session(TODAY, time(8), time(8, 45), 1, now, 45)


@pytest.mark.parametrize(("value", "field", "message"), [
    (time(1, 0, tzinfo=UTC), "starts_at", "上课时间不能带时区"),
    (time(9, 0, tzinfo=CHINA), "ends_at", "下课时间不能带时区"),
    (time(9, 0, 59), "starts_at", "上课时间只记到分钟"),
    (time(9, 45, 0, 1), "ends_at", "下课时间只记到分钟"),
])
def test_times_with_an_offset_or_seconds_are_refused_naming_the_field(value, field, message):
    with pytest.raises(ValidationError, match=message) as caught:
        check_clock_time(value, field)
    assert caught.value.field == field
    start, end = (value, time(12)) if field == "starts_at" else (time(8), value)
    with pytest.raises(ValidationError) as caught:
        check_session(TODAY, start, end, 1, LATE, 45)
    assert caught.value.field == field


def test_a_clash_with_a_stored_aware_time_compares_china_wall_times():
    """A row stored before offsets were refused (01:00Z = 09:00 China) clashes with 09:00–12:00
    and does not raise on the aware/naive comparison."""
    legacy = Slot(TODAY, time(1, 0, tzinfo=UTC), time(4, 0, tzinfo=UTC),
                  "theory")
    assert clash(legacy, Slot(TODAY, time(9), time(12), "theory"), same_course=True)
    assert clash(Slot(TODAY, time(11), time(13), "theory"), legacy, same_course=False)
    assert not clash(legacy, Slot(TODAY, time(12), time(13), "theory"), same_course=True)
