"""Facilities: registration by operators, editing, listing (own or all), the public list."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from pydantic import BaseModel

from core import audit, clock, db
from core.actor import Actor
from core.errors import Conflict, Forbidden
from core.pagination import Page, offset_of
from core.roles import Role
from employers.facilities import FacilityInput, FilingStatus
from employers.services.access import facility_for, is_officer, operated_ids
from employers.tables import ComplianceState, Facility, FacilityOperator


async def register_facility(data: FacilityInput, actor: Actor) -> Facility:
    """An operator registers a facility and becomes its operator (one transaction)."""
    async with db.transaction():
        if actor.role != Role.FACILITY_OPERATOR:
            raise Forbidden("只有托育机构经办人可以登记机构")
        data = data.normalised()
        if await Facility.exists().where(Facility.uscc == data.uscc):
            raise Conflict("该统一社会信用代码的机构已登记；如需共同管理，请联系该机构经办人添加您",
                           "uscc")
        now = clock.now()
        row = Facility(**asdict(data), filing_status=FilingStatus.NONE, created_by=actor.user_id,
                       created_at=now, updated_at=now)
        await row.save()
        await FacilityOperator(facility=row.id, user=actor.user_id, created_at=now).save()
        await audit.record(actor, "facility.register", "facility", row.id, after=asdict(data))
        from employers.services.rechecks import recheck

        await recheck([row.id])
        return row


async def update_facility(facility_id: int, data: FacilityInput, actor: Actor) -> Facility:
    async with db.transaction():
        row = await facility_for(facility_id, actor, act=True)
        data = data.normalised()
        if data.uscc != row.uscc and await Facility.exists().where(Facility.uscc == data.uscc):
            raise Conflict("该统一社会信用代码的机构已登记", "uscc")
        before = {k: getattr(row, k) for k in asdict(data)}
        for key, value in asdict(data).items():
            setattr(row, key, value)
        row.updated_at = clock.now()
        await row.save()
        await audit.record(actor, "facility.update", "facility", row.id, before=before,
                           after=asdict(data))
        return row


class FacilityListing(BaseModel, frozen=True):
    """A facility as the facility list, its XLSX export and the API (employers.schemas.
    FacilityOut) show it: its registration (name, USCC, profit status, registering authority,
    address and street, service types, capacity, whether it is a kindergarten with a toddler
    class), its filing status (a ``FilingStatus``) and whether it is compliant now (None before
    its first check)."""

    id: int
    name: str
    uscc: str
    for_profit: bool
    registering_authority: str
    address: str
    street: str
    service_types: list[str]
    capacity: int
    is_kindergarten_with_toddler_class: bool
    filing_status: FilingStatus
    compliant: bool | None


async def search(actor: Actor, q: str = "", filing_status: str = "", page: int = 1,
                 per_page: int = 20) -> Page[FacilityListing]:
    """The facilities the actor may see (an officer: all; an operator: those they operate) by
    id, those whose name, USCC or street contains ``q`` and, when given, in ``filing_status``."""
    where = []
    if not is_officer(actor):
        ids = await operated_ids(actor)
        if not ids:
            return Page([], page, per_page, 0, {"q": q, "filing_status": filing_status})
        where.append(Facility.id.is_in(ids))
    if q:
        where.append(db.contains(Facility.name, q) | db.contains(Facility.uscc, q)
                     | db.contains(Facility.street, q))
    if filing_status:
        where.append(Facility.filing_status == filing_status)
    query = Facility.select(
        Facility.id, Facility.name, Facility.uscc, Facility.for_profit,
        Facility.registering_authority, Facility.address, Facility.street,
        Facility.service_types, Facility.capacity, Facility.is_kindergarten_with_toddler_class,
        Facility.filing_status).order_by(Facility.id).output(load_json=True)
    count = Facility.count()
    for clause in where:
        query, count = query.where(clause), count.where(clause)
    total = await count
    rows = await query.limit(per_page).offset(offset_of(page, per_page))
    states = {}
    if rows:
        states = {r["facility"]: r["compliant"] for r in await ComplianceState.select(
            ComplianceState.facility, ComplianceState.compliant).where(
            ComplianceState.facility.is_in([r["id"] for r in rows]))}
    items = [FacilityListing(
        id=r["id"], name=r["name"], uscc=r["uscc"], for_profit=r["for_profit"],
        registering_authority=r["registering_authority"], address=r["address"],
        street=r["street"], service_types=list(r["service_types"]), capacity=r["capacity"],
        is_kindergarten_with_toddler_class=r["is_kindergarten_with_toddler_class"],
        filing_status=FilingStatus(r["filing_status"]), compliant=states.get(r["id"]),
    ) for r in rows]
    return Page(items, page, per_page, total, {"q": q, "filing_status": filing_status})


@dataclass(frozen=True)
class PublicFacility:
    """An accepted (备案) facility as the public list shows it: its name, address and street
    (所在街镇), service types (``full_day``, ``half_day``, ``hourly``, ``temporary``) and
    capacity (核定托位数)."""

    id: int
    name: str
    address: str
    street: str
    service_types: list[str]
    capacity: int


async def public_list(q: str = "", page: int = 1,
                      per_page: int = 20) -> Page[PublicFacility]:
    """信息公示: accepted facilities by name, those whose name or street contains ``q``."""
    query = Facility.select(Facility.id, Facility.name, Facility.address, Facility.street,
                            Facility.service_types, Facility.capacity).where(
        Facility.filing_status == FilingStatus.ACCEPTED).order_by(Facility.name).output(
        load_json=True)
    count = Facility.count().where(Facility.filing_status == FilingStatus.ACCEPTED)
    if q:
        query = query.where(db.contains(Facility.name, q) | db.contains(Facility.street, q))
        count = count.where(db.contains(Facility.name, q) | db.contains(Facility.street, q))
    total = await count
    rows = await query.limit(per_page).offset(offset_of(page, per_page))
    items = [PublicFacility(id=r["id"], name=r["name"], address=r["address"],
                            street=r["street"], service_types=list(r["service_types"]),
                            capacity=r["capacity"]) for r in rows]
    return Page(items, page, per_page, total, {"q": q})
