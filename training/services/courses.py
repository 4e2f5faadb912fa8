"""Courses (班次): created by an approved provider for what it may train; a small state
machine (training.states.COURSE_TRANSITIONS); the public catalogue of open courses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from core import audit
from core.actor import Actor
from core.clock import now
from core.db import contains, transaction
from core.errors import Conflict, NotFound, ValidationError
from core.pagination import Page
from training import states as s
from training.services import providers
from training.services.catalogue import kind_of
from training.services.common import Row, check_provider_access, own_provider_id
from training.tables import Course, Enrolment, Provider

MAX_HOURS = 2000
MAX_CAPACITY = 1000


@dataclass
class CourseInput:
    kind: str
    title: str
    qualification_code: str
    level: int | None
    theory_hours_required: int
    practical_hours_required: int
    capacity: int
    starts_on: date
    ends_on: date
    place: str = ""
    fee_fen: int = 0
    subsidy_eligible: bool = False
    description: str = ""


async def _check(data: CourseInput, provider_id: int) -> CourseInput:
    data.title = (data.title or "").strip()
    if not data.title:
        raise ValidationError("请填写班次名称", "title")
    if len(data.title) > 100:
        raise ValidationError("班次名称最多 100 个字", "title")
    if data.kind not in (s.COURSE_SKILL, s.COURSE_TRAINING):
        raise ValidationError("班次类型无效", "kind")
    qual_kind = await kind_of(data.qualification_code)
    if qual_kind != data.kind:
        raise ValidationError("所选职业（工种）或培训项目与班次类型不符", "qualification_code")
    if data.kind == s.COURSE_TRAINING:
        data.level = None
    elif data.level is None:
        raise ValidationError("请选择等级", "level")
    if not await providers.may(provider_id, s.SCOPE_TRAIN, data.qualification_code, data.level):
        raise ValidationError("本机构未获准开展该职业（等级）的培训", "qualification_code")
    for key in ("theory_hours_required", "practical_hours_required"):
        value = getattr(data, key)
        if not isinstance(value, int) or not 0 <= value <= MAX_HOURS:
            raise ValidationError(f"学时应为 0–{MAX_HOURS} 的整数", key)
    if data.theory_hours_required + data.practical_hours_required == 0:
        raise ValidationError("理论与实操学时不能都为 0", "theory_hours_required")
    if not 1 <= data.capacity <= MAX_CAPACITY:
        raise ValidationError(f"招生人数应为 1–{MAX_CAPACITY}", "capacity")
    if data.ends_on < data.starts_on:
        raise ValidationError("结束日期不能早于开班日期", "ends_on")
    if data.fee_fen < 0:
        raise ValidationError("费用不能为负数", "fee_fen")
    data.place = (data.place or "").strip()[:200]
    return data


def _snapshot(row: Course) -> dict[str, Any]:
    return {k: getattr(row, k) for k in (
        "kind", "title", "qualification_code", "level", "theory_hours_required",
        "practical_hours_required", "capacity", "starts_on", "ends_on", "place", "fee_fen",
        "subsidy_eligible", "state")}


async def create_course(data: CourseInput, actor: Actor) -> int:
    provider_id = own_provider_id(actor)
    await providers.require_approved(provider_id)
    data = await _check(data, provider_id)
    async with transaction():
        at = now()
        row = Course(provider=provider_id, state=s.COURSE_DRAFT, created_at=at, updated_at=at,
                     **data.__dict__)
        await row.save()
        await audit.record(actor, "course.create", "course", row.id, after=_snapshot(row))
    return row.id


async def update_course(course_id: int, data: CourseInput, actor: Actor) -> None:
    provider_id = own_provider_id(actor)
    data = await _check(data, provider_id)
    async with transaction():
        row = await get_course(course_id, actor)
        if row.state not in (s.COURSE_DRAFT, s.COURSE_OPEN):
            raise Conflict("开班后不能修改班次信息")
        taken = await seats_taken(course_id)
        if data.capacity < taken:
            raise ValidationError(f"招生人数不能少于已录取人数（{taken}）", "capacity")
        before = _snapshot(row)
        for key, value in data.__dict__.items():
            setattr(row, key, value)
        row.updated_at = now()
        await row.save()
        await audit.record(actor, "course.update", "course", row.id, before=before,
                           after=_snapshot(row))


async def transition(course_id: int, to: str, actor: Actor, reason: str = "") -> None:
    own_provider_id(actor)
    async with transaction():
        row = await get_course(course_id, actor)
        if to not in s.COURSE_TRANSITIONS.get(row.state, ()):
            raise Conflict(f"班次当前为“{s.COURSE_STATE_LABELS[row.state]}”，"
                           f"不能改为“{s.COURSE_STATE_LABELS.get(to, to)}”")
        if to == s.COURSE_OPEN:
            await providers.require_approved(row.provider)
        if to == s.COURSE_CANCELLED and not reason.strip():
            raise ValidationError("请填写取消原因", "reason")
        before = row.state
        row.state, row.updated_at = to, now()
        await row.save()
        await audit.record(actor, f"course.{to}", "course", row.id, before={"state": before},
                           after={"state": to}, note=reason.strip())


async def get_course(course_id: int, actor: Actor) -> Course:
    row = await Course.objects().where(Course.id == course_id).first()
    if row is None:
        raise NotFound("未找到该班次")
    check_provider_access(actor, row.provider, "未找到该班次")
    return row


class CourseRow(Row):
    """A course as the catalogue, the API (training.schemas.CourseOut) and the pages show it:
    its columns, with the provider as ``provider_id`` and ``provider_name``. Hours are class
    hours (学时), ``fee_fen`` in fen."""

    id: int
    provider_id: int
    provider_name: str
    kind: s.CourseKind
    title: str
    qualification_code: str
    level: int | None
    theory_hours_required: int
    practical_hours_required: int
    capacity: int
    starts_on: date
    ends_on: date
    place: str
    fee_fen: int
    subsidy_eligible: bool
    state: s.CourseState


class PublicCourse(CourseRow):
    """A course's public page: its row, description and the seats taken (accepted or
    completed enrolments)."""

    description: str
    seats_taken: int


_ROW_COLUMNS = (
    Course.id, Course.provider.as_alias("provider_id"), Course.provider.name.as_alias(
        "provider_name"), Course.kind, Course.title, Course.qualification_code, Course.level,
    Course.theory_hours_required, Course.practical_hours_required, Course.capacity,
    Course.starts_on, Course.ends_on, Course.place, Course.fee_fen, Course.subsidy_eligible,
    Course.state)


async def course_row(course_id: int, actor: Actor) -> CourseRow:
    """The provider's (or an officer's) course as the API answers it. NotFound when it does
    not exist or is another provider's."""
    await get_course(course_id, actor)
    row = await Course.select(*_ROW_COLUMNS).where(Course.id == course_id).first()
    return CourseRow(**row)


