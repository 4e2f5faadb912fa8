"""The one clock: China dates, frozen in tests, and the nightly expiry that follows it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest


def test_today_is_the_china_date_even_when_the_utc_date_is_yesterday(clock):
    clock.set_now(datetime(2026, 11, 29, 23, 30, tzinfo=UTC))  # 07:30 on 30 Nov in China
    assert clock.today() == date(2026, 11, 30)
    assert clock.now() == datetime(2026, 11, 29, 23, 30, tzinfo=UTC)
    assert clock.now_china().hour == 7
    clock.advance(timedelta(hours=17))  # 16:30 UTC = 00:30 on 1 Dec in China
    assert clock.today() == date(2026, 12, 1)


def test_frozen_block_restores_the_previous_clock(clock):
    clock.set_today(date(2026, 3, 1))
    with clock.frozen(date(2024, 2, 29)):
        assert clock.today() == date(2024, 2, 29)
    assert clock.today() == date(2026, 3, 1)


def test_naive_instants_are_refused(clock):
    with pytest.raises(ValueError):
        clock.set_now(datetime(2026, 1, 1, 8, 0))  # noqa: DTZ001 — the point of the test


def test_china_midnight_and_china_date_of_an_instant(clock):
    start = clock.china_midnight(date(2026, 7, 1))
    assert start == datetime(2026, 6, 30, 16, 0, tzinfo=UTC)
    assert clock.to_china_date(start) == date(2026, 7, 1)
    assert clock.to_china_date(start - timedelta(seconds=1)) == date(2026, 6, 30)
    assert clock.to_china_date(datetime(2026, 6, 30, 16, 0)) == date(2026, 7, 1)  # noqa: DTZ001

