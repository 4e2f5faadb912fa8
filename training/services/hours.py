"""Class hours (学时): sessions with the whole class's attendance in one go, each trainee's
progress (hours done against hours required), completion only with the required hours —
and, for a training course, the training certificate issued by the provider on completion.

A session is refused when it is in the future (or today and not yet over), when a time
carries a UTC offset or seconds, when the class already has a session at that
time, when a trainee present was in another class at that time, or when its 学时 exceed its
span ÷ minutes per 学时 (``training.hours_rules``; the minutes are the ClassHourRule row in
force). Corrections and voiding are in ``training.services.hours_changes``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from core import audit, clock, db
from core.actor import Actor
from core.errors import Conflict, NotFound, ValidationError
from training import states as s
from training.hours_rules import Slot, check_session, clash, fmt_span
from training.ports import CERTIFICATION
from training.services.common import Row, check_provider_access, own_provider_id
from training.services.courses import get_course
from training.tables import (
    Attendance,
    ClassHourRule,
    ClassSession,
    ClassSessionRevision,
    Course,
    Enrolment,
)

RECORDED, VOID = s.ClassSessionState.RECORDED, s.ClassSessionState.VOID
PERSON_LOCK = 610_010  # pg_advisory_xact_lock(PERSON_LOCK, person id): one trainee at a time


@dataclass(frozen=True)
class Progress:
    enrolment_id: int
    theory_done: int
    practical_done: int
    theory_required: int
    practical_required: int

    @property
    def complete(self) -> bool:
        return (self.theory_done >= self.theory_required
                and self.practical_done >= self.practical_required)

    @property
    def percent(self) -> int:
        required = self.theory_required + self.practical_required
        done = min(self.theory_done, self.theory_required) + min(
            self.practical_done, self.practical_required)
        return 100 if required == 0 else int(done * 100 / required)


@dataclass(frozen=True)
class SessionInput:
    """A session as the provider states it (times are China time)."""

    held_on: date
    starts_at: time | None
    ends_at: time | None
    kind: str
    hours: int
    topic: str = ""


async def class_hour_rule(on: date) -> tuple[int, str]:
    """(minutes per 学时, source) in force on ``on``: the latest ClassHourRule row effective
    by then. Raises Conflict when the catalogue has none (the migration seeds one)."""
    row = await ClassHourRule.select(ClassHourRule.minutes_per_hour, ClassHourRule.source).where(
        ClassHourRule.effective_from <= on).order_by(
        ClassHourRule.effective_from, ascending=False).first()
    if row is None:
        raise Conflict("目录中没有学时折算规则（每学时分钟数），请联系人社局")
    return int(row["minutes_per_hour"]), row["source"]


async def validate_session(course: Course, data: SessionInput, present: set[int],
                           exclude_session: int | None = None) -> None:
    """Every rule a recorded or corrected session must meet; raises ValidationError / Conflict.
    Call inside the writing transaction (it takes the locks that serialise clashing writes)."""
    if data.kind not in (s.HOURS_THEORY, s.HOURS_PRACTICAL):
        raise ValidationError("请选择理论或实操", "kind")
    minutes, _source = await class_hour_rule(data.held_on)
    check_session(data.held_on, data.starts_at, data.ends_at, data.hours, clock.now_china(),
                  minutes)
    if not course.starts_on <= data.held_on <= course.ends_on:
        raise ValidationError("上课日期应在开班与结业日期之间", "held_on")
    slot = Slot(data.held_on, data.starts_at, data.ends_at, data.kind)
    same_day = ClassSession.select().where(
        (ClassSession.course == course.id) & (ClassSession.held_on == data.held_on)
        & (ClassSession.state == RECORDED)).order_by(ClassSession.id)
    for other in await same_day:
        if other["id"] == exclude_session:
            continue
        if clash(slot, Slot(other["held_on"], other["starts_at"], other["ends_at"],
                            other["kind"]), same_course=True):
            topic = f"“{other['topic']}”" if other["topic"] else ""
            when = f"{data.held_on.isoformat()} {fmt_span(other['starts_at'], other['ends_at'])}"
            raise Conflict(
                f"本班 {when} 已记录一次{s.HOURS_KIND_LABELS.get(other['kind'], '')}课{topic}"
                f"（{other['hours']} 学时），与本次时间重叠，不能重复记录；"
                "如需修改请更正或作废该次课", "held_on")
    await _check_trainees(course.id, slot, present, exclude_session)


async def _check_trainees(course_id: int, slot: Slot, present: set[int],
                          exclude_session: int | None) -> None:
    """A trainee present here must not be present in an overlapping session of another class."""
    if not present:
        return
    people = {r["id"]: (r["person"], r["person.name"]) for r in await Enrolment.select(
        Enrolment.id, Enrolment.person, Enrolment.person.name).where(
        Enrolment.id.is_in(sorted(present)))}
    person_ids = sorted({p for p, _ in people.values()})
    if not db.is_sqlite():
        for pid in person_ids:
            await db.engine().run_ddl(f"SELECT pg_advisory_xact_lock({PERSON_LOCK}, {int(pid)})")
    rows = await Attendance.select(
        Attendance.session, Attendance.enrolment.person, Attendance.session.starts_at,
        Attendance.session.ends_at, Attendance.session.kind, Attendance.session.course.title,
    ).where((Attendance.present == True)  # noqa: E712
            & Attendance.enrolment.person.is_in(person_ids or [0])
            & (Attendance.session.held_on == slot.held_on)
            & (Attendance.session.state == RECORDED)
            & (Attendance.session.course != course_id))
    names = {p: n for p, n in people.values()}
    for r in rows:
        if r["session"] == exclude_session:
            continue
        other = Slot(slot.held_on, r["session.starts_at"], r["session.ends_at"],
                     r["session.kind"])
        if clash(slot, other, same_course=False):
            raise Conflict(
                f"学员 {names[r['enrolment.person']]} 在 {slot.held_on.isoformat()} "
                f"{fmt_span(other.starts_at, other.ends_at)} 已出勤“{r['session.course.title']}”"
                "的课，与本次时间重叠", "present")


async def locked_course(course_id: int, actor: Actor) -> Course:
    """The course (provider access checked), row-locked on PostgreSQL for this transaction."""
    query = Course.objects().where(Course.id == course_id)
    if not db.is_sqlite():
        query = query.lock_rows("UPDATE")
    course = await query.first()
    if course is None:
        raise NotFound("未找到该班次")
    check_provider_access(actor, course.provider, "未找到该班次")
    return course


def revision_row(session: ClassSession | dict, present: set[int], action: str, reason: str,
                 actor: Actor) -> ClassSessionRevision:
    """The history row of a session's current values (call after the session is saved)."""
    get = session.get if isinstance(session, dict) else lambda k: getattr(session, k)
    return ClassSessionRevision(
        session=get("id"), revision=get("revision"), held_on=get("held_on"),
        starts_at=get("starts_at"), ends_at=get("ends_at"), kind=get("kind"),
        hours=get("hours"), topic=get("topic"), present=sorted(present), state=get("state"),
        action=action, reason=reason, changed_by=actor.user_id, changed_at=clock.now())


