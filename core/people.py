"""The Person record: one per (证件类型, 证件号码), shared by trainees, holders and staff."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from pydantic import BaseModel

from core import audit, clock, db
from core.actor import Actor
from core.errors import Conflict, NotFound, ValidationError
from core.identity import (
    IdType,
    birth_date_of,
    mask_id_number,
    names_match,
    normalise_id_number,
    normalise_mobile,
    normalise_name,
    sex_of,
)
from core.name_rules import name_problem
from core.pagination import Page, clamp_page
from core.tables import Person, PersonIdNumber, PersonName

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


async def _by_number(id_type: str, number: str) -> Person | None:
    """The Person holding this (already normalised) number as their own or as a linked one."""
    person = (
        await Person.objects()
        .where((Person.id_type == id_type) & (Person.id_number == number))
        .first()
    )
    if person is not None:
        return person
    link = (
        await PersonIdNumber.select(PersonIdNumber.person)
        .where((PersonIdNumber.id_type == id_type) & (PersonIdNumber.id_number == number))
        .first()
    )
    return await Person.objects().where(Person.id == link["person"]).first() if link else None


async def find_person(id_type: str, id_number: str) -> Person | None:
    """The Person with this number, their own or one linked to them (``link_id_number``).

    Raises ValidationError (422, field ``id_number``) when the number is malformed."""
    return await _by_number(id_type, normalise_id_number(id_number, id_type))


async def get_person(person_id: int) -> Person:
    person = await Person.objects().where(Person.id == person_id).first()
    if person is None:
        raise NotFound("未找到该人员")
    return person


async def find_or_create_person(data: PersonInput, actor: Actor) -> Person:
    """The Person for this identity (found by their own number or a linked one); created when
    new. A different name is refused: a name changes only through a correction with evidence
    (``correct_name``). An existing Person bound provisionally to a self-registered account is
    corroborated or disputed by this record (``core.claims.corroboration``)."""
    data = data.normalised()
    person = await _by_number(data.id_type, data.id_number)
    if person is not None:
        if not names_match(person.name, data.name):
            raise ValidationError("姓名与该证件号码登记的姓名不一致", "name")
        # PIPL art. 51: an organisation's first record corroborates or undoes a self-registered
        # account's provisional binding, in this same transaction (core.claims.corroboration)
        from core.claims.corroboration import on_recorded  # core.claims imports this module

        await on_recorded(person, data.phone, actor)
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


@dataclass(frozen=True)
class NameChange:
    """A former name: the name, the day it was replaced, the evidence for the change and the
    user id of the officer who approved it (None when not recorded)."""

    name: str
    replaced_on: date
    evidence: str
    approved_by: int | None = None


async def former_names(person_id: int) -> list[NameChange]:
    """The person's former names (``correct_name``), oldest replacement first."""
    rows = await PersonName.select(
        PersonName.name, PersonName.replaced_on, PersonName.evidence, PersonName.approved_by,
    ).where(PersonName.person == person_id).order_by(PersonName.replaced_on)
    return [NameChange(name=r["name"], replaced_on=r["replaced_on"], evidence=r["evidence"],
                       approved_by=r["approved_by"]) for r in rows]


class PersonRecord(BaseModel, frozen=True):
    """A person in full, as only the person or an entitled officer sees them (their profile
    page, the officer's person page and GET /api/v1/people/{id}: core.people_controllers
    .PersonOut): the ID document (number unmasked), name, sex and birth date, phone (None when
    none is known), education (an ``EDUCATION_LEVELS`` code or None) and former names, oldest
    first."""

    id: int
    id_type: str
    id_number: str
    name: str
    sex: str | None
    birth_date: date | None
    phone: str | None
    education: str | None
    former_names: list[NameChange]


async def person_record(person_id: int) -> PersonRecord:
    """The person ``person_id`` in full with their former names (NotFound if none)."""
    person = await get_person(person_id)
    return PersonRecord(
        id=person.id, id_type=person.id_type, id_number=person.id_number, name=person.name,
        sex=person.sex, birth_date=person.birth_date, phone=person.phone or None,
        education=person.education,
        former_names=await former_names(person.id))


