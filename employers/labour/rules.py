"""Labour-rights findings computed from one employment's records (pure).

Every rule takes `today` and returns a list of Findings (empty when all is well).
Periods are counted as the 民法典 counts them (see `periods.py`):
- written contract: the last day to sign is `contract_deadline(employment)`, the corresponding
  day one month after the start (2026-01-15 → 2026-02-15; 2026-01-31 → 2026-02-28). Signed
  on that day is in time; from the next day double wages are owed (劳动合同法 第八十二条).
- no contract by the first anniversary of the start (start + 12 months): an open-ended
  contract is deemed concluded on that day, and double wages stop the day before
  (劳动合同法实施条例 第七条). A contract signed on the anniversary or later does not undo it.
- social insurance: registered by start + 30 days is in time ("day 30"); start + 31 is late.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date, timedelta

from employers.labour import law
from employers.labour.periods import (
    add_months,
    cn_date,
    period_end_days,
    period_end_months,
    term_at_least_months,
)
from employers.labour.records import (
    Case,
    CaseStatus,
    Contract,
    ContractType,
    Employment,
    EmploymentForm,
    Finding,
    FindingCode,
    InsuranceKind,
    MinimumWage,
    Severity,
    WageRecord,
)
from employers.labour.wages import part_time_pay_interval, wage_below_minimum

ONE_DAY = timedelta(days=1)


def _horizon(employment: Employment, today: date) -> date:
    """The last day the employment is looked at: today, or its end when it ended before."""
    return min(today, employment.end) if employment.end else today


def _who(employment: Employment) -> str:
    if employment.form == EmploymentForm.DISPATCHED:
        return f"劳务派遣员工（劳务派遣单位：{employment.agency_name}）"
    return f"{employment.form.label}员工"


def contract_deadline(employment: Employment) -> date:
    """Last day to sign the written contract: one calendar month after the start day."""
    return period_end_months(employment.start, law.WRITTEN_CONTRACT_MONTHS)


def deemed_open_ended_on(employment: Employment) -> date:
    """The first anniversary of the start, when an unsigned contract is deemed open-ended."""
    return add_months(employment.start, law.DEEMED_OPEN_ENDED_MONTHS)


def missing_written_contract(
    employment: Employment, contract: Contract | None, today: date
) -> list[Finding]:
    """No written contract by the deadline (or signed late); deemed open-ended after a year."""
    if not law.WRITTEN_CONTRACT_REQUIRED[employment.form]:
        return []
    deadline = contract_deadline(employment)
    anniversary = deemed_open_ended_on(employment)
    signed = contract.signed_on if contract and contract.signed_on <= today else None
    horizon = _horizon(employment, today)
    double_from = deadline + ONE_DAY
    if (signed is not None and signed <= deadline) or horizon < double_from:
        return []
    who, start = _who(employment), cn_date(employment.start)
    if signed is None:
        last_owed = min(horizon, anniversary - ONE_DAY)
        status = f"截至 {cn_date(horizon)} 仍未订立"
        code = FindingCode.NO_WRITTEN_CONTRACT
    else:
        last_owed = min(signed - ONE_DAY, horizon, anniversary - ONE_DAY)
        status = f"实际于 {cn_date(signed)} 订立"
        code = FindingCode.CONTRACT_SIGNED_LATE
    days = (last_owed - double_from).days + 1
    owed = (
        f"；{cn_date(double_from)} 至 {cn_date(last_owed)}（共 {days} 天）"
        "应向劳动者每月支付二倍工资"
        if days > 0
        else ""
    )
    findings = [
        Finding(
            code=code,
            severity=Severity.VIOLATION,
            message=(
                f"{who}自 {start} 起用工，最迟应于 {cn_date(deadline)} 订立书面劳动合同，"
                f"{status}{owed}"
            ),
            since=double_from,
            ref=employment.ref,
            subject="contract",
        )
    ]
    if horizon >= anniversary and (signed is None or signed >= anniversary):
        findings.append(
            Finding(
                code=FindingCode.DEEMED_OPEN_ENDED,
                severity=Severity.VIOLATION,
                message=(
                    f"{who}自 {start} 起用工满一年（{cn_date(anniversary)}）仍未订立书面劳动合同，"
                    f"视为自 {cn_date(anniversary)} 起已订立无固定期限劳动合同"
                ),
                since=anniversary,
                ref=employment.ref,
                subject="contract",
            )
        )
    return findings


def insurance_deadline(employment: Employment) -> date:
    """Last day to register social insurance: start + 30 days."""
    return period_end_days(employment.start, law.INSURANCE_REGISTRATION_DAYS)


def insurance_late(
    employment: Employment, insurance: Mapping[str, date | None], today: date
) -> list[Finding]:
    """Per required kind: not registered by start + 30 days, or registered after it."""
    registered = {InsuranceKind.parse(key): day for key, day in insurance.items()}
    deadline = insurance_deadline(employment)
    if employment.end is not None and employment.end <= deadline:
        return []  # the employment ended before the period ran out: nothing was due
    horizon = _horizon(employment, today)
    by_agency = (
        f"（由劳务派遣单位{employment.agency_name}办理）"
        if employment.form == EmploymentForm.DISPATCHED
        else ""
    )
    findings: list[Finding] = []
    for kind in law.INSURANCE_REQUIRED[employment.form]:
        day = registered.get(kind)
        if day is not None and day > today:
            day = None  # a registration dated in the future has not happened yet
        if day is not None and day <= deadline:
            continue
        if day is None and horizon <= deadline:
            continue
        if day is None:
            code, status = FindingCode.INSURANCE_NOT_REGISTERED, f"截至 {cn_date(horizon)} 仍未登记"
        else:
            late = (day - deadline).days
            code, status = (
                FindingCode.INSURANCE_REGISTERED_LATE,
                f"实际于 {cn_date(day)} 登记，逾期 {late} 天",
            )
        findings.append(
            Finding(
                code=code,
                severity=Severity.VIOLATION,
                message=(
                    f"{kind.label}保险最迟应于 {cn_date(deadline)}（用工之日起 "
                    f"{law.INSURANCE_REGISTRATION_DAYS} 日内）办理社会保险登记{by_agency}，{status}"
                ),
                since=deadline + ONE_DAY,
                ref=employment.ref,
                subject=f"insurance:{kind.value}",
            )
        )
    return findings


def max_probation(contract: Contract) -> int:
    """Longest lawful probation in months for the contract (0: none may be agreed)."""
    if contract.type == ContractType.TASK:
        return law.TASK_PROBATION_MONTHS
    if contract.type == ContractType.OPEN_ENDED:
        return law.OPEN_ENDED_PROBATION_MONTHS
    assert contract.end is not None  # Contract checks that a fixed term has an end
    for term_months, limit in law.PROBATION_LIMITS:
        if term_at_least_months(contract.start, contract.end, term_months):
            return limit
    return 0


def probation_too_long(
    contract: Contract | None, employment: Employment, today: date
) -> list[Finding]:
    """A probation where none may be agreed, or one ending after the lawful maximum."""
    if contract is None or contract.probation_end is None or contract.signed_on > today:
        return []
    part_time = employment.form == EmploymentForm.PART_TIME
    limit = law.PART_TIME_PROBATION_MONTHS if part_time else max_probation(contract)
    term = (
        f"{contract.type.label}劳动合同（{cn_date(contract.start)} 至 {cn_date(contract.end)}）"
        if contract.end
        else f"{contract.type.label}劳动合同（自 {cn_date(contract.start)} 起）"
    )
    agreed = f"约定试用期至 {cn_date(contract.probation_end)}"
    if limit == 0:
        reason = "非全日制用工" if part_time else term
        return [
            Finding(
                code=FindingCode.PROBATION_NOT_ALLOWED,
                severity=Severity.VIOLATION,
                message=f"{reason}不得约定试用期，但{agreed}",
                since=contract.start,
                ref=employment.ref,
                subject="contract",
            )
        ]
    allowed_last = add_months(contract.start, limit) - ONE_DAY
    if contract.probation_end <= allowed_last:
        return []
    return [
        Finding(
            code=FindingCode.PROBATION_TOO_LONG,
            severity=Severity.VIOLATION,
            message=(
                f"{term}试用期最长 {limit} 个月（至 {cn_date(allowed_last)}），{agreed}，"
                f"超出 {(contract.probation_end - allowed_last).days} 天"
            ),
            since=allowed_last + ONE_DAY,
            ref=employment.ref,
            subject="contract",
        )
    ]


def contract_ending_soon(
    contract: Contract | None, today: date, days: int = law.CONTRACT_ENDING_SOON_DAYS
) -> list[Finding]:
    """A reminder when the contract's last day is between today and today + `days`."""
    if contract is None or contract.end is None:
        return []
    if not today <= contract.end <= today + timedelta(days=days):
        return []
    left = (contract.end - today).days
    return [
        Finding(
            code=FindingCode.CONTRACT_ENDING_SOON,
            severity=Severity.INFO,
            message=(
                f"劳动合同将于 {cn_date(contract.end)} 到期（还有 {left} 天），"
                "请及时办理续订或终止手续"
            ),
            since=contract.end - timedelta(days=days),
            subject="contract",
        )
    ]