async def get_public_course(course_id: int) -> PublicCourse:
    """A course open, running or finished, for anyone. NotFound otherwise (drafts and
    cancelled courses are not public)."""
    row = await Course.select(*_ROW_COLUMNS, Course.description).where(
        (Course.id == course_id)
        & Course.state.is_in([s.COURSE_OPEN, s.COURSE_RUNNING, s.COURSE_FINISHED])).first()
    if row is None:
        raise NotFound("未找到该班次")
    return PublicCourse(**row, seats_taken=await seats_taken(course_id))


async def seats_taken(course_id: int) -> int:
    return await Enrolment.count().where(
        (Enrolment.course == course_id)
        & Enrolment.state.is_in([s.ENROL_ACCEPTED, s.ENROL_COMPLETED]))


@dataclass(frozen=True)
class CatalogueFilter:
    qualification_code: str = ""
    level: int | None = None
    provider_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    q: str = ""


async def catalogue(filters: CatalogueFilter, page: int, per_page: int = 20) -> Page[CourseRow]:
    """Open courses, soonest first; indexed on state, starts_on, qualification, level."""
    where = Course.state == s.COURSE_OPEN
    if filters.qualification_code:
        where &= Course.qualification_code == filters.qualification_code
    if filters.level is not None:
        where &= Course.level == filters.level
    if filters.provider_id is not None:
        where &= Course.provider == filters.provider_id
    if filters.date_from:
        where &= Course.starts_on >= filters.date_from
    if filters.date_to:
        where &= Course.starts_on <= filters.date_to
    if filters.q:
        where &= contains(Course.title, filters.q)
    query = {"qualification_code": filters.qualification_code, "level": filters.level,
             "provider_id": filters.provider_id, "date_from": filters.date_from,
             "date_to": filters.date_to, "q": filters.q}
    result: Page[CourseRow] = Page([], page, per_page, await Course.count().where(where),
                                   query=query)
    result.items = [CourseRow(**r) for r in await Course.select(
        *_ROW_COLUMNS).where(where).order_by(Course.starts_on).order_by(Course.id).limit(
        per_page).offset(result.offset)]
    return result


async def provider_courses(actor: Actor, state: str, page: int,
                           per_page: int = 20) -> Page[CourseRow]:
    """The staff user's provider's courses (in ``state`` when given), latest start first.
    Forbidden for anybody but provider staff."""
    provider_id = own_provider_id(actor)
    where = Course.provider == provider_id
    if state:
        where &= Course.state == state
    result: Page[CourseRow] = Page([], page, per_page, await Course.count().where(where),
                                   query={"state": state})
    result.items = [CourseRow(**r) for r in await Course.select(
        *_ROW_COLUMNS).where(where).order_by(Course.starts_on, ascending=False).order_by(
        Course.id, ascending=False).limit(per_page).offset(result.offset)]
    return result


async def approved_providers() -> list[tuple[int, str]]:
    rows = await Provider.select(Provider.id, Provider.name).where(
        Provider.status == s.PROVIDER_APPROVED).order_by(Provider.name)
    return [(r["id"], r["name"]) for r in rows]
