"""Correcting and voiding recorded class sessions, their history, the integrity flags on them,
and what follows a change: progress, completion and training certificates.

A correction or a void needs a reason; the earlier values stay in ClassSessionRevision and the
audit log. When a completed trainee's hours fall below the course's requirement, the completion
is reopened and an issued training certificate goes to the 人社局 officers' review queue
(certification's, through ``training.ports.CERTIFICATION``) — it never silently stays.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core import audit, clock, db
from core.actor import Actor
from core.errors import Conflict, NotFound, ValidationError
from training import states as s
from training.hours_rules import fmt_span
from training.ports import CERTIFICATION
from training.services.common import own_provider_id
from training.services.hours import (
    VOID,
    ClassSessionFacts,
    ClassSessionRow,
    SessionInput,
    locked_course,
    progress_by_enrolment,
    revision_row,
    sessions_of,
    validate_session,
)
from training.tables import (
    Attendance,
    ClassSession,
    ClassSessionRevision,
    Course,
    Enrolment,
    SessionFlag,
)

FLAG_LABELS = {"future_date": "记录时上课日期尚未到来", "duplicate": "与本班另一次课重复",
               "trainee_overlap": "学员同一时间出勤另一班次"}


def _reason(reason: str) -> str:
    if not (reason or "").strip():
        raise ValidationError("请填写更正或作废的原因", "reason")
    return reason.strip()[:500]


async def _session_for_change(session_id: int, actor: Actor) -> tuple[ClassSession, Course]:
    own_provider_id(actor)
    session = await ClassSession.objects().where(ClassSession.id == session_id).first()
    if session is None:
        raise NotFound("未找到该次课")
    course = await locked_course(session.course, actor)
    if session.state == VOID:
        raise Conflict("该次课已作废，不能再更正或作废")
    if course.state not in (s.COURSE_RUNNING, s.COURSE_FINISHED):
        raise Conflict("只有开班中或已结业的班次可以更正学时")
    return session, course


async def _present_of(session_id: int) -> set[int]:
    return {r["enrolment"] for r in await Attendance.select(Attendance.enrolment).where(
        (Attendance.session == session_id) & (Attendance.present == True))}  # noqa: E712


def _values(session: ClassSession, present: set[int]) -> dict[str, Any]:
    return {"held_on": session.held_on, "time": fmt_span(session.starts_at, session.ends_at),
            "kind": session.kind, "hours": session.hours, "topic": session.topic,
            "present": len(present), "state": session.state}


async def correct_session(session_id: int, data: SessionInput, present: set[int] | None,
                          reason: str, actor: Actor) -> int:
    """Correct a recorded session (date, times, kind, 学时, topic, and — when ``present`` is
    given — who was present). The corrected session must meet every rule a new one meets.
    Returns the new revision number. Raises ValidationError / Conflict / NotFound."""
    why = _reason(reason)
    async with db.transaction():
        session, course = await _session_for_change(session_id, actor)
        members = {r["enrolment"] for r in await Attendance.select(Attendance.enrolment).where(
            Attendance.session == session_id)}
        members |= {r["id"] for r in await Enrolment.select(Enrolment.id).where(
            (Enrolment.course == course.id) & (Enrolment.state == s.ENROL_ACCEPTED))}
        before_present = await _present_of(session_id)
        new_present = before_present if present is None else set(present)
        if new_present - members:
            raise ValidationError("出勤名单中有不属于本班的学员", "present")
        data = SessionInput(data.held_on, data.starts_at, data.ends_at, data.kind, data.hours,
                            (data.topic or "").strip()[:200])
        await validate_session(course, data, new_present, exclude_session=session_id)
        before = _values(session, before_present)
        session.held_on, session.starts_at, session.ends_at = (data.held_on, data.starts_at,
                                                               data.ends_at)
        session.kind, session.hours, session.topic = data.kind, data.hours, data.topic
        session.revision += 1
        session.updated_at = clock.now()
        await session.save()
        await _set_attendance(session_id, members, new_present)
        await revision_row(session, new_present, "correct", why, actor).save()
        await audit.record(actor, "class_session.correct", "class_session", session_id,
                           before=before, after=_values(session, new_present), note=why)
        await _resolve_flags(session_id, actor)
        await follow_hours(course, actor, f"{data.held_on.isoformat()} 的课已更正：{why}")
        return session.revision


async def void_session(session_id: int, reason: str, actor: Actor) -> None:
    """Void a recorded session: it stays, marked void, and counts for nobody. Raises
    ValidationError (no reason) / Conflict (already void) / NotFound."""
    why = _reason(reason)
    async with db.transaction():
        session, course = await _session_for_change(session_id, actor)
        present = await _present_of(session_id)
        before = _values(session, present)
        session.state, session.revision, session.updated_at = VOID, session.revision + 1, \
            clock.now()
        await session.save()
        await revision_row(session, present, "void", why, actor).save()
        await audit.record(actor, "class_session.void", "class_session", session_id,
                           before=before, after={"state": VOID}, note=why)
        await _resolve_flags(session_id, actor)
        await follow_hours(course, actor, f"{session.held_on.isoformat()} 的课已作废：{why}")


async def _set_attendance(session_id: int, members: set[int], present: set[int]) -> None:
    existing = {r["enrolment"] for r in await Attendance.select(Attendance.enrolment).where(
        Attendance.session == session_id)}
    for eid in sorted(existing):
        await Attendance.update({Attendance.present: eid in present}).where(
            (Attendance.session == session_id) & (Attendance.enrolment == eid))
    missing = sorted(members - existing)
    if missing:
        await Attendance.insert(*[Attendance(session=session_id, enrolment=eid,
                                             present=eid in present) for eid in missing])


async def _resolve_flags(session_id: int, actor: Actor) -> None:
    await SessionFlag.update({SessionFlag.state: "resolved", SessionFlag.resolved_at: clock.now(),
                              SessionFlag.resolved_by: actor.user_id}).where(
        (SessionFlag.session == session_id) & (SessionFlag.state == "open"))


async def follow_hours(course: Course, actor: Actor, why: str) -> list[int]:
    """After hours changed: every completed trainee of the course now short of the required
    hours is reopened (back to 已录取, audited) and an issued training certificate goes to the
    officers' review queue; exam registrations resting on that completion go back to 待确认,
    or their certificates to the queue (``training.services.exam_basis``). Returns the
    reopened enrolment ids. Inside the caller's transaction."""
    progress = await progress_by_enrolment(course)
    completed = await Enrolment.select(Enrolment.id, Enrolment.credential_id).where(
        (Enrolment.course == course.id) & (Enrolment.state == s.ENROL_COMPLETED))
    reopened = []
    for row in completed:
        p = progress[row["id"]]
        if p.complete:
            continue
        await Enrolment.update({Enrolment.state: s.ENROL_ACCEPTED,
                                Enrolment.completed_at: None}).where(Enrolment.id == row["id"])
        hours_text = (f"理论 {p.theory_done}/{p.theory_required}，"
                      f"实操 {p.practical_done}/{p.practical_required}")
        await audit.record(actor, "enrolment.reopen", "enrolment", row["id"],
                           before={"state": s.ENROL_COMPLETED},
                           after={"state": s.ENROL_ACCEPTED, "hours": hours_text}, note=why)
        if row["credential_id"] is not None:
            await CERTIFICATION.get().enqueue_hours_short(
                row["credential_id"], row["id"], f"学时更正后低于课程要求（{hours_text}）；{why}",
                actor)
        reopened.append(row["id"])
    if reopened:
        from training.services.exam_basis import withdraw_course_basis

        await withdraw_course_basis(reopened, why, actor)
    return reopened


