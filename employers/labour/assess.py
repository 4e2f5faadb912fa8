"""All findings of one employment with several contracts, and when they may next change (pure).

`findings_for` in rules.py takes one contract; a staff link may have renewals. Here the first
contract (earliest signed) answers the written-contract rule, every contract is checked for
probation, and the current one (latest start) for ending soon.

The district-wide views read findings computed in advance (`LabourFinding`). They are
recomputed when a record changes, and otherwise on the first day the rules could answer
differently: a deadline passing, a contract entering its last 60 days or ending, a dated
registration, pay or case coming into effect. This module lists those days from the records;
a view recomputes every staff link whose day has come before it reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date, timedelta

from employers.labour import law
from employers.labour.records import (
    Case,
    Contract,
    Employment,
    EmploymentForm,
    Finding,
    MinimumWage,
    WageRecord,
)
from employers.labour.rules import (
    contract_deadline,
    contract_ending_soon,
    deemed_open_ended_on,
    insurance_deadline,
    insurance_late,
    missing_written_contract,
    open_cases,
    probation_too_long,
)
from employers.labour.wages import part_time_pay_interval, wage_below_minimum

ONE_DAY = timedelta(days=1)


def change_days(
    employment: Employment,
    contracts: Sequence[Contract],
    insurance: Mapping[str, date | None],
    wages: Iterable[WageRecord],
    cases: Iterable[Case],
) -> set[date]:
    """Every day on which a rule's answer for these records may differ from the day before."""
    days = {
        employment.start,
        contract_deadline(employment) + ONE_DAY,
        deemed_open_ended_on(employment),
        insurance_deadline(employment) + ONE_DAY,
    }
    if employment.end is not None:
        days.add(employment.end + ONE_DAY)
    for contract in contracts:
        days.add(contract.signed_on)
        if contract.end is not None:
            days.add(contract.end - timedelta(days=law.CONTRACT_ENDING_SOON_DAYS))
            days.add(contract.end + ONE_DAY)
    days.update(day for day in insurance.values() if day is not None)
    pay_dates = sorted({w.pay_date for w in wages if w.pay_date is not None})
    days.update(pay_dates)
    if employment.form == EmploymentForm.PART_TIME:
        gap = timedelta(days=law.PART_TIME_PAY_INTERVAL_DAYS) + ONE_DAY
        days.add(employment.start + gap)
        days.update(day + gap for day in pay_dates)
    days.update(case.filed_on for case in cases)
    return days


def next_change_on(
    employment: Employment,
    contracts: Sequence[Contract],
    insurance: Mapping[str, date | None],
    wages: Iterable[WageRecord],
    cases: Iterable[Case],
    today: date,
) -> date | None:
    """The first day after `today` on which the findings may change; None when none is known."""
    later = [d for d in change_days(employment, contracts, insurance, wages, cases) if d > today]
    return min(later, default=None)


def assess(
    employment: Employment,
    contracts: Sequence[Contract],
    insurance: Mapping[str, date | None],
    wages: Sequence[WageRecord],
    cases: Sequence[Case],
    minimum_wages: Sequence[MinimumWage],
    today: date,
) -> list[Finding]:
    """Every finding for one employment, each carrying `employment.ref`, in a stable order."""
    ordered = sorted(contracts, key=lambda c: (c.signed_on, c.start))
    first = ordered[0] if ordered else None
    current = max(ordered, key=lambda c: c.start, default=None)
    findings = missing_written_contract(employment, first, today)
    findings += insurance_late(employment, insurance, today)
    for contract in ordered:
        findings += probation_too_long(contract, employment, today)
    # A full-time month's countable pay at or above every standard ever in force cannot be
    # under the (prorated) minimum: skip the day-by-day proration for it.
    ceiling = max((row.monthly_fen for row in minimum_wages), default=0)
    for record in sorted(wages, key=lambda w: (w.month, w.pay_date or date.min)):
        if employment.form != EmploymentForm.PART_TIME and record.countable_fen >= ceiling:
            continue
        findings += wage_below_minimum(record, employment, minimum_wages, today)
    findings += part_time_pay_interval(employment, wages, today)
    if employment.end is None or employment.end >= today:
        findings += contract_ending_soon(current, today)
    findings += open_cases(cases, today)
    return [replace(f, ref=employment.ref) for f in findings]
