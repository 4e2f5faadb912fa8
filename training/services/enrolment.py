"""Enrolment: a trainee applies; the provider accepts (within capacity), rejects with a
reason or puts on the waiting list; a freed seat goes to the first on the waiting list;
trainees withdraw before the start.

Capacity under concurrency: every accept runs in one write transaction that first locks the
course row — ``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite the IMMEDIATE transaction of
``core.db.transaction`` already serialises writers — then counts the seats taken.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from core import audit
from core.actor import Actor
from core.clock import now, today
from core.db import is_sqlite, transaction
from core.errors import Conflict, NotFound, ValidationError
from core.pagination import Page
from training import states as s
from training.services.common import check_provider_access, own_provider_id, person_of
from training.services.courses import seats_taken
from training.tables import Course, Enrolment

if TYPE_CHECKING:
    from training.services.hours import Progress

ACTIVE = (s.ENROL_APPLIED, s.ENROL_ACCEPTED, s.ENROL_WAITLISTED, s.ENROL_COMPLETED)


async def lock_course(course_id: int) -> None:
    """Serialise seat decisions of one course (inside a transaction)."""
    if not is_sqlite():
        await Course.raw("SELECT id FROM training_course WHERE id = {} FOR UPDATE", course_id)


async def apply(course_id: int, actor: Actor) -> int:
    person_id = person_of(actor)
    async with transaction():
        course = await Course.objects().where(Course.id == course_id).first()
        if course is None or course.state not in (s.COURSE_OPEN,):
            if course is None or course.state == s.COURSE_DRAFT:
                raise NotFound("未找到该班次")
            raise Conflict("该班次不在报名期，不能报名")
        if await Enrolment.exists().where((Enrolment.course == course_id)
                                          & (Enrolment.person == person_id)
                                          & Enrolment.state.is_in(list(ACTIVE))):
            raise Conflict("您已报名该班次")
        row = Enrolment(course=course_id, person=person_id, state=s.ENROL_APPLIED,
                        applied_at=now())
        await row.save()
        await audit.record(actor, "enrolment.apply", "enrolment", row.id,
                           after={"course": course_id, "state": row.state})
    return row.id


async def _load_for_provider(enrolment_id: int, actor: Actor) -> tuple[Enrolment, Course]:
    own_provider_id(actor)
    row = await Enrolment.objects().where(Enrolment.id == enrolment_id).first()
    if row is None:
        raise NotFound("未找到该报名")
    course = await Course.objects().where(Course.id == row.course).first()
    check_provider_access(actor, course.provider, "未找到该报名")
    return row, course


async def _set(row: Enrolment, state: str, actor: Actor, reason: str = "",
               action: str = "") -> None:
    before = row.state
    row.state, row.reason, row.decided_at, row.decided_by = state, reason, now(), actor.user_id
    await row.save()
    await audit.record(actor, action or f"enrolment.{state}", "enrolment", row.id,
                       before={"state": before}, after={"state": state}, note=reason)


async def decide(enrolment_id: int, decision: str, reason: str, actor: Actor) -> str:
    """accept | reject | waitlist. Returns the new state."""
    reason = (reason or "").strip()
    async with transaction():
        row, course = await _load_for_provider(enrolment_id, actor)
        await lock_course(course.id)
        row = await Enrolment.objects().where(Enrolment.id == enrolment_id).first()
        if course.state not in (s.COURSE_OPEN, s.COURSE_RUNNING):
            raise Conflict("班次不在报名或开班期，不能处理报名")
        if decision == "accept":
            if row.state not in (s.ENROL_APPLIED, s.ENROL_WAITLISTED):
                raise Conflict(f"该报名当前为“{s.ENROL_STATE_LABELS[row.state]}”，不能录取")
            if await seats_taken(course.id) >= course.capacity:
                raise Conflict("名额已满，不能录取；可列入候补")
            await _set(row, s.ENROL_ACCEPTED, actor, reason)
        elif decision == "reject":
            if not reason:
                raise ValidationError("请填写不录取原因", "reason")
            if row.state not in (s.ENROL_APPLIED, s.ENROL_WAITLISTED):
                raise Conflict(f"该报名当前为“{s.ENROL_STATE_LABELS[row.state]}”，不能拒绝")
            await _set(row, s.ENROL_REJECTED, actor, reason)
        elif decision == "waitlist":
            if row.state != s.ENROL_APPLIED:
                raise Conflict("只有待处理的报名可以列入候补")
            await _set(row, s.ENROL_WAITLISTED, actor, reason)
        else:
            raise ValidationError("处理方式无效", "decision")
    return row.state


async def _offer_freed_seat(course: Course, actor: Actor) -> int | None:
    """The first on the waiting list (by application time) takes a freed seat."""
    if await seats_taken(course.id) >= course.capacity:
        return None
    first = await Enrolment.objects().where(
        (Enrolment.course == course.id) & (Enrolment.state == s.ENROL_WAITLISTED)
    ).order_by(Enrolment.applied_at).order_by(Enrolment.id).first()
    if first is None:
        return None
    await _set(first, s.ENROL_ACCEPTED, actor, "候补递补", action="enrolment.offer_from_waitlist")
    return first.id


async def withdraw(enrolment_id: int, actor: Actor) -> int | None:
    """Trainee withdraws before the start; a freed seat goes to the waiting list.
    Returns the id of the enrolment that took the seat, if any."""
    person_id = person_of(actor)
    async with transaction():
        row = await Enrolment.objects().where(Enrolment.id == enrolment_id).first()
        if row is None or row.person != person_id:
            raise NotFound("未找到该报名")
        course = await Course.objects().where(Course.id == row.course).first()
        await lock_course(course.id)
        if row.state not in (s.ENROL_APPLIED, s.ENROL_ACCEPTED, s.ENROL_WAITLISTED):
            raise Conflict(f"该报名当前为“{s.ENROL_STATE_LABELS[row.state]}”，不能退出")
        if course.state not in (s.COURSE_OPEN, s.COURSE_DRAFT) or today() >= course.starts_on:
            raise Conflict("班次已开班，不能退出；请联系培训机构")
        freed = row.state == s.ENROL_ACCEPTED
        await _set(row, s.ENROL_WITHDRAWN, actor, "学员主动退出", action="enrolment.withdraw")
        return await _offer_freed_seat(course, actor) if freed else None


def _progress_figure(name: str) -> property:
    """A row's class hours figure ``name`` (theory_done, …: training.services.hours.Progress),
    None until the caller adds the progress."""
    return property(lambda row: getattr(row.progress, name) if row.progress else None,
                    doc=f"The progress's {name} (class hours), None without it.")


@dataclass(frozen=True, kw_only=True)
class EnrolmentRow:
    """One enrolment as training.schemas.EnrolmentOut shows it; ``progress`` (class hours done
    and required, training.services.hours) when the caller adds it with
    ``dataclasses.replace``."""

    id: int
    course_id: int
    state: s.EnrolmentState
    reason: str
    applied_at: datetime
    credential_id: int | None  # the training certificate issued on completion
    progress: Progress | None = None

    theory_done = _progress_figure("theory_done")
    practical_done = _progress_figure("practical_done")
    theory_required = _progress_figure("theory_required")
    practical_required = _progress_figure("practical_required")


@dataclass(frozen=True, kw_only=True)
class CourseEnrolment(EnrolmentRow):
    """A line of the provider's list of a course: the trainee's name and ID number (unmasked,
    for the entitled page to mask)."""

    person_name: str
    person_id_number: str


@dataclass(frozen=True, kw_only=True)
class MyEnrolment(EnrolmentRow):
    """A line of the trainee's own list: the course and its provider."""

    course_title: str
    course_state: s.CourseState
    starts_on: date
    ends_on: date
    provider_name: str