@dataclass(frozen=True)
class LinkedNumber:
    """A further identity number linked to a person (``link_id_number``): its type, the
    number, the officer's note and when it was linked."""

    id: int
    id_type: str
    id_number: str
    note: str
    created_at: datetime


async def id_numbers(person_id: int) -> list[LinkedNumber]:
    """The further numbers linked to a person, oldest first."""
    rows = await PersonIdNumber.select(
        PersonIdNumber.id, PersonIdNumber.id_type, PersonIdNumber.id_number,
        PersonIdNumber.note, PersonIdNumber.created_at,
    ).where(PersonIdNumber.person == person_id).order_by(PersonIdNumber.id)
    return [LinkedNumber(id=r["id"], id_type=r["id_type"], id_number=r["id_number"],
                         note=r["note"], created_at=r["created_at"]) for r in rows]


async def link_id_number(
    person_id: int, id_type: str, id_number: str, note: str, actor: Actor
) -> LinkedNumber:
    """Link a further identity number to a person (e.g. the old 15-character 外国人永久居留身份证
    of someone enrolled under the new 18-character card), so that ``find_person`` and
    ``find_or_create_person`` find the same Person by either number. Audited.

    Raises ValidationError (422) for a malformed number or type, NotFound (404) for an unknown
    person, Conflict (409) when the number is already this person's or another person's
    (own or linked). Returns the number as linked.
    """
    number = normalise_id_number(id_number, id_type or "")
    note = (note or "").strip()
    if len(note) > 200:
        raise ValidationError("备注过长（最多 200 个字）", "note")
    async with db.transaction():
        person = await get_person(person_id)
        holder = await _by_number(id_type, number)
        if holder is not None and holder.id == person.id:
            raise Conflict("该证件号码已是此人的证件号码", "id_number")
        if holder is not None:
            raise Conflict("该证件号码已登记在其他人员名下", "id_number")
        row = PersonIdNumber(person=person.id, id_type=id_type, id_number=number, note=note,
                             created_at=clock.now())
        await row.save()
        await audit.record(
            actor, "person.link_id_number", "person", person.id,
            after={"id_type": id_type, "id_number": number}, note=note)
    return LinkedNumber(id=row.id, id_type=id_type, id_number=number, note=note,
                        created_at=row.created_at)


@dataclass(frozen=True)
class NameProblem:
    """A person whose stored name breaks the name rule: the person's id, the name as stored,
    the ID document (type and number, in full: ``id_number_masked`` for display) and what is
    wrong with the name (``core.name_rules.name_problem``'s Chinese message)."""

    id: int
    name: str
    id_type: str
    id_number: str
    problem: str

    @property
    def id_number_masked(self) -> str:
        """The ID number partly hidden, as lists show it."""
        return mask_id_number(self.id_number)


async def names_breaking_rule(page: int, per_page: int) -> Page[NameProblem]:
    """Persons whose stored name breaks today's name rule (``core.name_rules``), recorded
    before the rule existed: listed for officers to correct (``correct_name``), never blocked.

    Every name is read (id and name only) and judged in Python: the rule is Unicode
    categories, which SQL cannot express on both engines. Ordered by id.
    """
    page, per_page = clamp_page(page, per_page)
    rows = await Person.select(Person.id, Person.name).order_by(Person.id)
    bad = [(r["id"], problem) for r in rows if (problem := name_problem(r["name"]))]
    result: Page[NameProblem] = Page(items=[], number=page, per_page=per_page, total=len(bad))
    chosen = bad[result.offset:result.offset + result.per_page]
    if chosen:
        problems = dict(chosen)
        people = await Person.select(
            Person.id, Person.name, Person.id_type, Person.id_number
        ).where(Person.id.is_in(list(problems))).order_by(Person.id)
        result.items = [NameProblem(id=p["id"], name=p["name"], id_type=p["id_type"],
                                    id_number=p["id_number"], problem=problems[p["id"]])
                        for p in people]
    return result
