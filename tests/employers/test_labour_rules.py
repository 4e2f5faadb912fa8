"""Labour-rights rules: contracts, insurance, probation, reminders and cases."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.errors import ValidationError
from employers.labour.records import (
    Case,
    Contract,
    Employment,
    FindingCode,
    Severity,
    WageRecord,
)
from employers.labour.rules import (
    contract_deadline,
    contract_ending_soon,
    findings_for,
    insurance_late,
    max_probation,
    missing_written_contract,
    open_cases,
    probation_too_long,
    tally,
)
from tests.employers.labour_builders import (
    AGENCY_USCC,
    ALL_KINDS,
    DAY,
    TJ_2025,
    D,
    codes,
    fixed,
    full_time,
    part_time,
)

# --- written contract -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "deadline"),
    [
        ("2026-01-15", "2026-02-15"),
        ("2026-01-31", "2026-02-28"),
        ("2024-01-31", "2024-02-29"),
        ("2026-03-31", "2026-04-30"),
        ("2026-12-31", "2027-01-31"),
    ],
)
def test_contract_deadline_is_the_corresponding_day_a_month_on(start: str, deadline: str) -> None:
    assert contract_deadline(full_time(start)) == D(deadline)


@given(st.dates(min_value=D("2000-01-01"), max_value=D("2099-12-31")))
def test_contract_deadline_is_within_a_month_on_the_same_day_or_month_end(start: date) -> None:
    deadline = contract_deadline(full_time(start.isoformat()))
    assert start + 28 * DAY <= deadline <= start + 31 * DAY
    assert deadline.day == start.day or (deadline + DAY).day == 1


def test_no_contract_on_the_last_day_of_the_first_month_is_not_yet_a_finding() -> None:
    assert missing_written_contract(full_time("2026-01-31"), None, D("2026-02-28")) == []


def test_no_contract_the_day_after_owes_double_wages() -> None:
    [finding] = missing_written_contract(full_time("2026-01-31"), None, D("2026-03-01"))
    assert finding.code == FindingCode.NO_WRITTEN_CONTRACT
    assert finding.severity == Severity.VIOLATION
    assert finding.since == D("2026-03-01")
    assert "最迟应于 2026年2月28日 订立书面劳动合同" in finding.message
    assert "截至 2026年3月1日 仍未订立" in finding.message
    assert "二倍工资" in finding.message


def test_contract_signed_on_the_last_day_is_in_time() -> None:
    contract = fixed("2026-01-15", "2027-01-14", signed="2026-02-15")
    assert missing_written_contract(full_time(), contract, D("2026-06-01")) == []


def test_contract_signed_late_names_the_double_wage_days() -> None:
    contract = fixed("2026-01-15", "2027-01-14", signed="2026-03-01")
    [finding] = missing_written_contract(full_time(), contract, D("2026-06-01"))
    assert finding.code == FindingCode.CONTRACT_SIGNED_LATE
    assert "2026年2月16日 至 2026年2月28日（共 13 天）" in finding.message


def test_contract_signed_one_day_late_is_late_with_no_double_wage_days() -> None:
    contract = fixed("2026-01-15", "2027-01-14", signed="2026-02-16")
    [finding] = missing_written_contract(full_time(), contract, D("2026-06-01"))
    assert finding.code == FindingCode.CONTRACT_SIGNED_LATE
    assert "二倍工资" not in finding.message


def test_contract_signed_after_today_counts_as_unsigned() -> None:
    contract = fixed("2026-01-15", "2027-01-14", signed="2026-05-01")
    assert codes(missing_written_contract(full_time(), contract, D("2026-04-01"))) == [
        "NO_WRITTEN_CONTRACT"
    ]


def test_part_time_worker_without_written_contract_is_exempt() -> None:
    assert missing_written_contract(part_time("2025-01-01"), None, D("2026-11-29")) == []


def test_dispatched_worker_needs_a_contract_with_the_agency() -> None:
    employment = Employment(
        "dispatched", D("2026-01-15"), agency_name="宁河劳务派遣公司", agency_uscc=AGENCY_USCC
    )
    [finding] = missing_written_contract(employment, None, D("2026-03-01"))
    assert "宁河劳务派遣公司" in finding.message


def test_employment_ended_within_the_month_owes_nothing() -> None:
    assert missing_written_contract(full_time(end="2026-02-15"), None, D("2026-12-01")) == []


def test_deemed_open_ended_on_the_first_anniversary_not_the_day_before() -> None:
    employment = full_time("2026-01-15")
    assert codes(missing_written_contract(employment, None, D("2027-01-14"))) == [
        "NO_WRITTEN_CONTRACT"
    ]
    findings = missing_written_contract(employment, None, D("2027-01-15"))
    assert codes(findings) == ["NO_WRITTEN_CONTRACT", "DEEMED_OPEN_ENDED"]
    assert findings[1].since == D("2027-01-15")
    # double wages stop the day before
    assert "至 2027年1月14日（共 333 天）" in findings[0].message


def test_leap_day_start_has_its_anniversary_on_28_february() -> None:
    findings = missing_written_contract(full_time("2024-02-29"), None, D("2025-02-28"))
    assert findings[-1].code == FindingCode.DEEMED_OPEN_ENDED
    assert findings[-1].since == D("2025-02-28")


def test_contract_signed_after_the_anniversary_does_not_undo_the_deeming() -> None:
    contract = fixed("2027-02-01", "2028-01-31", signed="2027-02-01")
    found = codes(missing_written_contract(full_time(), contract, D("2027-03-01")))
    assert found == ["CONTRACT_SIGNED_LATE", "DEEMED_OPEN_ENDED"]


# --- social insurance ----------------------------------------------------------------------


def test_insurance_registered_on_day_30_is_in_time_day_31_is_late() -> None:
    employment = full_time("2026-01-15")
    day30, day31 = D("2026-02-14"), D("2026-02-15")
    in_time = dict.fromkeys(ALL_KINDS, day30)
    assert insurance_late(employment, in_time, D("2026-06-01")) == []
    late = {**in_time, "pension": day31}
    [finding] = insurance_late(employment, late, D("2026-06-01"))
    assert finding.code == FindingCode.INSURANCE_REGISTERED_LATE
    assert finding.subject == "insurance:pension"
    assert finding.since == day31
    assert "养老保险最迟应于 2026年2月14日（" in finding.message and "逾期 1 天" in finding.message


def test_unregistered_insurance_is_a_finding_from_day_31_for_every_kind() -> None:
    employment = full_time("2026-01-15")
    assert insurance_late(employment, {}, D("2026-02-14")) == []
    findings = insurance_late(employment, {}, D("2026-02-15"))
    assert [f.subject for f in findings] == [f"insurance:{k}" for k in ALL_KINDS]
    assert {f.code for f in findings} == {FindingCode.INSURANCE_NOT_REGISTERED}


def test_insurance_keys_may_be_chinese_names() -> None:
    registered = {
        "养老": D("2026-01-20"),
        "医疗保险": D("2026-01-20"),
        "失业": D("2026-01-20"),
        "工伤": D("2026-01-20"),
        "生育": None,
    }
    [finding] = insurance_late(full_time(), registered, D("2026-03-01"))
    assert finding.subject == "insurance:maternity"
    with pytest.raises(ValidationError):
        insurance_late(full_time(), {"公积金": D("2026-01-20")}, D("2026-03-01"))


def test_part_time_staff_need_only_injury_insurance() -> None:
    findings = insurance_late(part_time("2026-03-01"), {}, D("2026-06-01"))
    assert [f.subject for f in findings] == ["insurance:injury"]
    assert (
        insurance_late(part_time("2026-03-01"), {"injury": D("2026-03-02")}, D("2026-06-01")) == []
    )


def test_insurance_not_due_when_employment_ended_within_30_days() -> None:
    assert insurance_late(full_time("2026-01-15", end="2026-02-14"), {}, D("2026-06-01")) == []


def test_future_registration_counts_as_missing() -> None:
    registered = dict.fromkeys(ALL_KINDS, D("2026-12-01"))
    findings = insurance_late(full_time(), registered, D("2026-03-01"))
    assert {f.code for f in findings} == {FindingCode.INSURANCE_NOT_REGISTERED}


@given(st.integers(min_value=0, max_value=120))
def test_registration_is_late_exactly_when_more_than_30_days_after_start(offset: int) -> None:
    employment = full_time("2026-01-15")
    registered = dict.fromkeys(ALL_KINDS, employment.start + offset * DAY)
    findings = insurance_late(employment, registered, D("2026-12-31"))
    assert bool(findings) == (offset > 30)


# --- probation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("end", "months"),
    [
        ("2026-03-30", 0),  # 2 months 30 days: under 3 months
        ("2026-03-31", 1),  # exactly 3 months
        ("2026-12-30", 1),
        ("2026-12-31", 2),  # exactly 1 year
        ("2028-12-30", 2),
        ("2028-12-31", 6),  # exactly 3 years
    ],
)
def test_max_probation_by_term(end: str, months: int) -> None:
    assert max_probation(fixed("2026-01-01", end)) == months


def test_max_probation_task_and_open_ended() -> None:
    assert max_probation(Contract("task", D("2026-01-01"), D("2026-01-01"), D("2027-06-30"))) == 0
    assert max_probation(Contract("open_ended", D("2026-01-01"), D("2026-01-01"))) == 6


def test_probation_up_to_the_limit_passes_one_day_over_fails() -> None:
    employment = full_time("2026-01-01")
    ok = fixed("2026-01-01", "2026-12-31", probation_end="2026-02-28")
    assert probation_too_long(ok, employment, D("2026-01-01")) == []
    over = fixed("2026-01-01", "2026-12-31", probation_end="2026-03-01")
    [finding] = probation_too_long(over, employment, D("2026-01-01"))
    assert finding.code == FindingCode.PROBATION_TOO_LONG
    assert finding.since == D("2026-03-01")
    assert "最长 2 个月（至 2026年2月28日）" in finding.message and "超出 1 天" in finding.message


def test_no_probation_in_task_contracts_short_terms_or_part_time() -> None:
    task = Contract("task", D("2026-01-01"), D("2026-01-01"), None, D("2026-01-10"))
    short = fixed("2026-01-01", "2026-03-30", probation_end="2026-01-05")
    for contract in (task, short):
        assert codes(probation_too_long(contract, full_time("2026-01-01"), D("2026-02-01"))) == [
            "PROBATION_NOT_ALLOWED"
        ]
    oral = fixed("2026-03-01", "2027-02-28", probation_end="2026-03-10")
    [finding] = probation_too_long(oral, part_time(), D("2026-04-01"))
    assert finding.code == FindingCode.PROBATION_NOT_ALLOWED and "非全日制" in finding.message


# --- reminders and cases ------------------------------------------------------------------------


def test_contract_ending_within_60_days() -> None:
    today = D("2026-06-01")

    def ending(end: str):
        return contract_ending_soon(fixed("2025-06-01", end), today)

    assert codes(ending("2026-07-31")) == ["CONTRACT_ENDING_SOON"]  # today + 60
    assert ending("2026-08-01") == []  # today + 61
    assert codes(ending("2026-06-01")) == ["CONTRACT_ENDING_SOON"]
    assert ending("2026-05-31") == []
    assert contract_ending_soon(Contract("open_ended", today, today), today) == []


def test_open_cases_are_listed_oldest_first_and_closed_ones_dropped() -> None:
    cases = [
        Case("no_insurance", D("2026-05-01"), "in_progress", ref="c2"),
        Case("wage_arrears", D("2026-03-02"), "open", ref="c1"),
        Case("no_contract", D("2026-01-01"), "closed", "已调解", ref="c0"),
        Case("other", D("2026-12-01"), "open", ref="c3"),
    ]
    findings = open_cases(cases, D("2026-06-01"))
    assert [f.subject for f in findings] == ["case:c1", "case:c2"]
    assert "欠薪案件（2026年3月2日 受理）尚未结案" in findings[0].message


def test_findings_for_aggregates_in_order_and_tags_the_employment() -> None:
    employment = full_time("2026-01-15", ref="staff-7")
    contract = fixed("2026-01-15", "2026-07-14", probation_end="2026-03-14", signed="2026-03-01")
    wages = [
        WageRecord("2026-02", 200000, 200000, D("2026-03-10")),
        WageRecord("2026-01", 300000, 300000),
    ]
    cases = [Case("wage_arrears", D("2026-04-01"), "open")]
    insurance = dict.fromkeys(ALL_KINDS, D("2026-01-20"))
    findings = findings_for(
        employment, contract, insurance, wages, cases, [TJ_2025], D("2026-06-01")
    )
    assert codes(findings) == [
        "CONTRACT_SIGNED_LATE",
        "PROBATION_TOO_LONG",
        "WAGE_BELOW_MINIMUM",
        "CONTRACT_ENDING_SOON",
        "OPEN_CASE",
    ]
    assert {f.ref for f in findings} == {"staff-7"}
    assert tally(findings + findings[:1])["CONTRACT_SIGNED_LATE"] == 2


def test_compliant_employment_has_no_findings() -> None:
    employment = full_time("2026-01-15")
    contract = fixed("2026-01-15", "2029-01-14", probation_end="2026-04-14", signed="2026-01-15")
    insurance = dict.fromkeys(ALL_KINDS, D("2026-02-14"))
    wages = [WageRecord("2026-01", 200000, 140000), WageRecord("2026-02", 300000, 251000)]
    assert (
        findings_for(employment, contract, insurance, wages, [], [TJ_2025], D("2026-03-01")) == []
    )


# --- record validation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: Employment("full_time", D("2026-02-01"), D("2026-01-31")), "end"),
        (lambda: Employment("temporary", D("2026-02-01")), "form"),
        (lambda: Employment("dispatched", D("2026-02-01"), agency_uscc=AGENCY_USCC), "agency_name"),
        (
            lambda: Employment(
                "dispatched",
                D("2026-02-01"),
                agency_name="某公司",
                agency_uscc="91350100M000100Y44",
            ),
            "agency_uscc",
        ),
        (lambda: Contract("fixed", D("2026-01-01"), D("2026-01-01")), "end"),
        (lambda: Contract("open_ended", D("2026-01-01"), D("2026-01-01"), D("2027-01-01")), "end"),
        (lambda: WageRecord("2026-13", 1, 1), "month"),
        (lambda: WageRecord("2026-03", 100, 101), "countable_fen"),
        (lambda: WageRecord("2026-03", True, 0), "gross_fen"),
        (lambda: WageRecord("2026-03", 100, 100, hours=-1), "hours"),
        (lambda: Case("wage_arrears", D("2026-01-01"), "pending"), "status"),
    ],
)
def test_bad_records_are_refused_naming_the_field(build, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        build()
    assert caught.value.field == field
