"""Wage rules: pay below the minimum wage, part-time pay intervals (pure).

Full-time and dispatched staff: a month's countable pay (excluding overtime pay, shift and
hazard allowances, and the worker's statutory social-insurance and housing-fund
contributions) must reach the monthly minimum, prorated for a partial first or last month
(see `minimum_wage.prorated_monthly_minimum`). Part-time staff: countable pay / hours must
reach the hourly minimum. Pay equal to the minimum passes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from employers.labour.law import PART_TIME_PAY_INTERVAL_DAYS
from employers.labour.minimum_wage import (
    employed_days_in_month,
    hourly_minimum,
    prorated_monthly_minimum,
)
from employers.labour.periods import cn_date, parse_month, round_half_up, yuan
from employers.labour.records import (
    Employment,
    EmploymentForm,
    Finding,
    FindingCode,
    MinimumWage,
    Severity,
    WageRecord,
)


def _month_cn(month: str) -> str:
    first, _ = parse_month(month)
    return f"{first.year}年{first.month}月"


def wage_below_minimum(
    record: WageRecord,
    employment: Employment,
    minimum_wages: Sequence[MinimumWage],
    today: date,
) -> list[Finding]:
    """A finding when the record's countable pay is under the (prorated or hourly) minimum."""
    employed = employed_days_in_month(record.month, employment.start, employment.end)
    if employed is None:
        return []
    since = record.pay_date or parse_month(record.month)[1]
    if employment.form == EmploymentForm.PART_TIME:
        return _hourly_check(record, employment, minimum_wages, employed, since)
    required = prorated_monthly_minimum(
        minimum_wages, record.month, employment.start, employment.end
    )
    if required is None or record.countable_fen >= required:
        return []
    first, last = parse_month(record.month)
    days_employed = (employed[1] - employed[0]).days + 1
    days_in_month = (last - first).days + 1
    basis = (
        "整月"
        if days_employed == days_in_month
        else f"按当月在职 {days_employed}/{days_in_month} 天折算"
    )
    shortfall = required - record.countable_fen
    return [
        Finding(
            code=FindingCode.WAGE_BELOW_MINIMUM,
            severity=Severity.VIOLATION,
            message=(
                f"{_month_cn(record.month)} 计入最低工资的工资为 {yuan(record.countable_fen)}，"
                f"低于最低工资标准 {yuan(required)}（{basis}），差额 {yuan(shortfall)}"
            ),
            since=since,
            ref=employment.ref,
            subject=f"wage:{record.month}",
            amount_fen=shortfall,
        )
    ]


def _hourly_check(
    record: WageRecord,
    employment: Employment,
    minimum_wages: Sequence[MinimumWage],
    employed: tuple[date, date],
    since: date,
) -> list[Finding]:
    if record.hours is None:
        if record.countable_fen == 0:
            return []
        return [
            Finding(
                code=FindingCode.WAGE_HOURS_MISSING,
                severity=Severity.WARNING,
                message=(
                    f"{_month_cn(record.month)} 非全日制工资 {yuan(record.countable_fen)} "
                    "未记录工时，无法核对小时最低工资"
                ),
                since=since,
                ref=employment.ref,
                subject=f"wage:{record.month}",
            )
        ]
    hours = Fraction(Decimal(record.hours))
    row = hourly_minimum(minimum_wages, employed[0], employed[1])
    if row is None or hours == 0:
        return []
    required = row.hourly_fen * hours
    if record.countable_fen >= required:
        return []
    shortfall = round_half_up(required - record.countable_fen)
    rate = round_half_up(Fraction(record.countable_fen) / hours)
    return [
        Finding(
            code=FindingCode.WAGE_BELOW_MINIMUM,
            severity=Severity.VIOLATION,
            message=(
                f"{_month_cn(record.month)} 非全日制工资 {yuan(record.countable_fen)}、"
                f"工时 {Decimal(record.hours).normalize():f} 小时，折合每小时 {yuan(rate)}，"
                f"低于小时最低工资标准 {yuan(row.hourly_fen)}，差额 {yuan(shortfall)}"
            ),
            since=since,
            ref=employment.ref,
            subject=f"wage:{record.month}",
            amount_fen=shortfall,
        )
    ]


def part_time_pay_interval(
    employment: Employment, wages: Iterable[WageRecord], today: date
) -> list[Finding]:
    """Part-time staff must be paid at least every 15 days (劳动合同法 第七十二条).

    The first pay is due within 15 days of the start; each next within 15 days of the one
    before; and while the employment lasts, the last pay must be no more than 15 days ago.
    A gap of exactly 15 days passes; 16 is a finding from the 16th day.
    """
    if employment.form != EmploymentForm.PART_TIME or today < employment.start:
        return []
    limit = timedelta(days=PART_TIME_PAY_INTERVAL_DAYS)
    horizon = min(today, employment.end) if employment.end else today
    paid = sorted(
        {w.pay_date for w in wages if w.pay_date and employment.start <= w.pay_date <= today}
    )
    findings: list[Finding] = []
    previous = employment.start
    for pay_date in paid:
        if pay_date - previous > limit:
            findings.append(_interval_finding(employment, previous, pay_date, paid=True))
        previous = pay_date
    if previous < horizon and horizon - previous > limit:
        findings.append(_interval_finding(employment, previous, horizon, paid=False))
    return findings


def _interval_finding(employment: Employment, previous: date, later: date, paid: bool) -> Finding:
    gap = (later - previous).days
    anchor = "用工开始" if previous == employment.start else "上次支付工资"
    outcome = (
        f"至 {cn_date(later)} 才再次支付工资，间隔 {gap} 天"
        if paid
        else f"截至 {cn_date(later)} 已 {gap} 天未支付工资"
    )
    return Finding(
        code=FindingCode.PART_TIME_PAY_INTERVAL,
        severity=Severity.VIOLATION,
        message=(
            f"非全日制用工自{anchor}（{cn_date(previous)}）起{outcome}，"
            f"超过 {PART_TIME_PAY_INTERVAL_DAYS} 日的最长支付周期"
        ),
        since=previous + timedelta(days=PART_TIME_PAY_INTERVAL_DAYS + 1),
        ref=employment.ref,
        subject="wage:interval",
    )