class ClassSessionRevisionRow(ClassSessionFacts):
    """One version of a class session (a ClassSessionRevision row) as the session page and
    training.schemas.ClassSessionRevisionOut show it: what it said (its facts and state), what
    was done (``action``: record | correct | void), the enrolment ids ``present`` in it, why
    and when."""

    revision: int
    action: str
    present: tuple[int, ...]
    state: s.ClassSessionState
    reason: str
    changed_at: datetime


async def history(session_id: int, actor: Actor) -> list[ClassSessionRevisionRow]:
    """Every version of a session, first to last (provider staff of its provider, officers).
    NotFound when the session does not exist or is another provider's."""
    session = await ClassSession.select(ClassSession.course).where(
        ClassSession.id == session_id).first()
    if session is None:
        raise NotFound("未找到该次课")
    from training.services.courses import get_course

    await get_course(session["course"], actor)
    r = ClassSessionRevision
    rows = await r.select(
        r.revision, r.held_on, r.starts_at, r.ends_at, r.kind, r.hours, r.topic, r.present,
        r.state, r.action, r.reason, r.changed_at,
    ).where(r.session == session_id).order_by(r.revision).output(load_json=True)
    return [ClassSessionRevisionRow(**row) for row in rows]


@dataclass(frozen=True)
class SessionFlagRow:
    """An open integrity flag on a class session: what the rules found (``kind``:
    future_date | duplicate | trainee_overlap), in words (``label``) and in detail."""

    id: int
    session_id: int
    kind: str
    detail: str

    @property
    def label(self) -> str:
        """The flag's kind in words (FLAG_LABELS; the code itself when unknown)."""
        return FLAG_LABELS.get(self.kind, self.kind)


async def open_flags(course_id: int) -> dict[int, list[SessionFlagRow]]:
    """Open integrity flags of a course's sessions, by session id, oldest first."""
    f = SessionFlag
    rows = await f.select(f.id, f.session.as_alias("session_id"), f.kind, f.detail).where(
        (f.session.course == course_id) & (f.state == "open")).order_by(f.id)
    out: dict[int, list[SessionFlagRow]] = {}
    for r in rows:
        out.setdefault(r["session_id"], []).append(SessionFlagRow(**r))
    return out


async def sessions_with_flags(course_id: int, actor: Actor) -> list[ClassSessionRow]:
    """Every session of the course (training.services.hours.sessions_of) with its open flags'
    labels and details (``label：detail``). NotFound for another provider's course."""
    rows = await sessions_of(course_id, actor)
    flags = await open_flags(course_id)
    return [r.model_copy(update={
        "flags": tuple(f"{f.label}：{f.detail}" for f in flags.get(r.id, []))}) for r in rows]