def open_cases(cases: Iterable[Case], today: date) -> list[Finding]:
    """Every case filed by today and not closed, oldest first."""
    findings = []
    for case in sorted(cases, key=lambda c: c.filed_on):
        if case.status == CaseStatus.CLOSED or case.filed_on > today:
            continue
        findings.append(
            Finding(
                code=FindingCode.OPEN_CASE,
                severity=Severity.WARNING,
                message=(
                    f"{case.kind.label}案件（{cn_date(case.filed_on)} 受理）尚未结案，"
                    f"当前状态：{case.status.label}，已 {(today - case.filed_on).days} 天"
                ),
                since=case.filed_on,
                ref=case.ref,
                subject=f"case:{case.ref or case.kind.value}",
            )
        )
    return findings


def findings_for(
    employment: Employment,
    contract: Contract | None,
    insurance: Mapping[str, date | None],
    wages: Sequence[WageRecord],
    cases: Iterable[Case],
    minimum_wages: Sequence[MinimumWage],
    today: date,
) -> list[Finding]:
    """All findings for one employment, in a stable order; each carries `employment.ref`."""
    findings = missing_written_contract(employment, contract, today)
    findings += insurance_late(employment, insurance, today)
    findings += probation_too_long(contract, employment, today)
    for record in sorted(wages, key=lambda w: (w.month, w.pay_date or date.min)):
        findings += wage_below_minimum(record, employment, minimum_wages, today)
    findings += part_time_pay_interval(employment, wages, today)
    if employment.end is None or employment.end >= today:
        findings += contract_ending_soon(contract, today)
    findings += open_cases(cases, today)
    return [replace(f, ref=employment.ref) for f in findings]


def tally(findings: Iterable[Finding]) -> dict[str, int]:
    """Count of findings per code (for a facility's or the district's summary), by code."""
    return dict(sorted(Counter(str(f.code) for f in findings).items()))
