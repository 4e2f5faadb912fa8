"""Who may see which facility: its operators; officers and reviewers see all. Anyone else,
and another operator, gets the same 404 (existence not revealed)."""

from __future__ import annotations

from core.actor import Actor
from core.errors import NotFound
from core.roles import Role
from employers.tables import Facility, FacilityOperator

OFFICER_ROLES = frozenset({Role.HRSS_OFFICER, Role.EDU_OFFICER, Role.HEALTH_REVIEWER, Role.ADMIN})
REVIEWER_ROLES = frozenset({Role.HEALTH_REVIEWER, Role.ADMIN})


def is_officer(actor: Actor) -> bool:
    return actor.role in OFFICER_ROLES


async def operated_ids(actor: Actor) -> list[int]:
    if actor.user_id is None:
        return []
    rows = await FacilityOperator.select(FacilityOperator.facility).where(
        FacilityOperator.user == actor.user_id)
    return [r["facility"] for r in rows]


async def may_see(facility_id: int, actor: Actor) -> bool:
    if is_officer(actor):
        return True
    if actor.role != Role.FACILITY_OPERATOR or actor.user_id is None:
        return False
    return await FacilityOperator.exists().where(
        (FacilityOperator.facility == facility_id) & (FacilityOperator.user == actor.user_id))


async def may_act(facility_id: int, actor: Actor) -> bool:
    """Operators change their own facilities' records; officers only read (and record checks)."""
    return actor.role == Role.FACILITY_OPERATOR and await may_see(facility_id, actor)


async def facility_for(facility_id: int, actor: Actor, *, act: bool = False) -> Facility:
    allowed = await (may_act if act else may_see)(facility_id, actor)
    row = None
    if allowed:
        row = await Facility.objects().output(load_json=True).where(
            Facility.id == facility_id).first()
    if row is None:
        raise NotFound("未找到该托育机构")
    return row
