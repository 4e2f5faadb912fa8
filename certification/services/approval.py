"""The 人社局 officer's review of a submitted exam session: approve (certificates issued in the
assessment body's name to everyone who passed) or return it to the provider with a reason.

Approval is one short transaction: lock the session row, check it is still ``submitted``, allocate
numbers and write the certificates, mark it approved. The session's row belongs to training: it
is locked and moved through training's own service (``training.services.exams``:
``lock_for_decision``, ``mark_approved``, ``mark_returned``). A second officer approving at the
same time waits for the lock and then finds it approved (409), so every candidate gets exactly
one certificate; CertificateRecord.origin_key (``exam_result:<id>``) is unique as a last guard.
Rendering and signing happen afterwards in the job (certification.jobs).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from certification import numbers
from certification.services.catalogue import qualification
from certification.services.issuance import NewCertificate, issue
from certification.services.jobs_queue import JobProgress, jobs_for
from certification.tables import CertificateRecord
from core import audit, clock, db
from core.actor import Actor
from core.errors import Conflict, NotFound, ValidationError
from core.identity import mask_id_number
from core.pagination import Page
from training.services import exams
from training.services.exam_dates import APPROVE, refusal, require_exam_held
from training.states import EXAM_APPROVED, EXAM_RESULTS_UPLOADED, EXAM_STATE_LABELS, EXAM_SUBMITTED
from training.tables import ExamAbsence, ExamResult, ExamSession, Provider

REVIEW_STATES = (EXAM_SUBMITTED, EXAM_APPROVED, EXAM_RESULTS_UPLOADED)


@dataclass
class Candidate:
    result_id: int
    registration_id: int
    person_id: int
    name: str
    id_number: str  # masked unless the viewer is entitled
    theory: float | None
    practical: float | None
    review: float | None
    passed: bool
    credential_id: int | None = None
    number: str | None = None
    absent: bool = False  # marked 缺考 in the results upload: no scores, never a certificate


@dataclass
class SessionView:
    id: int
    title: str
    provider: str
    provider_id: int
    qualification: str
    qualification_code: str
    level: int
    level_name: str
    exam_on: object
    state: str
    state_label: str
    return_reason: str
    body_ready: bool
    candidates: list[Candidate] = field(default_factory=list)
    jobs: list[JobProgress] = field(default_factory=list)
    not_before: str | None = None  # the refusal naming the exam date, while it is ahead

    @property
    def passed(self) -> int:
        return sum(1 for c in self.candidates if c.passed)

    @property
    def absent(self) -> int:
        return sum(1 for c in self.candidates if c.absent)

    @property
    def total(self) -> int:
        """Candidates of the session (present or 缺考)."""
        return len(self.candidates)


def _float(value: object) -> float | None:
    return None if value is None else float(value)


async def _view(session: dict, provider: dict, *, full: bool = False) -> SessionView:
    info = await qualification(session["qualification_code"])
    level_name = info.levels.get(session["level"], f"{session['level']}级")
    return SessionView(
        id=session["id"], title=f"{info.name} {level_name}（{session['exam_on']}）",
        provider=provider["name"], provider_id=provider["id"], qualification=info.name,
        qualification_code=info.code, level=session["level"], level_name=level_name,
        exam_on=session["exam_on"], state=session["state"],
        state_label=EXAM_STATE_LABELS.get(session["state"], session["state"]),
        return_reason=session["return_reason"] or "",
        body_ready=bool(provider["body_type"] and provider["body_code"]
                        and provider["site_serial"]),
        not_before=refusal(session["exam_on"], clock.today(), APPROVE),
    )


async def list_sessions(state: str, page: int, per_page: int) -> Page[SessionView]:
    if state and state not in REVIEW_STATES:
        raise ValidationError("状态取值无效", "state")
    where = ExamSession.state == (state or EXAM_SUBMITTED)
    total = await ExamSession.count().where(where)
    result = Page([], page, per_page, total, query={"state": state})
    rows = await ExamSession.select().where(where).order_by(
        ExamSession.submitted_at, ascending=False).limit(per_page).offset(result.offset)
    providers = {p["id"]: p for p in await Provider.select().where(
        Provider.id.is_in([r["provider"] for r in rows] or [0]))}
    result.items = [await _view(r, providers[r["provider"]]) for r in rows]
    for view in result.items:
        view.candidates = await _candidates(view.id, full=False)
    return result


async def _candidates(session_id: int, *, full: bool) -> list[Candidate]:
    rows = await ExamResult.select(
        ExamResult.id, ExamResult.registration, ExamResult.person, ExamResult.theory,
        ExamResult.practical, ExamResult.review, ExamResult.passed,
        ExamResult.person.name.as_alias("name"), ExamResult.person.id_number.as_alias("idn"),
    ).where(ExamResult.session == session_id).order_by(ExamResult.id)
    keys = [f"exam_result:{r['id']}" for r in rows]
    issued = {r["origin_key"]: r for r in await CertificateRecord.select(
        CertificateRecord.origin_key, CertificateRecord.credential,
        CertificateRecord.credential.number.as_alias("number"),
    ).where(CertificateRecord.origin_key.is_in(keys or [""]))}
    out = []
    for r in rows:
        cert = issued.get(f"exam_result:{r['id']}")
        out.append(Candidate(
            result_id=r["id"], registration_id=r["registration"], person_id=r["person"],
            name=r["name"], id_number=r["idn"] if full else mask_id_number(r["idn"]),
            theory=_float(r["theory"]), practical=_float(r["practical"]),
            review=_float(r["review"]), passed=bool(r["passed"]),
            credential_id=cert["credential"] if cert else None,
            number=cert["number"] if cert else None,
        ))
    absences = await ExamAbsence.select(
        ExamAbsence.registration, ExamAbsence.person,
        ExamAbsence.person.name.as_alias("name"), ExamAbsence.person.id_number.as_alias("idn"),
    ).where(ExamAbsence.session == session_id).order_by(ExamAbsence.id)
    out.extend(Candidate(
        result_id=0, registration_id=r["registration"], person_id=r["person"], name=r["name"],
        id_number=r["idn"] if full else mask_id_number(r["idn"]), theory=None, practical=None,
        review=None, passed=False, absent=True) for r in absences)
    return out


async def session_view(session_id: int, *, full: bool = False) -> SessionView:
    session = await ExamSession.select().where(ExamSession.id == session_id).first()
    if session is None or session["state"] not in REVIEW_STATES:
        raise NotFound("未找到该考核批次")
    provider = await Provider.select().where(Provider.id == session["provider"]).first()
    view = await _view(session, provider)
    view.candidates = await _candidates(session_id, full=full)
    view.jobs = await jobs_for(f"exam_session:{session_id}")
    return view


async def _locked_session(session_id: int) -> ExamSession:
    session = await exams.lock_for_decision(session_id)  # the second approver waits here
    if session is None or session.state not in REVIEW_STATES:
        raise NotFound("未找到该考核批次")
    return session


@dataclass(frozen=True)
class Approval:
    session_id: int
    issued: list[int]
    job_id: int | None


async def approve_session(session_id: int, actor: Actor) -> Approval:
    async with db.transaction():
        session = await _locked_session(session_id)
        if session.state == EXAM_APPROVED:
            raise Conflict("该考核批次已审核通过，证书已发放", "state")
        if session.state != EXAM_SUBMITTED:
            raise Conflict("该考核批次已退回机构，待重新提交后再审核", "state")
        require_exam_held(session.exam_on, APPROVE)
        provider = await Provider.objects().where(Provider.id == session.provider).first()
        if not (provider.body_type and provider.body_code and provider.site_serial):
            raise Conflict("该机构尚未登记评价机构代码和站点序号，不能以其名义发证", "provider")
        today = clock.today()
        prefix = numbers.SkillNumberParts(
            provider.body_type, provider.body_code, provider.province_code or "12",
            provider.site_serial, today.year, session.level).prefix()
        # Only confirmed registrations are certified: one sent back to 待确认 after its
        # basis (a course completion) was withdrawn is not (training.services.exam_basis).
        passed = await ExamResult.select(ExamResult.id, ExamResult.person).where(
            (ExamResult.session == session_id) & (ExamResult.passed == True)  # noqa: E712
            & (ExamResult.registration.status == "confirmed")
        ).order_by(ExamResult.id)
        issued = await issue([NewCertificate(
            person_id=r["person"], kind="skill", qualification_code=session.qualification_code,
            number_prefix=prefix, issuer_name=provider.name,
            issuer_code=f"{provider.body_type}{provider.body_code}", issued_on=today,
            origin_key=f"exam_result:{r['id']}", origin_type="exam_result", origin_id=r["id"],
            level=session.level,
        ) for r in passed], actor,
            job_title=f"{provider.name} {session.exam_on.isoformat()} 考试发证",
            job_origin=f"exam_session:{session_id}")
        await exams.mark_approved(session, actor)
        await audit.record(actor, "exam_session.approve", "exam_session", session_id,
                           before={"state": EXAM_SUBMITTED},
                           after={"state": EXAM_APPROVED, "issued": len(issued)})
        jobs = await jobs_for(f"exam_session:{session_id}")
        return Approval(session_id, issued, jobs[0].id if jobs and issued else None)


async def return_session(session_id: int, reason: str, actor: Actor) -> None:
    if not (reason or "").strip():
        raise ValidationError("请填写退回原因，便于机构更正后重新提交", "reason")
    async with db.transaction():
        session = await _locked_session(session_id)
        if session.state != EXAM_SUBMITTED:
            raise Conflict("只有待审核的考核批次可以退回", "state")
        await exams.mark_returned(session, reason.strip())
        await audit.record(actor, "exam_session.return", "exam_session", session_id,
                           before={"state": EXAM_SUBMITTED},
                           after={"state": EXAM_RESULTS_UPLOADED}, note=reason.strip())