_ROW_COLUMNS = (Enrolment.id, Enrolment.course.as_alias("course_id"), Enrolment.state,
                Enrolment.reason, Enrolment.applied_at, Enrolment.credential_id)


async def course_enrolments(course_id: int, actor: Actor,
                            state: str = "") -> list[CourseEnrolment]:
    """The enrolments of the provider's course (all, or those in ``state``) in application
    order. NotFound for another provider's course."""
    from training.services.courses import get_course

    await get_course(course_id, actor)
    where = Enrolment.course == course_id
    if state:
        where &= Enrolment.state == state
    rows = await Enrolment.select(
        *_ROW_COLUMNS, Enrolment.person.name.as_alias("person_name"),
        Enrolment.person.id_number.as_alias("person_id_number"),
    ).where(where).order_by(Enrolment.applied_at).order_by(Enrolment.id)
    return [CourseEnrolment(**{**r, "state": s.EnrolmentState(r["state"])}) for r in rows]


async def my_enrolments(actor: Actor, page: int = 1, per_page: int = 20) -> Page[MyEnrolment]:
    """The trainee's enrolments, newest first, with their courses."""
    person_id = person_of(actor)
    where = Enrolment.person == person_id
    result: Page[MyEnrolment] = Page([], page, per_page, await Enrolment.count().where(where))
    rows = await Enrolment.select(
        *_ROW_COLUMNS, Enrolment.course.title.as_alias("course_title"),
        Enrolment.course.state.as_alias("course_state"),
        Enrolment.course.starts_on.as_alias("starts_on"),
        Enrolment.course.ends_on.as_alias("ends_on"),
        Enrolment.course.provider.name.as_alias("provider_name"),
    ).where(where).order_by(Enrolment.id, ascending=False).limit(per_page).offset(result.offset)
    result.items = [MyEnrolment(**{**r, "state": s.EnrolmentState(r["state"]),
                                   "course_state": s.CourseState(r["course_state"])})
                    for r in rows]
    return result