async def record_session(course_id: int, held_on: date, kind: str, hours: int, topic: str,
                         present: set[int], actor: Actor, *, starts_at: time | None = None,
                         ends_at: time | None = None) -> int:
    """One class session held from ``starts_at`` to ``ends_at`` on ``held_on``; ``present``
    holds the enrolment ids present, every other accepted trainee of the class is recorded
    absent. Raises ValidationError / Conflict for the rules above; writes the session, its
    attendance, its first history row and an audit row in one transaction."""
    own_provider_id(actor)
    data = SessionInput(held_on, starts_at, ends_at, kind, hours, (topic or "").strip()[:200])
    async with db.transaction():
        course = await locked_course(course_id, actor)
        if course.state != s.COURSE_RUNNING:
            raise Conflict("只有开班中的班次可以记录学时")
        class_ids = {r["id"] for r in await Enrolment.select(Enrolment.id).where(
            (Enrolment.course == course_id) & (Enrolment.state == s.ENROL_ACCEPTED))}
        if not class_ids:
            raise Conflict("本班没有已录取的学员")
        if present - class_ids:
            raise ValidationError("出勤名单中有不属于本班的学员", "present")
        await validate_session(course, data, present)
        at = clock.now()
        row = ClassSession(course=course_id, held_on=held_on, kind=kind, hours=hours,
                           topic=data.topic, recorded_by=actor.user_id, created_at=at,
                           starts_at=starts_at, ends_at=ends_at, state=RECORDED, revision=1,
                           updated_at=at)
        await row.save()
        await Attendance.insert(*[Attendance(session=row.id, enrolment=eid,
                                             present=eid in present)
                                  for eid in sorted(class_ids)])
        await revision_row(row, present, "record", "", actor).save()
        await audit.record(actor, "class_session.record", "course", course_id, after={
            "session": row.id, "held_on": held_on, "time": fmt_span(starts_at, ends_at),
            "kind": kind, "hours": hours, "present": len(present),
            "absent": len(class_ids - present)})
    return row.id


