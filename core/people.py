"""The Person record: one per (证件类型, 证件号码), shared by trainees, holders and staff."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core import audit, clock
from core.actor import Actor
from core.errors import Conflict, NotFound, ValidationError
from core.identity import (
    IdType,
    birth_date_of,
    names_match,
    normalise_id_number,
    normalise_mobile,
    normalise_name,
    sex_of,
)
from core.tables import Person, PersonName

EDUCATION_LEVELS = ("below_secondary", "secondary", "associate", "bachelor", "master_or_above")
EDUCATION_LABELS = {
    "below_secondary": "初中及以下",
    "secondary": "高中/中专",
    "associate": "大专",
    "bachelor": "本科",
    "master_or_above": "硕士及以上",
}


@dataclass(frozen=True)
class PersonInput:
    id_type: str
    id_number: str
    name: str
    phone: str | None = None
    education: str | None = None

    def normalised(self) -> PersonInput:
        id_type = self.id_type or IdType.RESIDENT
        education = self.education or None
        if education is not None and education not in EDUCATION_LEVELS:
            raise ValidationError("学历取值无效", "education")
        return PersonInput(
            id_type=id_type,
            id_number=normalise_id_number(self.id_number, id_type),
            name=normalise_name(self.name),
            phone=normalise_mobile(self.phone) if self.phone else None,
            education=education,
        )


def _derived(id_type: str, id_number: str) -> dict[str, object]:
    if id_type == IdType.PASSPORT:
        return {"sex": None, "birth_date": None}
    return {"sex": sex_of(id_number), "birth_date": birth_date_of(id_number)}


async def find_person(id_type: str, id_number: str) -> Person | None:
    number = normalise_id_number(id_number, id_type)
    return (
        await Person.objects()
        .where((Person.id_type == id_type) & (Person.id_number == number))
        .first()
    )


async def get_person(person_id: int) -> Person:
    person = await Person.objects().where(Person.id == person_id).first()
    if person is None:
        raise NotFound("未找到该人员")
    return person


async def find_or_create_person(data: PersonInput, actor: Actor) -> Person:
    """The Person for this identity; created when new. A different name is refused:
    a name changes only through a correction with evidence (``correct_name``)."""
    data = data.normalised()
    person = (
        await Person.objects()
        .where((Person.id_type == data.id_type) & (Person.id_number == data.id_number))
        .first()
    )
    if person is not None:
        if not names_match(person.name, data.name):
            raise ValidationError("姓名与该证件号码登记的姓名不一致", "name")
        changed = False
        if data.phone and not person.phone:
            person.phone, changed = data.phone, True
        if data.education and not person.education:
            person.education, changed = data.education, True
        if changed:
            person.updated_at = clock.now()
            await person.save()
        return person
    now = clock.now()
    person = Person(
        id_type=data.id_type,
        id_number=data.id_number,
        name=data.name,
        phone=data.phone,
        education=data.education,
        created_at=now,
        updated_at=now,
        **_derived(data.id_type, data.id_number),
    )
    await person.save()
    await audit.record(
        actor,
        "person.create",
        "person",
        person.id,
        after={"name": person.name, "id_type": person.id_type, "id_number": person.id_number},
    )
    return person


async def correct_name(
    person_id: int, new_name: str, evidence: str, on: date, actor: Actor
) -> Person:
    """Record a name correction: the old name is kept with its evidence and approver."""
    person = await get_person(person_id)
    name = normalise_name(new_name)
    if not evidence.strip():
        raise ValidationError("请说明更名依据（如户籍证明编号）", "evidence")
    if names_match(name, person.name):
        raise Conflict("新姓名与现姓名相同", "name")
    old = person.name
    await PersonName(
        person=person.id,
        name=old,
        replaced_on=on,
        evidence=evidence.strip(),
        approved_by=actor.user_id,
        created_at=clock.now(),
    ).save()
    person.name = name
    person.updated_at = clock.now()
    await person.save()
    await audit.record(
        actor,
        "person.correct_name",
        "person",
        person.id,
        before={"name": old},
        after={"name": name},
        note=evidence.strip(),
    )
    return person


async def former_names(person_id: int) -> list[dict]:
    return (
        await PersonName.select()
        .where(PersonName.person == person_id)
        .order_by(PersonName.replaced_on)
    )
