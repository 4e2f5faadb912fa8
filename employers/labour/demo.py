"""Demo labour records on top of the employers demo (facilities and staff links).

For the operator's facility: records, contracts (one missing, one ending soon, one with too
long a probation), insurance (one late), 24 months of wages for a few staff (some months under
the minimum), a part-time worker paid by the hour, an open 欠薪 case. Other facilities get
ordinary records so the district view and dashboards show real numbers.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from core import audit, clock, db
from core.actor import Actor
from core.clock import today
from core.tables import User
from employers.labour import staff
from employers.labour.periods import add_months
from employers.labour.records import InsuranceKind
from employers.labour.services.findings import refresh_all
from employers.labour.services.minimum_wage import seed_minimum_wages
from employers.labour.staff import StaffRow
from employers.labour.tables import (
    InsuranceRegistration,
    LabourCase,
    LabourContract,
    LabourRecord,
    WageEntry,
)

STREET_ADDRESSES = ("天津市宁河区芦台街道光明路", "天津市宁河区桥北街道新华道",
                    "天津市宁河区丰台镇中心街", "天津市宁河区宁河镇北大街")


def _months(start: date, today_: date, count: int = 24) -> list[str]:
    first = max(start.replace(day=1), add_months(today_.replace(day=1), -count))
    months, day = [], first
    while day < today_.replace(day=1):
        months.append(f"{day.year:04d}-{day.month:02d}")
        day = add_months(day, 1)
    return months


def _pay_day(month: str) -> date:
    year, mon = (int(x) for x in month.split("-"))
    return add_months(date(year, mon, 1), 1) + timedelta(days=9)


async def _seed_link(link: StaffRow, index: int, day: date, now: datetime, *,
                     showcase: bool) -> None:
    part_time = link.employment == "part_time"
    await LabourRecord(staff_link=link.link_id, form="part_time" if part_time else "full_time",
                       registered_address=STREET_ADDRESSES[index % 4] + f"{index + 1}号",
                       current_address=STREET_ADDRESSES[(index + 1) % 4] + f"{index + 8}号",
                       contact=link.phone or "", updated_at=now).save()
    no_contract = showcase and index == 1
    if not part_time and not no_contract:
        signed = link.start + timedelta(days=5 if index != 3 else 40)  # index 3 signed late
        if showcase and index == 2:  # ends within 60 days: a reminder and a finding
            end = day + timedelta(days=40)
        else:
            end = add_months(link.start, 36) - timedelta(days=1)
            while end < day:
                end = add_months(end, 36)
        probation = add_months(link.start, 7 if showcase and index == 4 else 2) - timedelta(days=1)
        await LabourContract(staff_link=link.link_id, type="fixed", signed_on=signed,
                             start=link.start, end=max(end, link.start), probation_end=probation,
                             created_at=now).save()
    kinds = (InsuranceKind.INJURY,) if part_time else tuple(InsuranceKind)
    late = showcase and index == 0
    for kind in kinds:
        await InsuranceRegistration(
            staff_link=link.link_id, kind=kind.value,
            registered_on=link.start + timedelta(days=45 if late else 12), created_at=now).save()
    if part_time:  # paid every 14 days (the law: at least every 15)
        pay_date, hours = link.start + timedelta(days=14), 28
        while pay_date <= day:
            low = showcase and day - timedelta(days=28) < pay_date <= day - timedelta(days=14)
            rate = 2500 if low else 2800  # one pay under the ¥26.6 hourly minimum
            await WageEntry(staff_link=link.link_id, month=f"{pay_date:%Y-%m}",
                            gross_fen=rate * hours, countable_fen=rate * hours,
                            pay_date=pay_date, hours_centi=hours * 100, created_at=now).save()
            pay_date += timedelta(days=14)
        return
    months = _months(link.start, day, 24 if showcase or index % 10 == 0 else 3)
    for m, month in enumerate(months):
        countable = 320000 + 1000 * (index % 7)
        if (showcase and index == 4 and m >= len(months) - 2) or (not showcase and index == 7
                                                                  and m == len(months) - 1):
            countable = 240000  # under the monthly minimum
        await WageEntry(staff_link=link.link_id, month=month, gross_fen=countable + 45000,
                        countable_fen=countable, pay_date=_pay_day(month),
                        created_at=now).save()


KINDERGARTEN_STAFF = (("周晓燕", "12022119920311002", 4), ("吴丽娟", "12022119930722004", 5),
                      ("郑雅琴", "12022119950109006", 4), ("冯淑芬", "12022119880916008", None))
TINY_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def _kindergarten(operator_id: int, day: date) -> None:
    """A kindergarten with a 托班 for the 教育局 view, when the employers demo has none.

    Made through the employers services (registration, class, staff links with consent) and
    core credentials, as an operator would make it.
    """
    from core.credentials import CredentialInput, create_credential
    from core.identity import id_check_char, uscc_check_char
    from core.people import PersonInput
    from employers.facilities import ClassInput, FacilityInput, StaffTerms
    from employers.services.classes import assign, create_class
    from employers.services.facilities import register_facility
    from employers.services.staff import link_person, upload_consent
    from employers.tables import Facility

    if await Facility.exists().where(Facility.is_kindergarten_with_toddler_class.eq(True)):
        return
    actor = Actor(operator_id, "operator", "facility_operator")
    first17 = "52120221MJ0000071"
    async with db.transaction():
        facility = await register_facility(FacilityInput(
            name="宁河区芦台第一幼儿园", uscc=first17 + uscc_check_char(first17), for_profit=False,
            registering_authority="education", address="宁河区芦台街道幼儿园路8号",
            street="芦台街道", service_types=["full_day"], capacity=20,
            is_kindergarten_with_toddler_class=True), actor)
        toddlers = await create_class(facility.id, ClassInput("托1", "toddler_large", 14), actor)
        for n, (name, id17, level) in enumerate(KINDERGARTEN_STAFF):
            started = day - timedelta(days=400 + 30 * n)
            link = await link_person(facility.id, PersonInput(
                "居民身份证", id17 + id_check_char(id17), name), StaffTerms(
                ["caregiver"], "full_time", "full_time", started), actor)
            await upload_consent(link.id, TINY_PDF, "同意书.pdf", actor)
            if n < 2:
                await assign(toddlers.id, link.id, actor)
            if level is not None:
                await create_credential(CredentialInput(
                    person_id=link.person, code="CHILDCARE_WORKER", level=level,
                    number=f"DEMO-KG-{n + 1:04d}", issued_on=day - timedelta(days=200 + n),
                    issuer_name="宁河区职业技能评价站", source="recorded"), actor)


async def seed_labour_demo(actor: Actor) -> None:
    day = today()
    now = clock.now()
    await seed_minimum_wages()
    operator = await User.select(User.id).where(User.username == "operator").first()
    mine = await staff.facilities_of_user(operator["id"]) if operator else []
    showcase_facility = mine[0] if mine else None
    if operator:
        await _kindergarten(operator["id"], day)
    links = await staff.all_links()
    async with db.transaction():
        by_facility: dict[int, list[StaffRow]] = {}
        for link in links:
            by_facility.setdefault(link.facility_id, []).append(link)
        for facility_id, members in by_facility.items():
            for index, link in enumerate(sorted(members, key=lambda s: s.link_id)):
                await _seed_link(link, index, day, now, showcase=facility_id == showcase_facility)
        showcase = by_facility.get(showcase_facility or -1, [])
        if showcase:
            await LabourCase(staff_link=showcase[0].link_id, kind="wage_arrears",
                             filed_on=day - timedelta(days=20), status="in_progress",
                             resolution="", created_at=now).save()
        await audit.record(actor, "labour.demo.seed", "labour", "",
                           after={"staff_links": len(links)})
    await refresh_all(day)


