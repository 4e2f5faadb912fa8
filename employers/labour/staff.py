"""The employers package's facilities and staff links, as labour records read them.

Read-only: one place knows the employers tables' shape, so a change there is a change here.
A staff link awaiting the person's consent is not employment yet; active and ended links are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from piccolo.query.functions.aggregate import Count
from piccolo.querystring import QueryString

from core.db import engine
from employers.facilities import FilingStatus, LinkStatus
from employers.tables import (
    Facility,
    FacilityClass,
    FacilityOperator,
    StaffLink,
)

EMPLOYED_STATUSES = (LinkStatus.ACTIVE, LinkStatus.ENDED)
FILING_STATES = ((FilingStatus.SUBMITTED, "已提交待审核"), (FilingStatus.RETURNED, "已退回"),
                 (FilingStatus.ACCEPTED, "已备案"))
CHUNK = 900


@dataclass(frozen=True)
class StaffRow:
    link_id: int
    facility_id: int
    person_id: int
    name: str
    sex: str | None
    id_number: str
    phone: str | None
    employment: str  # the link's 用工形式: full_time | part_time | dispatched
    positions: tuple[str, ...]
    start: date
    end: date | None


@dataclass(frozen=True)
class FacilityRow:
    id: int
    name: str
    street: str
    places: int
    toddler_classes: int = 0


LINK_COLUMNS = (
    StaffLink.id, StaffLink.facility, StaffLink.person, StaffLink.person.name,
    StaffLink.person.sex, StaffLink.person.id_number, StaffLink.person.phone,
    StaffLink.employment_form, StaffLink.positions, StaffLink.started_on, StaffLink.ended_on,
)


def _positions(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        import json

        value = json.loads(value or "[]")
    return tuple(value or ())


def _row(r: dict[str, Any]) -> StaffRow:
    return StaffRow(
        link_id=r["id"], facility_id=r["facility"], person_id=r["person"],
        name=r["person.name"], sex=r["person.sex"], id_number=r["person.id_number"],
        phone=r["person.phone"], employment=r["employment_form"] or "full_time",
        positions=_positions(r["positions"]), start=r["started_on"], end=r["ended_on"],
    )


def _links():  # type: ignore[no-untyped-def]
    return StaffLink.select(*LINK_COLUMNS).where(StaffLink.status.is_in(list(EMPLOYED_STATUSES)))


async def get_link(link_id: int) -> StaffRow | None:
    row = await _links().where(StaffLink.id == link_id).first()
    return _row(row) if row else None


async def links_of_facility(facility_id: int) -> list[StaffRow]:
    rows = await _links().where(StaffLink.facility == facility_id).order_by(
        StaffLink.started_on).order_by(StaffLink.id)
    return [_row(r) for r in rows]


async def links_of_person(person_id: int) -> list[StaffRow]:
    return [_row(r) for r in await _links().where(StaffLink.person == person_id)]


async def links_by_ids(ids: Sequence[int]) -> dict[int, StaffRow]:
    out: dict[int, StaffRow] = {}
    for i in range(0, len(ids), CHUNK):
        part = list(ids[i : i + CHUNK])
        for r in await _links().where(StaffLink.id.is_in(part)):
            out[r["id"]] = _row(r)
    return out


async def all_links() -> list[StaffRow]:
    return [_row(r) for r in await _links().order_by(StaffLink.id)]


async def due_link_ids(today: date) -> list[int]:
    """Links never checked, checked on other employment fields, or whose next day has come."""
    rows = await engine().run_querystring(QueryString(
        "SELECT s.id AS id FROM employers_staff_link s "
        "LEFT JOIN labour_check c ON c.staff_link = s.id "
        "WHERE s.status IN ('active', 'ended') AND (c.id IS NULL OR c.checked_on > {} "
        "OR c.next_check_on <= {} OR c.link_employment <> s.employment_form "
        "OR c.link_start <> s.started_on OR c.link_end IS DISTINCT FROM s.ended_on) "
        "ORDER BY s.id", today, today))
    return [r["id"] for r in rows]


async def facilities_of_user(user_id: int | None) -> list[int]:
    if user_id is None:
        return []
    rows = await FacilityOperator.select(FacilityOperator.facility).where(
        FacilityOperator.user == user_id).order_by(FacilityOperator.facility)
    return [r["facility"] for r in rows]


def _facility(r: dict[str, Any]) -> FacilityRow:
    return FacilityRow(id=r["id"], name=r["name"], street=r["street"] or "",
                       places=r["capacity"] or 0)


FACILITY_COLUMNS = (Facility.id, Facility.name, Facility.street, Facility.capacity)


async def get_facility(facility_id: int) -> FacilityRow | None:
    row = await Facility.select(*FACILITY_COLUMNS).where(Facility.id == facility_id).first()
    return _facility(row) if row else None


async def facilities_by_ids(ids: Sequence[int]) -> dict[int, FacilityRow]:
    out: dict[int, FacilityRow] = {}
    for i in range(0, len(ids), CHUNK):
        for r in await Facility.select(*FACILITY_COLUMNS).where(
                Facility.id.is_in(list(ids[i : i + CHUNK]))):
            out[r["id"]] = _facility(r)
    return out


async def facility_ids_in_street(street: str) -> list[int]:
    return [r["id"] for r in await Facility.select(Facility.id).where(Facility.street == street)]


async def streets() -> list[tuple[str, str]]:
    rows = await Facility.select(Facility.street).distinct().order_by(Facility.street)
    return [(r["street"], r["street"]) for r in rows if r["street"]]


async def facility_choices() -> list[tuple[int, str]]:
    rows = await Facility.select(Facility.id, Facility.name).order_by(Facility.name)
    return [(r["id"], r["name"]) for r in rows]


async def kindergartens_with_toddler_classes() -> list[FacilityRow]:
    rows = await Facility.select(*FACILITY_COLUMNS).where(
        Facility.is_kindergarten_with_toddler_class.eq(True)).order_by(Facility.street).order_by(
        Facility.name)
    classes: dict[int, int] = {}
    for r in await FacilityClass.select(FacilityClass.facility).where(
            FacilityClass.active.eq(True)):
        classes[r["facility"]] = classes.get(r["facility"], 0) + 1
    return [FacilityRow(id=r["id"], name=r["name"], street=r["street"] or "",
                        places=r["capacity"] or 0, toddler_classes=classes.get(r["id"], 0))
            for r in rows]


async def caregiver_certification(facility_ids: Sequence[int], day: date,
                                  skill_codes: Sequence[str]) -> dict[int, tuple[int, int]]:
    """Facility -> (caregivers on `day`, of whom certified): one aggregate query.

    Certified: holds a skill certificate (one of `skill_codes`) that counts on `day`."""
    if not facility_ids:
        return {}
    codes = list(skill_codes) or [""]
    rows = await engine().run_querystring(QueryString(
        "SELECT s.facility AS facility, COUNT(DISTINCT s.person) AS caregivers, "
        "COUNT(DISTINCT c.person) AS certified "
        "FROM employers_staff_link s JOIN employers_facility f ON f.id = s.facility "
        "LEFT JOIN credential c ON c.person = s.person AND c.status = 'valid' "
        "AND c.issued_on <= {} AND (c.expires_on IS NULL OR c.expires_on >= {}) "
        f"AND c.code IN ({', '.join('{}' for _ in codes)}) "
        "WHERE f.is_kindergarten_with_toddler_class = {} AND s.status = 'active' "
        "AND s.started_on <= {} AND (s.ended_on IS NULL OR s.ended_on >= {}) "
        "AND CAST(s.positions AS TEXT) LIKE {} GROUP BY s.facility",
        day, day, *codes, True, day, day, '%"caregiver"%'))
    wanted = set(facility_ids)
    return {r["facility"]: (r["caregivers"], r["certified"]) for r in rows
            if r["facility"] in wanted}


async def filing_counts() -> dict[str, int]:
    """Facilities by their filing's current state (``Facility.filing_status``: submitted,
    returned, accepted; ``none`` for never filed): each facility counts once, in the state of
    its latest filing. A filing returned and then resubmitted and accepted counts as accepted,
    not as returned; "returned" means returned now, awaiting resubmission."""
    rows = await Facility.select(Facility.filing_status, Count(alias="n")).group_by(
        Facility.filing_status)
    return {r["filing_status"]: r["n"] for r in rows}


async def accepted_facilities() -> list[FacilityRow]:
    rows = await Facility.select(*FACILITY_COLUMNS).where(
        Facility.filing_status == FilingStatus.ACCEPTED).order_by(Facility.street).order_by(
        Facility.name)
    return [_facility(r) for r in rows]


async def compliant_now(facility_ids: Sequence[int], day: date) -> dict[int, bool]:
    """The employers package keeps each facility's live compliance state; read it."""
    from employers.tables import ComplianceState

    out: dict[int, bool] = {}
    for i in range(0, len(facility_ids), CHUNK):
        for r in await ComplianceState.select(ComplianceState.facility,
                                              ComplianceState.compliant).where(
                ComplianceState.facility.is_in(list(facility_ids[i : i + CHUNK]))):
            out[r["facility"]] = bool(r["compliant"])
    return out