class ClassSessionFacts(Row):
    """What a class session records, in its rows and its versions alike: the day, China
    wall-clock times, kind and class hours (学时) and topic."""

    held_on: date
    starts_at: time | None
    ends_at: time | None
    kind: s.HoursKind
    hours: int
    topic: str


class ClassSessionRow(ClassSessionFacts):
    """A recorded class session as the course page and training.schemas.ClassSessionOut show
    it: its facts, state and revision; ``flags``: its open integrity flags as
    ``label：detail`` when the caller adds them
    (training.services.hours_changes.sessions_with_flags)."""

    id: int
    course_id: int
    state: s.ClassSessionState
    revision: int
    flags: tuple[str, ...] = ()


_SESSION_COLUMNS = (
    ClassSession.id, ClassSession.course.as_alias("course_id"), ClassSession.held_on,
    ClassSession.starts_at, ClassSession.ends_at, ClassSession.kind, ClassSession.hours,
    ClassSession.topic, ClassSession.state, ClassSession.revision)


async def sessions_of(course_id: int, actor: Actor) -> list[ClassSessionRow]:
    """Every session of the course (void ones included, marked by ``state``), oldest first.
    NotFound for another provider's course."""
    await get_course(course_id, actor)
    cs = ClassSession
    rows = await cs.select(*_SESSION_COLUMNS).where(cs.course == course_id).order_by(
        cs.held_on).order_by(cs.starts_at).order_by(cs.id)
    return [ClassSessionRow(**r) for r in rows]


async def session_row(session_id: int, actor: Actor) -> ClassSessionRow:
    """One recorded session (void or not). NotFound when it does not exist (未找到该次课) or
    its course is another provider's (未找到该班次)."""
    row = await ClassSession.select(*_SESSION_COLUMNS).where(
        ClassSession.id == session_id).first()
    if row is None:
        raise NotFound("未找到该次课")
    await get_course(row["course_id"], actor)
    return ClassSessionRow(**row)


@dataclass(frozen=True)
class AttendanceMark:
    """One trainee's attendance at a class session: the enrolment, the trainee's name and
    whether they were present."""

    enrolment_id: int
    name: str
    present: bool


async def attendance_of(session: ClassSessionRow) -> list[AttendanceMark]:
    """Everyone marked at the session (present or absent), by enrolment id. ``session`` comes
    from session_row or sessions_of, which checked who may see it."""
    a = Attendance
    rows = await a.select(
        a.enrolment.as_alias("enrolment_id"), a.enrolment.person.name.as_alias("name"),
        a.present,
    ).where(a.session == session.id).order_by(a.enrolment)
    return [AttendanceMark(**r) for r in rows]


