"""The statutory numbers behind the labour-rights rules, each with its source.

Rules read these tables; none of the numbers appears as a literal in `rules.py` or
`wages.py`. A change in the law is a change here (and in its test).
"""

from __future__ import annotations

from employers.labour.records import EmploymentForm, InsuranceKind

# 劳动合同法 第十条、第八十二条: a written contract within one month of the first day of work;
# from the day after, double wages. 劳动合同法实施条例 第七条: after a full year without one,
# double wages stop the day before the anniversary and an open-ended contract is deemed
# concluded on the anniversary.
WRITTEN_CONTRACT_MONTHS = 1
DEEMED_OPEN_ENDED_MONTHS = 12

# 劳动合同法 第十条、第五十八条、第六十九条: full-time staff and (through the agency)
# dispatched staff need a written contract; part-time work may be agreed orally.
WRITTEN_CONTRACT_REQUIRED = {
    EmploymentForm.FULL_TIME: True,
    EmploymentForm.DISPATCHED: True,
    EmploymentForm.PART_TIME: False,
}

# 社会保险法 第五十八条: register within 30 days of the first day of work.
INSURANCE_REGISTRATION_DAYS = 30

# Which registrations the employer must make (for dispatched staff the agency, which is their
# employer: 劳动合同法 第五十八条). Part-time staff: only work-injury insurance is the
# employer's duty (劳社部发〔2003〕12号《关于非全日制用工若干问题的意见》, 社会保险部分);
# the other kinds they may join as flexible workers.
INSURANCE_REQUIRED: dict[EmploymentForm, tuple[InsuranceKind, ...]] = {
    EmploymentForm.FULL_TIME: tuple(InsuranceKind),
    EmploymentForm.DISPATCHED: tuple(InsuranceKind),
    EmploymentForm.PART_TIME: (InsuranceKind.INJURY,),
}

# 劳动合同法 第十九条: (contract term at least N months, longest probation in months), longest
# term first. Task contracts and terms under 3 months: no probation. Open-ended: 6 months.
PROBATION_LIMITS: tuple[tuple[int, int], ...] = (
    (36, 6),
    (12, 2),
    (3, 1),
    (0, 0),
)
OPEN_ENDED_PROBATION_MONTHS = 6
TASK_PROBATION_MONTHS = 0
# 劳动合同法 第七十条: no probation in part-time work.
PART_TIME_PROBATION_MONTHS = 0

# 劳动合同法 第七十二条: part-time pay is settled at least every 15 days.
PART_TIME_PAY_INTERVAL_DAYS = 15

# The registry's own rule (人社局's reminder window), not a statutory period.
CONTRACT_ENDING_SOON_DAYS = 60
