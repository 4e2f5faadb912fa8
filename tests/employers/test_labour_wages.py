"""Labour-rights rules: the minimum wage and the part-time pay interval."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.errors import ValidationError
from employers.labour.minimum_wage import (
    load_minimum_wages,
    minimum_wage_on,
    parse_minimum_wages,
    prorated_monthly_minimum,
)
from employers.labour.records import (
    FindingCode,
    MinimumWage,
    Severity,
    WageRecord,
)
from employers.labour.wages import part_time_pay_interval, wage_below_minimum
from tests.employers.labour_builders import (
    DAY,
    TJ_2025,
    D,
    full_time,
    part_time,
)

# --- minimum wage ------------------------------------------------------------------------------


def test_wage_equal_to_the_minimum_passes_one_fen_less_fails() -> None:
    employment = full_time("2025-01-01")
    assert (
        wage_below_minimum(
            WageRecord("2026-03", 300000, 251000), employment, [TJ_2025], D("2026-04-01")
        )
        == []
    )
    record = WageRecord("2026-03", 300000, 250999, pay_date=D("2026-04-10"))
    [finding] = wage_below_minimum(record, employment, [TJ_2025], D("2026-04-30"))
    assert finding.amount_fen == 1 and finding.since == D("2026-04-10")
    assert (
        "2509.99 元" in finding.message
        and "2510.00 元" in finding.message
        and "差额 0.01 元" in finding.message
    )


def test_partial_first_and_last_months_are_prorated_by_days() -> None:
    first = full_time("2026-04-16")  # 15 of 30 days
    assert (
        wage_below_minimum(WageRecord("2026-04", 125500, 125500), first, [TJ_2025], D("2026-05-01"))
        == []
    )
    [finding] = wage_below_minimum(
        WageRecord("2026-04", 125499, 125499), first, [TJ_2025], D("2026-05-01")
    )
    assert "15/30" in finding.message
    # 10 of 31 days: 251000 × 10 / 31 = 80967.7
    last = full_time("2025-01-01", end="2026-03-10")
    assert prorated_monthly_minimum([TJ_2025], "2026-03", last.start, last.end) == 80968


def test_proration_rounds_half_up_to_the_fen() -> None:
    rows = [MinimumWage(D("2020-01-01"), 15, 1, "测试", "test")]
    # 15 × 14 / 28 = 7.5
    assert prorated_monthly_minimum(rows, "2026-02", D("2026-02-15"), None) == 8


def test_minimum_changing_mid_month_is_weighted_by_days() -> None:
    rows = [
        MinimumWage(D("2020-01-01"), 310000, 1, "测试", "t"),
        MinimumWage(D("2026-01-17"), 341000, 1, "测试", "t"),
    ]
    # 16 days at 3100.00 and 15 days at 3410.00, over 31 days
    assert prorated_monthly_minimum(rows, "2026-01", D("2025-01-01"), None) == 325000


def test_no_finding_outside_employment_or_before_any_minimum() -> None:
    employment = full_time("2026-05-01")
    assert (
        wage_below_minimum(WageRecord("2026-04", 0, 0), employment, [TJ_2025], D("2026-06-01"))
        == []
    )
    assert (
        wage_below_minimum(
            WageRecord("2025-05", 0, 0), full_time("2025-01-01"), [TJ_2025], D("2026-06-01")
        )
        == []
    )


def test_part_time_pay_is_checked_per_hour() -> None:
    employment = part_time("2026-01-01")
    at_minimum = WageRecord("2026-03", 106400, 106400, D("2026-03-15"), hours=40)
    assert wage_below_minimum(at_minimum, employment, [TJ_2025], D("2026-04-01")) == []
    half_hours = WageRecord("2026-03", 99750, 99750, D("2026-03-15"), hours=Decimal("37.5"))
    assert wage_below_minimum(half_hours, employment, [TJ_2025], D("2026-04-01")) == []
    under = WageRecord("2026-03", 106399, 106399, D("2026-03-15"), hours=40)
    [finding] = wage_below_minimum(under, employment, [TJ_2025], D("2026-04-01"))
    assert (
        finding.code == FindingCode.WAGE_BELOW_MINIMUM
        and "小时最低工资标准 26.60 元" in finding.message
    )


def test_part_time_pay_without_hours_is_a_warning() -> None:
    record = WageRecord("2026-03", 50000, 50000, D("2026-03-15"))
    [finding] = wage_below_minimum(record, part_time("2026-01-01"), [TJ_2025], D("2026-04-01"))
    assert finding.code == FindingCode.WAGE_HOURS_MISSING and finding.severity == Severity.WARNING


def test_seed_minimum_wage_rows() -> None:
    rows = load_minimum_wages()
    assert [r.effective_from for r in rows] == sorted(r.effective_from for r in rows)
    assert all(r.source and r.region == "天津市" for r in rows)
    current = minimum_wage_on(rows, D("2025-09-01"))
    assert (current.monthly_fen, current.hourly_fen, current.provisional) == (251000, 2660, False)
    assert minimum_wage_on(rows, D("2025-08-31")).monthly_fen == 232000


def test_minimum_wage_data_with_duplicate_dates_is_refused() -> None:
    row = {
        "region": "天津市",
        "effective_from": "2025-09-01",
        "monthly_fen": 1,
        "hourly_fen": 1,
        "source": "x",
    }
    with pytest.raises(ValidationError):
        parse_minimum_wages({"rows": [row, row]})


@given(
    st.dates(min_value=D("2025-01-01"), max_value=D("2027-12-31")),
    st.integers(min_value=0, max_value=400),
    st.integers(min_value=1, max_value=12),
)
def test_proration_never_exceeds_the_full_minimum(start: date, length: int, month: int) -> None:
    required = prorated_monthly_minimum([TJ_2025], f"2026-{month:02d}", start, start + length * DAY)
    assert required is None or 0 < required <= TJ_2025.monthly_fen
    whole = prorated_monthly_minimum([TJ_2025], f"2026-{month:02d}", D("2025-12-31"), None)
    assert whole == TJ_2025.monthly_fen


# --- part-time pay interval -------------------------------------------------------------------


def pay(day: str) -> WageRecord:
    return WageRecord(day[:7], 1, 1, D(day), hours=0)


def test_part_time_paid_every_15_days_passes_16_fails() -> None:
    employment = part_time("2026-03-01")
    assert (
        part_time_pay_interval(employment, [pay("2026-03-16"), pay("2026-03-31")], D("2026-04-15"))
        == []
    )
    [finding] = part_time_pay_interval(employment, [pay("2026-03-17")], D("2026-03-20"))
    assert finding.since == D("2026-03-17") and "间隔 16 天" in finding.message


def test_part_time_unpaid_for_more_than_15_days_is_a_finding() -> None:
    employment = part_time("2026-03-01")
    assert part_time_pay_interval(employment, [pay("2026-03-16")], D("2026-03-31")) == []
    [finding] = part_time_pay_interval(employment, [pay("2026-03-16")], D("2026-04-01"))
    assert finding.since == D("2026-04-01") and "已 16 天未支付工资" in finding.message
    ended = part_time("2026-03-01", end="2026-03-20")
    assert part_time_pay_interval(ended, [pay("2026-03-16")], D("2026-06-01")) == []
    assert part_time_pay_interval(full_time("2026-03-01"), [], D("2026-06-01")) == []