BULK_MAX = 500  # enrolments decided by one bulk action
BULK_ACTIONS = ("accept", "reject")
# outcome -> the wording of a bulk result (pages and flash); the API answers the codes
BULK_OUTCOME_LABELS = {"accepted": "已录取", "rejected": "已不予录取",
                       "waitlisted": "名额已满，列入候补", "unchanged": "未处理"}


@dataclass(frozen=True)
class BulkOutcome:
    """What a bulk action did to one enrolment.

    ``outcome``: accepted | rejected | waitlisted (accept past the last seat; an enrolment
    already on the waiting list stays there) | unchanged (already decided: ``message`` says
    why). ``before`` and ``state`` are the enrolment states before and after.
    """

    enrolment_id: int
    name: str
    before: str
    state: str
    outcome: str
    message: str = ""


async def decide_many(course_id: int, enrolment_ids: list[int], action: str, reason: str,
                      actor: Actor) -> list[BulkOutcome]:
    """Accept or reject several enrolments of one course in one transaction.

    The same rules as :func:`decide` for each one, taken in application order (earliest
    first, then id), whatever order they were selected in: an accept takes a free seat while
    there is one, and past the last seat puts an applied enrolment on the waiting list (one
    already waitlisted stays there); a reject needs ``reason`` (one for all). Enrolments
    already decided (accepted, rejected, withdrawn, completed) are left as they are and
    reported ``unchanged``. Each change is audited like a single decision.

    Errors (nothing written): ``ValidationError`` for an unknown action, no ids, more than
    ``BULK_MAX`` ids or a reject without a reason (field ``reason``); ``NotFound`` when the
    course is not the provider's or any id is not an enrolment of this course; ``Conflict``
    when the course is neither open nor running.
    """
    from training.services.courses import get_course

    reason = (reason or "").strip()
    if action not in BULK_ACTIONS:
        raise ValidationError("处理方式无效", "action")
    ids = list(dict.fromkeys(enrolment_ids))
    if not ids:
        raise ValidationError("请勾选要处理的报名", "ids")
    if len(ids) > BULK_MAX:
        raise ValidationError(f"一次最多处理 {BULK_MAX} 条报名", "ids")
    if action == "reject" and not reason:
        raise ValidationError("请填写不录取原因", "reason")
    own_provider_id(actor)
    async with transaction():
        await get_course(course_id, actor)
        await lock_course(course_id)
        course = await Course.objects().where(Course.id == course_id).first()
        rows = await Enrolment.objects().where(
            (Enrolment.course == course_id) & Enrolment.id.is_in(ids)
        ).order_by(Enrolment.applied_at).order_by(Enrolment.id)
        if len(rows) != len(ids):
            raise NotFound("未找到该报名")
        if course.state not in (s.COURSE_OPEN, s.COURSE_RUNNING):
            raise Conflict("班次不在报名或开班期，不能处理报名")
        names = {r["id"]: r["person.name"] for r in await Enrolment.select(
            Enrolment.id, Enrolment.person.name).where(Enrolment.id.is_in(ids))}
        free = course.capacity - await seats_taken(course_id)
        out: list[BulkOutcome] = []
        for row in rows:
            before = row.state
            if before not in (s.ENROL_APPLIED, s.ENROL_WAITLISTED):
                out.append(BulkOutcome(row.id, names[row.id], before, before, "unchanged",
                                       f"当前为“{s.ENROL_STATE_LABELS[before]}”，未处理"))
            elif action == "reject":
                await _set(row, s.ENROL_REJECTED, actor, reason)
                out.append(BulkOutcome(row.id, names[row.id], before, row.state, "rejected"))
            elif free > 0:
                await _set(row, s.ENROL_ACCEPTED, actor)
                free -= 1
                out.append(BulkOutcome(row.id, names[row.id], before, row.state, "accepted"))
            else:
                if before == s.ENROL_APPLIED:
                    await _set(row, s.ENROL_WAITLISTED, actor, "名额已满，列入候补")
                out.append(BulkOutcome(row.id, names[row.id], before, row.state, "waitlisted",
                                       "名额已满" + ("，仍在候补" if before == row.state
                                                     else "，列入候补")))
    return out


def bulk_summary(outcomes: list[BulkOutcome]) -> str:
    """One line per kind of outcome naming the people, e.g.
    ``已录取 2 人：张三、李四；名额已满，列入候补 1 人：王五``."""
    parts = []
    for outcome, label in BULK_OUTCOME_LABELS.items():
        people = [o for o in outcomes if o.outcome == outcome]
        if not people:
            continue
        if outcome == "unchanged":
            names = "、".join(f"{o.name}（{s.ENROL_STATE_LABELS[o.before]}）" for o in people)
        else:
            names = "、".join(o.name for o in people)
        parts.append(f"{label} {len(people)} 人：{names}")
    return "；".join(parts)
