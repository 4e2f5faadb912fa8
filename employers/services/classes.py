"""Classes (班级) of a facility and their caregivers (a caregiver is in one class at most)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from core import audit, clock, db
from core.actor import Actor
from core.errors import Conflict, NotFound, ValidationError
from employers.facilities import ClassInput, LinkStatus
from employers.services.access import facility_for
from employers.services.rechecks import recheck
from employers.tables import ClassAssignment, FacilityClass, StaffLink


@dataclass(frozen=True)
class Caregiver:
    """A caregiver assigned to a class: the staff link and the person's name."""

    staff_link_id: int
    name: str


@dataclass(frozen=True)
class ClassView:
    """One active class of a facility (``type`` a class type code, ``children`` enrolled) with
    its caregivers."""

    id: int
    code: str
    type: str
    children: int
    caregivers: list[Caregiver]

    @property
    def caregiver_link_ids(self) -> list[int]:
        """The staff links of its caregivers."""
        return [c.staff_link_id for c in self.caregivers]


async def classes_of(facility_id: int) -> list[ClassView]:
    """The facility's active classes by code, each with its caregivers."""
    classes = await FacilityClass.select(
        FacilityClass.id, FacilityClass.code, FacilityClass.type, FacilityClass.children,
    ).where(
        (FacilityClass.facility == facility_id) & (FacilityClass.active == True)  # noqa: E712
    ).order_by(FacilityClass.code)
    assignments = await ClassAssignment.select(
        ClassAssignment.facility_class, ClassAssignment.staff_link,
        ClassAssignment.staff_link.person.name.as_alias("name"),
    ).where(ClassAssignment.facility_class.is_in([c["id"] for c in classes] or [0]))
    return [ClassView(
        id=c["id"], code=c["code"], type=c["type"], children=c["children"],
        caregivers=[Caregiver(staff_link_id=a["staff_link"], name=a["name"])
                    for a in assignments if a["facility_class"] == c["id"]],
    ) for c in classes]


async def _class_for(class_id: int, actor: Actor) -> FacilityClass:
    row = await FacilityClass.objects().where(
        (FacilityClass.id == class_id) & (FacilityClass.active == True)).first()  # noqa: E712
    if row is None:
        raise NotFound("未找到该班级")
    await facility_for(row.facility, actor, act=True)
    return row


async def create_class(facility_id: int, data: ClassInput, actor: Actor) -> FacilityClass:
    async with db.transaction():
        await facility_for(facility_id, actor, act=True)
        data = data.normalised()
        if await FacilityClass.exists().where(
                (FacilityClass.facility == facility_id) & (FacilityClass.code == data.code)
                & (FacilityClass.active == True)):  # noqa: E712
            raise Conflict("班级编号已存在", "code")
        now = clock.now()
        row = FacilityClass(facility=facility_id, code=data.code, type=data.type,
                            children=data.children, created_at=now, updated_at=now)
        await row.save()
        await audit.record(actor, "class.create", "facility_class", row.id, after=asdict(data))
        await recheck([facility_id])
        return row


async def update_class(class_id: int, data: ClassInput, actor: Actor) -> FacilityClass:
    async with db.transaction():
        row = await _class_for(class_id, actor)
        data = data.normalised()
        if data.code != row.code and await FacilityClass.exists().where(
                (FacilityClass.facility == row.facility) & (FacilityClass.code == data.code)
                & (FacilityClass.active == True)):  # noqa: E712
            raise Conflict("班级编号已存在", "code")
        before = {"code": row.code, "type": row.type, "children": row.children}
        row.code, row.type, row.children = data.code, data.type, data.children
        row.updated_at = clock.now()
        await row.save()
        await audit.record(actor, "class.update", "facility_class", row.id, before=before,
                           after=asdict(data))
        await recheck([row.facility])
        return row


async def close_class(class_id: int, actor: Actor) -> None:
    async with db.transaction():
        row = await _class_for(class_id, actor)
        await ClassAssignment.delete().where(ClassAssignment.facility_class == row.id)
        row.active, row.updated_at = False, clock.now()
        await row.save()
        await audit.record(actor, "class.close", "facility_class", row.id,
                           before={"code": row.code})
        await recheck([row.facility])


async def assign(class_id: int, link_id: int, actor: Actor) -> None:
    """Put a caregiver in a class, moving them out of any other class."""
    async with db.transaction():
        group = await _class_for(class_id, actor)
        link = await StaffLink.objects().output(load_json=True).where(
            (StaffLink.id == link_id) & (StaffLink.facility == group.facility)).first()
        if link is None or link.status == LinkStatus.ENDED:
            raise NotFound("未找到该在职人员", "staff_link_id")
        if "caregiver" not in link.positions:
            raise ValidationError("只有保育人员岗位的人员可以分配到班级", "staff_link_id")
        previous = await ClassAssignment.objects().where(
            ClassAssignment.staff_link == link.id).first()
        if previous is not None:
            if previous.facility_class == group.id:
                return
            await previous.remove()
        await ClassAssignment(facility_class=group.id, staff_link=link.id,
                              created_at=clock.now()).save()
        await audit.record(actor, "class.assign", "facility_class", group.id,
                           before={"from_class": previous.facility_class if previous else None},
                           after={"staff_link": link.id})
        await recheck([group.facility])


async def unassign(class_id: int, link_id: int, actor: Actor) -> None:
    async with db.transaction():
        group = await _class_for(class_id, actor)
        await ClassAssignment.delete().where(
            (ClassAssignment.facility_class == group.id) & (ClassAssignment.staff_link == link_id))
        await audit.record(actor, "class.unassign", "facility_class", group.id,
                           after={"staff_link": link_id})
        await recheck([group.facility])
