"""Who may read or write one staff link's labour records.

Operators: only their own facility's staff links (another facility's answers 404, the same as
a link that does not exist). 人社局 officers and admins: any link, and a change by them is a
correction that must say why.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from core.actor import Actor
from core.errors import NotFound, ValidationError
from core.roles import Role
from employers.labour import staff
from employers.labour.staff import StaffRow

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
CORRECTING_ROLES = frozenset({Role.HRSS_OFFICER, Role.ADMIN})
READING_ROLES = CORRECTING_ROLES | {Role.FACILITY_OPERATOR}


async def can_see_facility(actor: Actor, facility_id: int) -> bool:
    if actor.role in CORRECTING_ROLES:
        return True
    if actor.role != Role.FACILITY_OPERATOR:
        return False
    return facility_id in await staff.facilities_of_user(actor.user_id)


async def link_for(actor: Actor, link_id: int) -> StaffRow:
    row = await staff.get_link(link_id)
    if row is None or not await can_see_facility(actor, row.facility_id):
        raise NotFound("未找到该从业人员")
    return row


def correction_note(actor: Actor, reason: str) -> str:
    """The audit note of a change; officers must give a reason."""
    reason = (reason or "").strip()
    if actor.role in CORRECTING_ROLES and not reason:
        raise ValidationError("主管部门更正记录须填写更正原因", "reason")
    return reason


async def facility_for(actor: Actor, facility_id: int) -> staff.FacilityRow:
    facility = await staff.get_facility(facility_id)
    if facility is None or not await can_see_facility(actor, facility_id):
        raise NotFound("未找到该托育机构")
    return facility