async def progress_by_enrolment(course: Course | dict) -> dict[int, Progress]:
    """Hours done per enrolment of the course, counting recorded (not void) sessions only."""
    course_id = course["id"] if isinstance(course, dict) else course.id
    theory_req = course["theory_hours_required"] if isinstance(course, dict) \
        else course.theory_hours_required
    practical_req = course["practical_hours_required"] if isinstance(course, dict) \
        else course.practical_hours_required
    done: dict[int, list[int]] = {}
    rows = await Attendance.select(
        Attendance.enrolment, Attendance.session.kind, Attendance.session.hours,
    ).where((Attendance.session.course == course_id) & (Attendance.present == True)  # noqa: E712
            & (Attendance.session.state == RECORDED))
    for r in rows:
        pair = done.setdefault(r["enrolment"], [0, 0])
        pair[0 if r["session.kind"] == s.HOURS_THEORY else 1] += r["session.hours"]
    ids = [r["id"] for r in await Enrolment.select(Enrolment.id).where(
        Enrolment.course == course_id)]
    return {eid: Progress(eid, *done.get(eid, [0, 0]), theory_req, practical_req) for eid in ids}


async def progress_of(enrolment_id: int) -> Progress:
    row = await Enrolment.select(Enrolment.course).where(Enrolment.id == enrolment_id).first()
    if row is None:
        raise NotFound("未找到该报名")
    course = await Course.select().where(Course.id == row["course"]).first()
    return (await progress_by_enrolment(course))[enrolment_id]


async def complete(enrolment_id: int, actor: Actor) -> int | None:
    """Complete one trainee (required hours met). Returns the training certificate's credential
    id for a training course (issued in the same transaction by certification, through
    ``training.ports.CERTIFICATION``), else None."""
    own_provider_id(actor)
    async with db.transaction():
        row = await Enrolment.objects().where(Enrolment.id == enrolment_id).first()
        if row is None:
            raise NotFound("未找到该报名")
        course = await Course.objects().where(Course.id == row.course).first()
        check_provider_access(actor, course.provider, "未找到该报名")
        if row.state != s.ENROL_ACCEPTED:
            raise Conflict(f"该报名当前为“{s.ENROL_STATE_LABELS[row.state]}”，不能结业")
        if course.state not in (s.COURSE_RUNNING, s.COURSE_FINISHED):
            raise Conflict("班次尚未开班，不能结业")
        progress = (await progress_by_enrolment(course))[row.id]
        if not progress.complete:
            raise Conflict(
                f"学时不足，不能结业：理论 {progress.theory_done}/{progress.theory_required}，"
                f"实操 {progress.practical_done}/{progress.practical_required}")
        row.state, row.completed_at = s.ENROL_COMPLETED, clock.now()
        await row.save()
        await audit.record(actor, "enrolment.complete", "enrolment", row.id,
                           before={"state": s.ENROL_ACCEPTED},
                           after={"state": s.ENROL_COMPLETED,
                                  "theory_hours": progress.theory_done,
                                  "practical_hours": progress.practical_done})
        credential_id = None
        if course.kind == s.COURSE_TRAINING:
            credential_id = await CERTIFICATION.get().issue_training_certificate(row.id, actor)
            await Enrolment.update({Enrolment.credential_id: credential_id}).where(
                Enrolment.id == row.id)
    return credential_id


async def complete_all(course_id: int, actor: Actor) -> tuple[int, int]:
    """Complete every accepted trainee who has the hours; (completed, still short)."""
    course = await get_course(course_id, actor)
    progress = await progress_by_enrolment(course)
    accepted = [r["id"] for r in await Enrolment.select(Enrolment.id).where(
        (Enrolment.course == course_id) & (Enrolment.state == s.ENROL_ACCEPTED))]
    done = short = 0
    for eid in accepted:
        if progress[eid].complete:
            await complete(eid, actor)
            done += 1
        else:
            short += 1
    return done, short
