"""申报条件: the conditions per occupation and edition, and whether an applicant meets them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.errors import ValidationError
from training.eligibility import (
    ApplicantEvidence,
    HeldCertificate,
    WorkPeriod,
    add_years,
    check_eligibility,
    conditions_for,
    work_years,
)

ON = date(2026, 6, 1)


def period(
    start: date, end: date | None = None, occupation: str = "保育师", source: str = "declared"
) -> WorkPeriod:
    return WorkPeriod("宁河区示例托育园", occupation, start, end, source)  # type: ignore[arg-type]


def cert(
    level: int, issued_on: date, status: str = "valid", code: str = "CHILDCARE_WORKER"
) -> HeldCertificate:
    return HeldCertificate(code, level, issued_on, status)


def check(level: int, on: date = ON, occupation: str = "CHILDCARE_WORKER", **evidence):
    return check_eligibility(
        conditions_for(occupation, level, on), ApplicantEvidence(**evidence), on
    )


# --- the table -------------------------------------------------------------------------------


def test_levels_offered_per_occupation():
    for level in (5, 4, 3, 2, 1):
        assert conditions_for("CHILDCARE_WORKER", level, ON).conditions
    for level in (5, 4, 3):
        assert conditions_for("INFANT_CARER", level, ON).conditions
    with pytest.raises(ValidationError, match="育婴员不设二级/技师"):
        conditions_for("INFANT_CARER", 2, ON)
    with pytest.raises(ValidationError, match="婴幼儿发展引导员不设五级/初级工"):
        conditions_for("INFANT_DEVELOPMENT_GUIDE", 5, ON)
    with pytest.raises(ValidationError, match="该职业没有申报条件"):
        conditions_for("SECURITY_LICENSE", 5, ON)


def test_edition_in_force_is_chosen_by_date():
    assert conditions_for("INFANT_DEVELOPMENT_GUIDE", 3, date(2024, 12, 31)).edition == "2021"
    assert conditions_for("INFANT_DEVELOPMENT_GUIDE", 3, date(2025, 1, 1)).edition == "2025"
    with pytest.raises(ValidationError, match="没有生效的申报条件"):
        conditions_for("CHILDCARE_WORKER", 5, date(2000, 1, 1))


def test_conditions_read_as_the_standard_does():
    rules = conditions_for("CHILDCARE_WORKER", 4, ON)
    assert rules.source.startswith("国家职业技能标准 保育师")
    assert [c.description for c in rules.conditions] == [
        "取得本职业（保育师）五级/初级工证书后累计从事本职业或相关职业工作满 4 年",
        "累计从事本职业或相关职业工作满 6 年",
        "具有中等职业学校本专业或相关专业毕业证书或大专及以上本专业或相关专业毕业证书",
    ]


# --- level by level --------------------------------------------------------------------------


def test_level_five_one_year_or_apprenticeship():
    assert check(5, work_periods=(period(date(2025, 6, 2)),)).eligible  # 2025-06-02..2026-06-01
    result = check(5, work_periods=(period(date(2025, 6, 3)),))
    assert not result.eligible
    assert result.missing == [
        "条件 1（累计从事本职业或相关职业工作满 1 年）：工作年限已满 0 年，尚差 1 年",
        "条件 2（本职业学徒期满）：未完成学徒期",
    ]
    assert check(5, apprenticeship=True).met == "本职业学徒期满"


def test_level_four_years_count_from_the_certificate():
    worked = (period(date(2015, 1, 1)),)
    # 11 years of work, but only 3 since the 五级 certificate: condition 1 fails, 2 (6 years) holds.
    result = check(4, work_periods=worked, certificates=(cert(5, date(2023, 6, 1)),))
    assert result.eligible and result.met == "累计从事本职业或相关职业工作满 6 年"
    short = check(
        4, work_periods=(period(date(2021, 1, 1)),), certificates=(cert(5, date(2022, 6, 3)),)
    )
    assert short.missing[0] == (
        "条件 1（取得本职业（保育师）五级/初级工证书后累计从事本职业或相关职业工作满 4 年）："
        "取证后工作年限已满 3 年，尚差 1 年"
    )
    assert check(
        4, work_periods=(period(date(2021, 1, 1)),), certificates=(cert(5, date(2022, 6, 2)),)
    ).eligible


def test_level_four_by_diploma():
    assert check(4, diplomas=frozenset({"vocational_school_in_field"})).eligible
    assert not check(4, diplomas=frozenset({"senior_technical_school"})).eligible


def test_level_three_paths():
    four = (cert(4, date(2024, 1, 1)),)
    assert check(3, certificates=four, diplomas=frozenset({"technician_college"})).eligible
    two_years = (period(date(2020, 1, 1)),)
    assert check(
        3,
        certificates=four,
        work_periods=two_years,
        diplomas=frozenset({"associate_or_above_in_field"}),
    ).eligible
    result = check(3, certificates=four, work_periods=two_years)
    assert not result.eligible and len(result.missing) == 3


def test_levels_two_and_one():
    three = (cert(3, date(2021, 1, 1)),)
    worked = (period(date(2010, 1, 1)),)
    assert check(2, certificates=three, work_periods=worked).eligible
    assert not check(1, certificates=three, work_periods=worked).eligible
    assert check(1, certificates=(cert(2, date(2022, 6, 1)),), work_periods=worked).eligible


def test_certificate_must_count_on_the_day():
    worked = (period(date(2010, 1, 1)),)
    for status in ("revoked", "suspended", "expired"):
        result = check(2, certificates=(cert(3, date(2015, 1, 1), status),), work_periods=worked)
        assert not result.eligible
        assert result.missing[0].endswith("未持有有效的本职业三级/高级工证书")
    future = check(2, certificates=(cert(3, ON + timedelta(days=1)),), work_periods=worked)
    assert not future.eligible
    other = check(
        2, certificates=(cert(3, date(2015, 1, 1), code="INFANT_CARER"),), work_periods=worked
    )
    assert not other.eligible


def test_reissued_certificate_keeps_the_original_date():
    worked = (period(date(2010, 1, 1)),)
    certificates = (cert(3, date(2018, 1, 1), "superseded"), cert(3, date(2025, 1, 1)))
    assert check(2, certificates=certificates, work_periods=worked).eligible
    assert not check(2, certificates=certificates[1:], work_periods=worked).eligible


def test_unrelated_work_does_not_count():
    assert not check(5, work_periods=(period(date(2010, 1, 1), occupation="厨师"),)).eligible
    assert check(5, work_periods=(period(date(2010, 1, 1), occupation="育婴员"),)).eligible


def test_declared_years_are_flagged_for_the_provider():
    declared = check(5, work_periods=(period(date(2020, 1, 1)),))
    recorded = check(5, work_periods=(period(date(2020, 1, 1), source="recorded"),))
    assert declared.relies_on_declared and not recorded.relies_on_declared
    assert declared.declared == ("work_years",) and recorded.declared == ()
    # an apprenticeship or a diploma is the applicant's word too
    apprentice = check(5, apprenticeship=True)
    assert apprentice.relies_on_declared and apprentice.declared == ("apprenticeship",)
    diploma = check(4, diplomas=frozenset({"vocational_school_in_field"}))
    assert diploma.eligible and diploma.declared == ("diplomas",)


def test_a_condition_met_on_recorded_evidence_is_preferred_to_a_declared_one():
    both = check(5, work_periods=(period(date(2020, 1, 1), source="recorded"),),
                 apprenticeship=True)
    assert both.eligible and both.declared == () and not both.relies_on_declared
    # declared work first in the list, apprenticeship second: the first declared one is named
    only_declared = check(5, work_periods=(period(date(2020, 1, 1)),), apprenticeship=True)
    assert only_declared.declared == ("work_years",)


# --- years of work ---------------------------------------------------------------------------


def test_years_are_calendar_anniversaries_for_one_period():
    start = date(2020, 3, 1)
    assert work_years([period(start)], date(2025, 2, 27)) == 4
    assert (
        work_years([period(start)], date(2025, 2, 28)) == 5
    )  # the day before the anniversary ends year 5
    assert (
        work_years([period(date(2020, 2, 29))], date(2021, 2, 27)) == 1
    )  # a year after 29 Feb is 28 Feb


def test_overlapping_periods_count_once_and_gaps_add_up():
    overlapping = [
        period(date(2018, 1, 1), date(2021, 12, 31)),
        period(date(2020, 1, 1), date(2022, 12, 31)),
    ]
    assert work_years(overlapping, ON) == 5
    halves = [
        period(date(2018, 1, 1), date(2018, 6, 30)),
        period(date(2020, 1, 1), date(2020, 7, 2)),
    ]
    assert work_years(halves, ON) == 1  # 181 + 184 days
    assert work_years(halves[:1] + [period(date(2020, 1, 1), date(2020, 7, 1))], ON) == 0


dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2026, 12, 31))


@st.composite
def periods(draw):
    start = draw(dates)
    end = draw(st.none() | st.dates(min_value=start, max_value=date(2026, 12, 31)))
    return period(start, end)


@given(st.lists(periods(), max_size=6), dates)
def test_duplicating_periods_never_adds_years(items, on):
    assert work_years(items + items, on) == work_years(items, on)


@given(periods(), dates, st.integers(min_value=1, max_value=3000))
def test_splitting_a_period_changes_nothing(whole, on, cut):
    end = whole.end or on
    middle = whole.start + timedelta(days=cut)
    if middle >= end:
        return
    pieces = [period(whole.start, middle - timedelta(days=1)), period(middle, whole.end)]
    assert work_years(pieces, on) == work_years([whole], on)


@given(dates, dates)
def test_one_unbroken_period_gives_its_anniversaries(start, on):
    years = work_years([period(start)], on)
    if on < start:
        assert years == 0
    else:
        assert add_years(start, years) <= on + timedelta(days=1) < add_years(start, years + 1)


@given(st.lists(periods(), max_size=4), dates, dates)
def test_years_never_fall_as_time_passes(items, a, b):
    early, late = sorted((a, b))
    assert work_years(items, early) <= work_years(items, late)


evidence = st.builds(
    ApplicantEvidence,
    certificates=st.lists(
        st.builds(
            cert, st.integers(1, 5), dates, st.sampled_from(["valid", "revoked", "superseded"])
        ),
        max_size=3,
    ).map(tuple),
    work_periods=st.lists(periods(), max_size=3).map(tuple),
    diplomas=st.frozensets(
        st.sampled_from(
            [
                "vocational_school_in_field",
                "senior_technical_school",
                "technician_college",
                "associate_or_above_in_field",
            ]
        )
    ),
    apprenticeship=st.booleans(),
)


@given(
    evidence,
    st.sampled_from([5, 4, 3, 2, 1]),
    st.sampled_from(["associate_or_above_in_field", "technician_college"]),
)
def test_more_evidence_never_makes_an_applicant_ineligible(base, level, diploma):
    rules = conditions_for("CHILDCARE_WORKER", level, ON)
    before = check_eligibility(rules, base, ON)
    richer = ApplicantEvidence(
        base.certificates + (cert(level + 1, date(2019, 1, 1)),)
        if level < 5
        else base.certificates,
        base.work_periods + (period(date(2024, 1, 1)),),
        base.diplomas | {diploma},
        True,
    )
    after = check_eligibility(rules, richer, ON)
    assert after.eligible or not before.eligible
    assert before.eligible == (not before.missing)
    if not before.eligible:
        assert len(before.missing) == len(rules.conditions)
