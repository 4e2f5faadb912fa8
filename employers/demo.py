"""Demo data: the operator's compliant, filed facility "宁河区芦台街示例托育园" (one accepted
filing, one health check about to lapse so the forecast shows something), a second facility
that fails, and the demo trainee linked as a caregiver with consent pending."""

from __future__ import annotations

from datetime import date, timedelta

from core import clock, db
from core.actor import Actor
from core.credentials import CheckOutcome, CredentialInput, create_credential
from core.demo import demo_id_number
from core.people import PersonInput
from core.tables import Person, User
from employers.facilities import ClassInput, FacilityInput, StaffTerms
from employers.services import classes, facilities, filings, staff
from employers.tables import Facility

DEMO_PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
SHOWCASE = "宁河区芦台街示例托育园"
# (name, id first 17, education, positions, employment, management years, credentials, class)
SHOWCASE_STAFF = (
    ("周慧", "12022119800211101", "bachelor", ["director"], "full_time", 8,
     [("DIRECTOR_TRAINING", None)], None),
    ("韩雪", "12022119910305102", "associate", ["caregiver"], "full_time", 0,
     [("CHILDCARE_WORKER", 4), ("MENTAL_HEALTH_TRAINING", None)], "A1"),
    ("冯梅", "12022119930618103", "secondary", ["caregiver"], "full_time", 0,
     [("CAREGIVER_TRAINING", None), ("MENTAL_HEALTH_TRAINING", None)], "A1"),
    ("蒋婷", "12022119941120104", "associate", ["caregiver"], "full_time", 0,
     [("INFANT_CARER", 4), ("MENTAL_HEALTH_TRAINING", None)], "B1"),
    ("沈洁", "12022119950907105", "associate", ["caregiver"], "full_time", 0,
     [("CHILDCARE_WORKER", 5), ("MENTAL_HEALTH_TRAINING", None)], "B1"),
    ("杨柳", "12022119870414106", "secondary", ["health"], "part_time", 0,
     [("HEALTH_CARE_TRAINING", None)], None),
    ("郑刚", "12022119820730107", "secondary", ["security"], "full_time", 0,
     [("SECURITY_LICENSE", None)], None),
)
FAILING_STAFF = (
    ("曹琳", "12022119890101108", "associate", ["director"], "full_time", 1, [], None),
    ("彭悦", "12022119960220109", "secondary", ["caregiver"], "full_time", 0,
     [("CAREGIVER_TRAINING", None)], "C1"),
)
TRAINEE_ID = "12022119900315002"  # the demo trainee 李娜 (core.demo)


async def _user_actor(username: str) -> Actor | None:
    row = await User.select(User.id, User.username, User.role).where(
        User.username == username).first()
    return Actor(row["id"], row["username"], row["role"]) if row else None


async def _staff(facility_id: int, people: tuple, actor: Actor, consent_file: bytes,
                 today: date, serial: int) -> dict[str, int]:
    links: dict[str, int] = {}
    for i, (name, first17, education, positions, employment, years, creds, _) in enumerate(people):
        link = await staff.link_person(
            facility_id, PersonInput("居民身份证", demo_id_number(first17), name,
                                     education=education),
            StaffTerms(positions, employment, "full_time" if employment == "full_time"
                       else "part_time", today - timedelta(days=400), years), actor)
        await staff.upload_consent(link.id, consent_file, "同意书.pdf", actor)
        for code, level in creds:
            serial += 1
            await create_credential(CredentialInput(
                person_id=link.person, code=code, level=level, number=f"DEMO-E{serial:05d}",
                issued_on=date(2025, 6, 1), issuer_name="宁河区职业培训学校",
                source="recorded"), actor)
        # One caregiver's health check lapses in 20 days: the forecast shows it.
        checked = today - timedelta(days=345 if i == 1 else 90)
        for code, outcome in (("HEALTH_CERT", CheckOutcome.PASS),
                              ("BACKGROUND_CHECK", CheckOutcome.CLEAR)):
            await staff.record_check(link.id, staff.CheckInput(code, outcome, checked,
                                                               "宁河区医院" if code == "HEALTH_CERT"
                                                               else "宁河区公安分局"),
                                     consent_file, "scan.pdf", actor)
        links[name] = link.id
    return links


async def _classes(facility_id: int, spec: list[tuple[str, str, int]], people: tuple,
                   links: dict[str, int], actor: Actor) -> None:
    ids = {}
    for code, kind, children in spec:
        ids[code] = (await classes.create_class(facility_id, ClassInput(code, kind, children),
                                                actor)).id
    for name, *_, class_code in people:
        if class_code:
            await classes.assign(ids[class_code], links[name], actor)


async def seed_employers(system: Actor) -> None:
    operator = await _user_actor("operator")
    if operator is None or await Facility.exists().where(Facility.name == SHOWCASE):
        return
    today = clock.today()
    async with db.transaction():
        showcase = await facilities.register_facility(FacilityInput(
            SHOWCASE, "91120221MA05T8KX1A", False, "civil_affairs", "宁河区芦台街道光明路18号",
            "芦台街道", ["full_day", "half_day"], 40), operator)
        links = await _staff(showcase.id, SHOWCASE_STAFF, operator, DEMO_PDF, today, 0)
        await _classes(showcase.id, [("A1", "infant", 6), ("B1", "toddler_small", 10)],
                       SHOWCASE_STAFF, links, operator)
        trainee = await Person.objects().where(
            Person.id_number == demo_id_number(TRAINEE_ID)).first()
        if trainee is not None:
            await staff.link_person(showcase.id, PersonInput("居民身份证", trainee.id_number,
                                                             trainee.name),
                                    StaffTerms(["caregiver"], "full_time", "full_time", today),
                                    operator)
        uploads = [filings.Upload(kind, f"{kind}.pdf", DEMO_PDF)
                   for kind in ("licence", "premises", "health_evaluation", "fire_safety")]
        filing = await filings.submit(showcase.id, uploads, "", operator)
        reviewer = await _user_actor("health")
        if reviewer is not None:
            await filings.accept(filing.id, reviewer)

        failing = await facilities.register_facility(FacilityInput(
            "宁河区桥北街童心托育中心", "91120221MA05T8KY08", True, "market_regulation",
            "宁河区桥北街道新华路6号", "桥北街道", ["full_day", "hourly"], 30), operator)
        links = await _staff(failing.id, FAILING_STAFF, operator, DEMO_PDF, today, 100)
        await _classes(failing.id, [("C1", "toddler_large", 16)], FAILING_STAFF, links, operator)
