"""Class hours (学时): sessions with the whole class's attendance in one go, each trainee's
progress (hours done against hours required), completion only with the required hours —
and, for a training course, the training certificate issued by the provider on completion."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from core import audit
from core.actor import Actor
from core.clock import now
from core.db import transaction
from core.errors import Conflict, NotFound, ValidationError
from training import states as s
from training.services.common import check_provider_access, own_provider_id
from training.services.courses import get_course
from training.tables import Attendance, ClassSession, Course, Enrolment

MAX_SESSION_HOURS = 12


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


async def record_session(course_id: int, held_on: date, kind: str, hours: int, topic: str,
                         present: set[int], actor: Actor) -> int:
    """One class session; ``present`` holds the enrolment ids present, every other accepted
    trainee of the class is recorded absent."""
    own_provider_id(actor)
    if kind not in (s.HOURS_THEORY, s.HOURS_PRACTICAL):
        raise ValidationError("请选择理论或实操", "kind")
    if not isinstance(hours, int) or not 1 <= hours <= MAX_SESSION_HOURS:
        raise ValidationError(f"学时应为 1–{MAX_SESSION_HOURS} 的整数", "hours")
    async with transaction():
        course = await get_course(course_id, actor)
        if course.state != s.COURSE_RUNNING:
            raise Conflict("只有开班中的班次可以记录学时")
        if not course.starts_on <= held_on <= course.ends_on:
            raise ValidationError("上课日期应在开班与结业日期之间", "held_on")
        class_ids = {r["id"] for r in await Enrolment.select(Enrolment.id).where(
            (Enrolment.course == course_id) & (Enrolment.state == s.ENROL_ACCEPTED))}
        if not class_ids:
            raise Conflict("本班没有已录取的学员")
        unknown = present - class_ids
        if unknown:
            raise ValidationError("出勤名单中有不属于本班的学员", "present")
        row = ClassSession(course=course_id, held_on=held_on, kind=kind, hours=hours,
                           topic=(topic or "").strip()[:200], recorded_by=actor.user_id,
                           created_at=now())
        await row.save()
        await Attendance.insert(*[Attendance(session=row.id, enrolment=eid,
                                             present=eid in present)
                                  for eid in sorted(class_ids)])
        await audit.record(actor, "class_session.record", "course", course_id, after={
            "session": row.id, "held_on": held_on, "kind": kind, "hours": hours,
            "present": len(present), "absent": len(class_ids - present)})
    return row.id


async def sessions_of(course_id: int, actor: Actor) -> list[dict[str, Any]]:
    await get_course(course_id, actor)
    return await ClassSession.select().where(ClassSession.course == course_id).order_by(
        ClassSession.held_on).order_by(ClassSession.id)


async def progress_by_enrolment(course: Course | dict) -> dict[int, Progress]:
    course_id = course["id"] if isinstance(course, dict) else course.id
    theory_req = course["theory_hours_required"] if isinstance(course, dict) \
        else course.theory_hours_required
    practical_req = course["practical_hours_required"] if isinstance(course, dict) \
        else course.practical_hours_required
    done: dict[int, list[int]] = {}
    rows = await Attendance.select(
        Attendance.enrolment, Attendance.session.kind, Attendance.session.hours,
    ).where((Attendance.session.course == course_id) & (Attendance.present == True))  # noqa: E712
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


async def _issue_training_certificate(enrolment_id: int, actor: Actor) -> int | None:
    """Certification's issuer, when installed (it reads the Enrolment/Course/Provider rows)."""
    try:
        from certification.services.issuance import issue_training_certificate
    except ImportError:  # the certification side not there yet: completion still recorded
        return None
    return await issue_training_certificate(enrolment_id=enrolment_id, actor=actor)


async def complete(enrolment_id: int, actor: Actor) -> int | None:
    """Complete one trainee (required hours met). Returns the training certificate's credential
    id for a training course (issued in the same transaction), else None."""
    own_provider_id(actor)
    async with transaction():
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
        row.state, row.completed_at = s.ENROL_COMPLETED, now()
        await row.save()
        await audit.record(actor, "enrolment.complete", "enrolment", row.id,
                           before={"state": s.ENROL_ACCEPTED},
                           after={"state": s.ENROL_COMPLETED,
                                  "theory_hours": progress.theory_done,
                                  "practical_hours": progress.practical_done})
        credential_id = None
        if course.kind == s.COURSE_TRAINING:
            credential_id = await _issue_training_certificate(row.id, actor)
            if credential_id is not None:
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
