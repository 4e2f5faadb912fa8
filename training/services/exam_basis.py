"""What follows for exam registrations when the course completion they rest on is reopened.

An exam registration on the course route (``ExamRegistration.route == "course"``) records its
basis: the completed enrolment (``ExamRegistration.enrolment``, also in ``eligibility``).
When a correction or void of class sessions reopens that completion
(``training.services.hours_changes.follow_hours``), the registration can no longer stand on it:

- the person completed another matching skill course: the registration rests on that one;
- else, the session not yet approved: the registration goes back to 待确认 (pending), not eligible,
  with the reason shown to the provider; confirming it again needs the completion back
  (``require_basis``) — otherwise the provider rejects it;
- the session approved: a certificate issued from that registration's result goes to the
  人社局 officers' review queue (kind ``exam_basis_withdrawn``); it never silently stays.

Every change is audited, inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable

from core import audit
from core.actor import Actor
from core.errors import Conflict
from core.tables import Credential
from training import states as s
from training.ports import CERTIFICATION
from training.tables import Enrolment, ExamRegistration, ExamResult, ExamSession

REVIEW_KIND = "exam_basis_withdrawn"
WITHDRAWN = "报名依据的培训结业已撤销"


async def withdraw_course_basis(enrolment_ids: Iterable[int], why: str,
                                actor: Actor) -> dict[str, list[int]]:
    """Registrations resting on the completion of ``enrolment_ids`` (just reopened, ``why``
    says by what): back to pending when their session is not approved, their certificates
    queued for the officers when it is. Returns {"reopened": registration ids, "queued":
    credential ids}. Inside the caller's transaction."""
    ids = sorted(set(enrolment_ids))
    out: dict[str, list[int]] = {"reopened": [], "queued": []}
    if not ids:
        return out
    rows = await ExamRegistration.select(
        ExamRegistration.id, ExamRegistration.status, ExamRegistration.enrolment,
        ExamRegistration.person, ExamRegistration.session, ExamRegistration.session.state,
        ExamRegistration.session.exam_on, ExamRegistration.session.qualification_code,
        ExamRegistration.session.level,
    ).where((ExamRegistration.route == s.ROUTE_COURSE)
            & ExamRegistration.enrolment.is_in(ids)
            & ExamRegistration.status.is_in([s.REG_PENDING, s.REG_CONFIRMED])).order_by(
        ExamRegistration.id)
    for row in rows:
        if await _rest_on_another_course(row, ids, actor):
            continue
        reason = f"{WITHDRAWN}（{why}），请核实：学员重新结业后可再确认，否则不予通过"
        if row["session.state"] == s.EXAM_APPROVED:
            out["queued"] += await _queue_certificates(row, why, actor)
            continue
        await ExamRegistration.update({
            ExamRegistration.status: s.REG_PENDING, ExamRegistration.eligible: False,
            ExamRegistration.reason: reason[:2000], ExamRegistration.confirmed_at: None,
            ExamRegistration.confirmed_by: None,
        }).where(ExamRegistration.id == row["id"])
        await audit.record(actor, "exam_registration.basis_withdrawn", "exam_registration",
                           row["id"], before={"status": row["status"]},
                           after={"status": s.REG_PENDING, "enrolment": row["enrolment"]},
                           note=reason)
        out["reopened"].append(row["id"])
    return out


async def _rest_on_another_course(row: dict, withdrawn: list[int], actor: Actor) -> bool:
    """When the person completed another matching skill course (same qualification and
    level), the registration rests on that one instead (audited); True then."""
    other = await Enrolment.select(Enrolment.id).where(
        (Enrolment.person == row["person"]) & (Enrolment.state == s.ENROL_COMPLETED)
        & (Enrolment.course.kind == s.COURSE_SKILL)
        & (Enrolment.course.qualification_code == row["session.qualification_code"])
        & (Enrolment.course.level == row["session.level"])
        & Enrolment.id.not_in(withdrawn)).order_by(
        Enrolment.completed_at, ascending=False).first()
    if other is None:
        return False
    await ExamRegistration.update({ExamRegistration.enrolment: other["id"]}).where(
        ExamRegistration.id == row["id"])
    await audit.record(actor, "exam_registration.basis_replaced", "exam_registration",
                       row["id"], before={"enrolment": row["enrolment"]},
                       after={"enrolment": other["id"]})
    return True


async def _queue_certificates(row: dict, why: str, actor: Actor) -> list[int]:
    certification = CERTIFICATION.get()
    results = [r["id"] for r in await ExamResult.select(ExamResult.id).where(
        ExamResult.registration == row["id"])]
    if not results:
        return []
    creds = await Credential.select(Credential.id, Credential.number).where(
        (Credential.origin_type == "exam_result") & Credential.origin_id.is_in(results))
    queued = []
    for cred in creds:
        reason = (f"发证所依据的考试报名（{row['session.exam_on'].isoformat()} 场次）以培训结业为"
                  f"申报依据，该结业已撤销：{why}")
        count = await certification.review_count(cred["id"], REVIEW_KIND)
        item = await certification.enqueue_review(
            cred["id"], REVIEW_KIND, reason, f"{REVIEW_KIND}:{cred['id']}:{row['id']}:{count + 1}",
            {"registration": row["id"], "enrolment": row["enrolment"]})
        if item is None:
            continue
        await audit.record(actor, "certificate_review.queue", "credential", cred["id"],
                           after={"kind": REVIEW_KIND, "registration": row["id"]}, note=reason)
        queued.append(cred["id"])
    return queued


async def require_basis(registration: ExamRegistration) -> None:
    """Confirming a course-route registration needs its enrolment completed now: raises
    Conflict naming the withdrawn basis otherwise (the provider then rejects it, or confirms
    once the trainee has completed again)."""
    if registration.route != s.ROUTE_COURSE or registration.enrolment is None:
        return
    row = await Enrolment.select(Enrolment.state).where(
        Enrolment.id == registration.enrolment).first()
    if row is None or row["state"] != s.ENROL_COMPLETED:
        raise Conflict(f"{WITHDRAWN}（学时更正或作废后学员未达结业要求），不能确认；"
                       "请不予通过，或待学员重新结业后再确认", "status")


async def may_decide_late(session: ExamSession, registration: ExamRegistration) -> bool:
    """A registration sent back to pending by a withdrawn basis may still be decided after the
    session's results were uploaded (its result, if any, is not certified while pending)."""
    return (session.state == s.EXAM_RESULTS_UPLOADED and registration.status == s.REG_PENDING
            and registration.reason.startswith(WITHDRAWN))
