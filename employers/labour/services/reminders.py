"""Reminders: credentials and health checks expiring within 30/60 days, contracts ending.

For a facility's operator (all its current staff), for the 人社局 (the same items of every
facility, each naming its facility) and for a trainee (their own records). A health check's
last valid day is `health_check_valid_through`, the day every screen uses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from core.tables import Credential, Qualification
from employers.compliance.qualifications import health_check_valid_through
from employers.compliance.rules import rules_in_force
from employers.labour import law, staff
from employers.labour.services.loading import load_files
from employers.labour.staff import StaffRow

WINDOWS = (30, 60)  # days: the two horizons the reminders are grouped by
HEALTH_CODE = "HEALTH_CERT"
BACKGROUND_CODE = "BACKGROUND_CHECK"


@dataclass(frozen=True)
class Reminder:
    kind: str  # credential | health_check | contract
    kind_label: str
    person_name: str
    what: str
    due_on: date
    days_left: int
    staff_link_id: int | None = None
    person_id: int | None = None
    facility_id: int | None = None  # the facility whose staff list it comes from
    facility_name: str = ""

    @property
    def window(self) -> str:
        if self.days_left < 0:
            return "已过期"
        return "30 天内" if self.days_left <= WINDOWS[0] else "60 天内"


async def _names() -> dict[str, str]:
    return {r["code"]: r["name"] for r in await Qualification.select(Qualification.code,
                                                                        Qualification.name)}


async def credential_reminders(person_ids: Sequence[int], names_by_person: dict[int, str],
                               today: date, horizon: int = WINDOWS[-1]) -> list[Reminder]:
    """Valid credentials of these people expiring by today + horizon, and health checks."""
    if not person_ids:
        return []
    names = await _names()
    rows = await Credential.select(
        Credential.person, Credential.code, Credential.level, Credential.number,
        Credential.issued_on, Credential.expires_on, Credential.status, Credential.outcome,
    ).where(Credential.person.is_in(list(person_ids)), Credential.status == "valid")
    last = today + timedelta(days=horizon)
    out: list[Reminder] = []
    latest_health: dict[int, date] = {}
    for row in rows:
        person = row["person"]
        if row["code"] == HEALTH_CODE:
            if row["outcome"] in (None, "pass") and row["issued_on"] <= today:
                latest_health[person] = max(latest_health.get(person, row["issued_on"]),
                                            row["issued_on"])
            continue
        if row["code"] == BACKGROUND_CODE or row["expires_on"] is None:
            continue
        if today <= row["expires_on"] <= last:
            out.append(Reminder(
                "credential", "证书到期", names_by_person.get(person, ""),
                f"{names.get(row['code'], row['code'])}（{row['number']}）", row["expires_on"],
                (row["expires_on"] - today).days, person_id=person,
            ))
    rules = rules_in_force(today)
    for person, checked_on in latest_health.items():
        through = health_check_valid_through(checked_on, rules)
        if through <= last and through >= today - timedelta(days=horizon):
            out.append(Reminder(
                "health_check", "健康检查到期", names_by_person.get(person, ""),
                f"健康检查（{checked_on} 检查）有效期至 {through}", through,
                (through - today).days, person_id=person,
            ))
    return out


async def contract_reminders(links: Sequence[StaffRow], today: date,
                             horizon: int = law.CONTRACT_ENDING_SOON_DAYS) -> list[Reminder]:
    files = await load_files([link.link_id for link in links])
    out = []
    for link in links:
        contracts = files[link.link_id].contracts
        if not contracts or (link.end is not None and link.end < today):
            continue
        current = max(contracts, key=lambda c: c["start"])
        end = current["end"]
        if end is not None and today <= end <= today + timedelta(days=horizon):
            out.append(Reminder("contract", "劳动合同到期", link.name,
                                f"劳动合同（{current['start']} 至 {end}）", end,
                                (end - today).days, link.link_id, person_id=link.person_id,
                                facility_id=link.facility_id))
    return out


async def reminders_of_links(links: Sequence[StaffRow], today: date) -> list[Reminder]:
    """The reminders of each facility's current staff (links not ended before ``today``): per
    facility, its staff's credential and health-check reminders and its links' contract
    reminders, each naming the facility (``facility_id``, ``facility_name``). A person on two
    facilities' staff appears under both, as both operators see them. Sorted by due date,
    facility, person."""
    links = [link for link in links if link.end is None or link.end >= today]
    if not links:
        return []
    names = {link.person_id: link.name for link in links}
    by_person: dict[int, list[Reminder]] = {}
    persons = sorted(names)
    for i in range(0, len(persons), staff.CHUNK):
        for reminder in await credential_reminders(persons[i : i + staff.CHUNK], names, today):
            by_person.setdefault(reminder.person_id or 0, []).append(reminder)
    people: dict[int, set[int]] = {}
    for link in links:
        people.setdefault(link.facility_id, set()).add(link.person_id)
    facilities = await staff.facilities_by_ids(sorted(people))
    out: list[Reminder] = []
    for facility_id, persons in people.items():
        name = facilities[facility_id].name if facility_id in facilities else ""
        for person in persons:
            out += [replace(r, facility_id=facility_id, facility_name=name)
                    for r in by_person.get(person, [])]
    for reminder in await contract_reminders(links, today):
        facility = facilities.get(reminder.facility_id or 0)
        out.append(replace(reminder, facility_name=facility.name if facility else ""))
    return sorted(out, key=lambda r: (r.due_on, r.facility_name, r.facility_id or 0,
                                      r.person_name))


async def facility_reminders(facility_id: int, today: date) -> list[Reminder]:
    """What the facility's operator is reminded of: ``reminders_of_links`` of its staff."""
    return await reminders_of_links(await staff.links_of_facility(facility_id), today)


async def facilities_reminders(facility_ids: Sequence[int], today: date) -> list[Reminder]:
    """The reminders of several facilities (an operator's), each item naming its facility."""
    links: list[StaffRow] = []
    for facility_id in facility_ids:
        links += await staff.links_of_facility(facility_id)
    return await reminders_of_links(links, today)


async def district_reminders(today: date) -> list[Reminder]:
    """Every facility's reminders, district-wide, for the 人社局: exactly the items each
    facility's operator sees (``facility_reminders``), each naming its facility."""
    return await reminders_of_links(await staff.all_links(), today)


async def person_reminders(person_id: int, name: str, today: date) -> list[Reminder]:
    reminders = await credential_reminders([person_id], {person_id: name}, today)
    links = [link for link in await staff.links_of_person(person_id)
             if link.end is None or link.end >= today]
    reminders += await contract_reminders(links, today)
    return sorted(reminders, key=lambda r: r.due_on)


def as_dict(reminder: Reminder) -> dict[str, Any]:
    return {**reminder.__dict__, "window": reminder.window}
