"""Exam sessions (run by a provider filed as an assessment body, for a qualification and level
it may examine) and exam registration: open to anyone meeting the 申报条件 — completing a
matching course is one route, the conditions checked against the registry's evidence the other.
The provider confirms each registration. States: training.states.EXAM_*."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from core import audit, otp
from core.actor import Actor
from core.clock import now, today
from core.db import is_sqlite, transaction
from core.errors import Conflict, NotFound, ValidationError
from core.identity import IdType, mask_id_number, names_match, normalise_id_number, normalise_name
from core.levels import level_label
from core.messages.outbox import enqueue
from core.pagination import Page
from core.people import find_person
from core.tables import Credential, Person, WorkPeriod
from training import eligibility as el
from training import states as s
from training.services import evidence as ev
from training.services import exam_basis, exam_dates, providers, results_summary
from training.services.catalogue import level_rule, qualification_names
from training.services.common import Row, check_provider_access, own_provider_id, person_of
from training.tables import (
    Enrolment,
    ExamAbsence,
    ExamRegistration,
    ExamResult,
    ExamSession,
    OnBehalfRegistration,
    Provider,
)

DIPLOMA_KINDS = tuple(el._data()["diploma_kinds"].keys())


async def create_session(qualification_code: str, level: int, exam_on: date, place: str,
                         actor: Actor) -> int:
    provider_id = own_provider_id(actor)
    provider = await providers.require_approved(provider_id)
    if not provider.is_assessment_body:
        raise Conflict("本机构未备案为评价机构，不能组织考试")
    await level_rule(qualification_code, level)
    if not await providers.may(provider_id, s.SCOPE_EXAMINE, qualification_code, level):
        raise ValidationError("本机构未获准评价该职业（等级）", "qualification_code")
    if exam_on < today():
        raise ValidationError("考试日期不能早于今天", "exam_on")
    async with transaction():
        at = now()
        row = ExamSession(provider=provider_id, qualification_code=qualification_code,
                          level=level, exam_on=exam_on, place=(place or "").strip()[:200],
                          state=s.EXAM_DRAFT, created_at=at, updated_at=at)
        await row.save()
        await audit.record(actor, "exam_session.create", "exam_session", row.id, after={
            "qualification_code": qualification_code, "level": level, "exam_on": exam_on})
    return row.id


async def get_session(session_id: int, actor: Actor) -> ExamSession:
    row = await ExamSession.objects().where(ExamSession.id == session_id).first()
    if row is None:
        raise NotFound("未找到该考试场次")
    check_provider_access(actor, row.provider, "未找到该考试场次")
    return row


# Provider-side moves; the officer decides approve / return in certification, which records
# the move through mark_approved / mark_returned below.
MOVES = {
    "open": ((s.EXAM_DRAFT,), s.EXAM_OPEN),
    "close": ((s.EXAM_OPEN,), s.EXAM_CLOSED),
    "submit": ((s.EXAM_RESULTS_UPLOADED,), s.EXAM_SUBMITTED),
}


async def move(session_id: int, action: str, actor: Actor,
               confirm_counts: Mapping[str, Any] | None = None,
               confirm_digest: str | None = None) -> str:
    """Move the session (open, close, submit). ``submit`` needs every confirmed candidate
    resolved and ``confirm_digest``, the digest of the summary the provider confirmed, matching
    the session's results now (and ``confirm_counts`` when sent; see
    training.services.results_summary)."""
    own_provider_id(actor)
    if action not in MOVES:
        raise ValidationError("不支持的操作", "action")
    sources, target = MOVES[action]
    async with transaction():
        row = await get_session(session_id, actor)
        if row.state not in sources:
            raise Conflict(f"考试场次当前为“{s.EXAM_STATE_LABELS[row.state]}”，不能执行此操作")
        if action == "open":
            await providers.require_approved(row.provider)
        # a registration sent back to 待确认 after results were uploaded (its course completion
        # withdrawn, training.services.exam_basis) is decided before the submit too
        if action in ("close", "submit") and await ExamRegistration.exists().where(
                (ExamRegistration.session == row.id)
                & (ExamRegistration.status == s.REG_PENDING)):
            raise Conflict("还有待确认的报名，请先逐一确认或不予通过")
        if action == "submit":
            exam_dates.require_exam_held(row.exam_on, exam_dates.SUBMIT)
        summary = None
        if action == "submit":
            summary = await results_summary.require_submittable(row.id, confirm_counts,
                                                                confirm_digest)
        before = row.state
        values: dict[Any, Any] = {ExamSession.state: target, ExamSession.updated_at: now()}
        if action == "submit":
            values.update({ExamSession.submitted_at: now(),
                           ExamSession.submitted_by: actor.user_id})
        await ExamSession.update(values).where(ExamSession.id == row.id)
        await audit.record(actor, f"exam_session.{action}", "exam_session", row.id,
                           before={"state": before, "return_reason": row.return_reason},
                           after={"state": target, **(summary.counts() if summary else {}),
                                  **({"digest": summary.digest} if summary else {})})
    return target


# --- the officer's decision: certification decides, the session's move is recorded here ----


async def lock_for_decision(session_id: int) -> ExamSession | None:
    """The session row, locked until the transaction ends on PostgreSQL (SQLite's write
    transactions are already exclusive): a second officer deciding the same session waits
    here and then finds it decided. None when there is no such session. Inside the caller's
    transaction (certification's approval)."""
    query = ExamSession.objects().where(ExamSession.id == session_id)
    if not is_sqlite():
        query = query.lock_rows("UPDATE")
    return await query.first()


def _require_submitted(session: ExamSession) -> None:
    if session.state != s.EXAM_SUBMITTED:
        raise Conflict(f"考试场次当前为“{s.EXAM_STATE_LABELS[session.state]}”，不能审核", "state")


async def mark_approved(session: ExamSession, actor: Actor) -> None:
    """submitted → approved: stamped with the officer (``actor``) and the time, any earlier
    return reason cleared. ``session`` is the row from ``lock_for_decision``; called inside
    certification's approval transaction once the certificates are written (the decision is
    audited there). Raises Conflict (field ``state``) when the session is not submitted."""
    _require_submitted(session)
    at = now()
    await ExamSession.update({
        ExamSession.state: s.EXAM_APPROVED, ExamSession.approved_at: at,
        ExamSession.approved_by: actor.user_id, ExamSession.return_reason: "",
        ExamSession.updated_at: at,
    }).where(ExamSession.id == session.id)


async def mark_returned(session: ExamSession, reason: str) -> None:
    """submitted → results_uploaded with ``reason`` shown to the provider, who corrects and
    submits again. ``session`` is the row from ``lock_for_decision``; inside certification's
    transaction (audited there). Raises Conflict (field ``state``) when not submitted."""
    _require_submitted(session)
    await ExamSession.update({
        ExamSession.state: s.EXAM_RESULTS_UPLOADED, ExamSession.return_reason: reason,
        ExamSession.updated_at: now(),
    }).where(ExamSession.id == session.id)


async def submitted_session_ids() -> list[int]:
    """Ids of the sessions waiting for the officer's decision (the demo approves them)."""
    return [r["id"] for r in await ExamSession.select(ExamSession.id).where(
        ExamSession.state == s.EXAM_SUBMITTED).order_by(ExamSession.id)]


# --- registration --------------------------------------------------------------------------


async def evidence_for(person_id: int, diplomas: frozenset[str],
                       apprenticeship: bool) -> el.ApplicantEvidence:
    """The registry's evidence: the person's credentials and declared work history."""
    certs = await Credential.select(Credential.code, Credential.level, Credential.issued_on,
                                    Credential.status, Credential.expires_on).where(
        Credential.person == person_id)
    periods = await WorkPeriod.select().where(WorkPeriod.person == person_id)
    return el.ApplicantEvidence(
        certificates=tuple(el.HeldCertificate(c["code"], c["level"], c["issued_on"],
                                              c["status"], c["expires_on"]) for c in certs),
        work_periods=tuple(el.WorkPeriod(p["employer"], p["occupation"], p["started_on"],
                                         p["ended_on"], "declared") for p in periods),
        diplomas=diplomas, apprenticeship=apprenticeship)


async def _completed_course(person_id: int, code: str, level: int) -> int | None:
    row = await Enrolment.select(Enrolment.id).where(
        (Enrolment.person == person_id) & (Enrolment.state == s.ENROL_COMPLETED)
        & (Enrolment.course.kind == s.COURSE_SKILL)
        & (Enrolment.course.qualification_code == code) & (Enrolment.course.level == level)
    ).order_by(Enrolment.completed_at, ascending=False).first()
    return row["id"] if row else None


@dataclass(frozen=True)
class EligibilityView:
    eligible: bool
    route: str  # course | conditions
    met: str | None
    missing: list[str]
    relies_on_declared: bool
    edition: str
    source: str
    enrolment_id: int | None = None
    declared: tuple[str, ...] = ()  # requirements resting on the applicant's word (自述)


async def check(session: ExamSession, person_id: int, diplomas: frozenset[str],
                apprenticeship: bool) -> EligibilityView:
    bad = diplomas - set(DIPLOMA_KINDS)
    if bad:
        raise ValidationError("学历类别无效", "diplomas")
    on = today()
    rules = el.conditions_for(session.qualification_code, session.level, on)
    enrolment_id = await _completed_course(person_id, session.qualification_code, session.level)
    if enrolment_id is not None:
        return EligibilityView(True, s.ROUTE_COURSE, "已完成本职业本等级培训班次的学习", [], False,
                               rules.edition, rules.source, enrolment_id)
    result = el.check_eligibility(rules, await evidence_for(person_id, diplomas, apprenticeship),
                                  on)
    return EligibilityView(result.eligible, s.ROUTE_CONDITIONS, result.met, result.missing,
                           result.relies_on_declared, rules.edition, rules.source,
                           declared=result.declared)


async def open_session_for_registration(session_id: int) -> ExamSession:
    row = await ExamSession.objects().where(ExamSession.id == session_id).first()
    if row is None or row.state == s.EXAM_DRAFT:
        raise NotFound("未找到该考试场次")
    return row


async def preview(session_id: int, actor: Actor, diplomas: frozenset[str],
                  apprenticeship: bool) -> EligibilityView:
    session = await open_session_for_registration(session_id)
    return await check(session, person_of(actor), diplomas, apprenticeship)


async def register(session_id: int, actor: Actor, diplomas: frozenset[str] = frozenset(),
                   apprenticeship: bool = False) -> tuple[int, EligibilityView]:
    person_id = person_of(actor)
    async with transaction():
        session = await open_session_for_registration(session_id)
        if session.state != s.EXAM_OPEN:
            raise Conflict("该考试场次不在报名期")
        if await ExamRegistration.exists().where(
                (ExamRegistration.session == session_id)
                & (ExamRegistration.person == person_id)
                & (ExamRegistration.status != s.REG_REJECTED)):
            raise Conflict("您已报名该考试场次")
        view = await check(session, person_id, diplomas, apprenticeship)
        if not view.eligible:
            raise ValidationError("不符合申报条件：" + "；".join(view.missing), "diplomas")
        row = ExamRegistration(
            session=session_id, person=person_id, route=view.route,
            enrolment=view.enrolment_id, diplomas=sorted(diplomas),
            apprenticeship=apprenticeship, eligible=True, eligibility=asdict(view),
            status=s.REG_PENDING, created_at=now())
        await row.save()
        await audit.record(actor, "exam_registration.create", "exam_registration", row.id,
                           after={"session": session_id, "route": view.route, "met": view.met})
    return row.id, view


async def decide_registration(registration_id: int, confirm: bool, reason: str,
                              actor: Actor, seen: ev.EvidenceSeen | None = None) -> None:
    """Confirm or reject a pending registration. Confirming one whose condition rests on the
    applicant's declaration needs ``seen`` (a note and/or a scan), kept on the registration
    and in the audit row; rejecting needs a reason. Raises ValidationError / Conflict /
    NotFound."""
    own_provider_id(actor)
    seen = seen or ev.EvidenceSeen()
    reason = (reason or "").strip()
    async with transaction():
        row = await ExamRegistration.objects().where(
            ExamRegistration.id == registration_id).first()
        if row is None:
            raise NotFound("未找到该报名")
        session = await get_session(row.session, actor)
        if session.state not in (s.EXAM_OPEN, s.EXAM_CLOSED) and not (
                await exam_basis.may_decide_late(session, row)):
            raise Conflict("考试场次已上传成绩，不能再处理报名")
        if row.status != s.REG_PENDING:
            raise Conflict("该报名已处理")
        if not confirm and not reason:
            raise ValidationError("请填写不予通过的原因", "reason")
        eligibility = _decoded([{"eligibility": row.eligibility}])[0]["eligibility"]
        after: dict[str, Any] = {"status": s.REG_CONFIRMED if confirm else s.REG_REJECTED}
        if confirm:
            await exam_basis.require_basis(row)
            row.eligible = True
            kind = ev.check_evidence(eligibility, seen)
            row.evidence_note = seen.note.strip()
            row.evidence_file = await ev.store_evidence(seen, kind, actor)
            after.update(declared=ev.declared_of(eligibility), evidence_note=row.evidence_note,
                         evidence_file=row.evidence_file)
        row.status = after["status"]
        row.reason, row.confirmed_at, row.confirmed_by = reason, now(), actor.user_id
        await row.save()
        await audit.record(actor, f"exam_registration.{'confirm' if confirm else 'reject'}",
                           "exam_registration", row.id, before={"status": s.REG_PENDING},
                           after=after, note=reason or row.evidence_note)


def _decoded(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """JSON columns come back as text on SQLite."""
    for row in rows:
        for key in ("eligibility", "diplomas"):
            if isinstance(row.get(key), str):
                row[key] = json.loads(row[key])
    return rows


def _met(eligibility: dict[str, Any] | None) -> str | None:
    """The 申报条件 line met, as the eligibility check recorded it."""
    return (eligibility or {}).get("met")


class MaskedIdNumber:
    """For a row carrying an ID number unmasked (``full_id_number``: on file or as entered,
    for the entitled page to mask and for the results template): ``id_number``, masked."""

    full_id_number: str

    @property
    def id_number(self) -> str:
        """The ID number masked (1201**********123X), as the API answers it."""
        return mask_id_number(self.full_id_number)


@dataclass(frozen=True)
class SessionRegistration(MaskedIdNumber):
    """One line of the provider's confirmation list (training.schemas.SessionRegistrationOut):
    the candidate's name and ID number (``full_id_number`` unmasked, for the entitled page to
    mask and for the results template; ``id_number`` masked), the route, the 申报条件 line
    ``met``, ``declared``: what rests on the applicant's own declaration (自述), in Chinese,
    and the evidence the provider recorded when confirming."""

    id: int
    name: str
    full_id_number: str
    route: s.Route
    met: str | None
    status: s.RegistrationStatus
    declared: tuple[str, ...]
    evidence_note: str
    evidence_file: int | None
    reason: str


async def registrations_of(session_id: int, actor: Actor) -> list[SessionRegistration]:
    """A session's registrations for its provider, in registration order. NotFound for
    another provider's session."""
    await get_session(session_id, actor)
    er = ExamRegistration
    rows = _decoded(await er.select(
        er.id, er.person.name.as_alias("name"), er.person.id_number.as_alias("full_id_number"),
        er.route, er.eligibility, er.status, er.evidence_note, er.evidence_file, er.reason,
    ).where(er.session == session_id).order_by(er.id))
    return [SessionRegistration(
        id=r["id"], name=r["name"], full_id_number=r["full_id_number"],
        route=s.Route(r["route"]), met=_met(r["eligibility"]),
        status=s.RegistrationStatus(r["status"]),
        declared=tuple(ev.declared_labels(r["eligibility"])), evidence_note=r["evidence_note"],
        evidence_file=r["evidence_file"], reason=r["reason"]) for r in rows]


class ExamSessionRow(Row):
    """An exam session as the provider's list and the API (training.schemas.ExamSessionOut)
    show it: its provider, qualification and level, exam date, place, state, the officer's
    reason when the results were returned, and when it was submitted."""

    id: int
    provider_id: int
    qualification_code: str
    level: int
    exam_on: date
    place: str
    state: s.ExamState
    return_reason: str
    submitted_at: datetime | None


_SESSION_COLUMNS = (
    ExamSession.id, ExamSession.provider.as_alias("provider_id"),
    ExamSession.qualification_code, ExamSession.level, ExamSession.exam_on, ExamSession.place,
    ExamSession.state, ExamSession.return_reason, ExamSession.submitted_at)


async def provider_sessions(actor: Actor, page: int,
                            per_page: int = 20) -> Page[ExamSessionRow]:
    """The staff user's provider's exam sessions, latest exam first. Forbidden for anybody
    but provider staff."""
    provider_id = own_provider_id(actor)
    es = ExamSession
    where = es.provider == provider_id
    result: Page[ExamSessionRow] = Page([], page, per_page, await es.count().where(where))
    rows = await es.select(*_SESSION_COLUMNS).where(where).order_by(
        es.exam_on, ascending=False).order_by(es.id, ascending=False).limit(per_page).offset(
        result.offset)
    result.items = [ExamSessionRow(**r) for r in rows]
    return result


class OpenSession(ExamSessionRow):
    """An exam session open for registration, with its provider's name (the trainee's exam
    page; the API answers it as training.schemas.ExamSessionOut)."""

    provider_name: str


async def open_sessions() -> list[OpenSession]:
    """Sessions open for registration, soonest first."""
    es = ExamSession
    rows = await es.select(*_SESSION_COLUMNS, es.provider.name.as_alias("provider_name")).where(
        es.state == s.EXAM_OPEN).order_by(es.exam_on)
    return [OpenSession(**r) for r in rows]


class PublishedResult(Row):
    """A candidate's scores once the bureau approved the session; ``review`` (综合评审) only
    for the levels that have it."""

    theory: Decimal
    practical: Decimal
    review: Decimal | None
    passed: bool


class TraineeExamItem(Row):
    """One of the trainee's items about an exam session — a registration, or a request a
    provider made for them: its id, the session's id, occupation and level, date and place,
    and the provider's name."""

    id: int
    session_id: int
    qualification_code: str
    level: int
    exam_on: date
    place: str
    provider_name: str


class MyRegistration(TraineeExamItem):
    """One of the trainee's exam registrations (training.schemas.MyRegistrationOut): the
    session and its provider, the route and 申报条件 line ``met``, and — once the bureau
    approved the session — the result or ``absent`` (缺考)."""

    status: s.RegistrationStatus
    route: s.Route
    met: str | None
    reason: str
    result: PublishedResult | None
    absent: bool


async def my_registrations(actor: Actor) -> list[MyRegistration]:
    """The trainee's exam registrations, newest first."""
    person_id = person_of(actor)
    er = ExamRegistration
    rows = _decoded(await er.select(
        er.id, er.session.as_alias("session_id"), er.status, er.route, er.eligibility,
        er.reason, er.session.qualification_code.as_alias("qualification_code"),
        er.session.level.as_alias("level"), er.session.exam_on.as_alias("exam_on"),
        er.session.place.as_alias("place"), er.session.state.as_alias("session_state"),
        er.session.provider.name.as_alias("provider_name"),
    ).where(er.person == person_id).order_by(er.id, ascending=False))
    results = {r["registration"]: PublishedResult(theory=r["theory"], practical=r["practical"],
                                                  review=r["review"], passed=r["passed"])
               for r in await ExamResult.select(
                   ExamResult.registration, ExamResult.theory, ExamResult.practical,
                   ExamResult.review, ExamResult.passed).where(ExamResult.person == person_id)}
    absent = {r["registration"] for r in await ExamAbsence.select(
        ExamAbsence.registration).where(ExamAbsence.person == person_id)}
    out = []
    for row in rows:
        # Results (or 缺考) are shown to the candidate once the bureau approved them.
        approved = row["session_state"] == s.EXAM_APPROVED
        out.append(MyRegistration(
            id=row["id"], session_id=row["session_id"],
            qualification_code=row["qualification_code"], level=row["level"],
            exam_on=row["exam_on"], place=row["place"], provider_name=row["provider_name"],
            status=s.RegistrationStatus(row["status"]), route=s.Route(row["route"]),
            met=_met(row["eligibility"]), reason=row["reason"],
            result=results.get(row["id"]) if approved else None,
            absent=approved and row["id"] in absent))
    return out


# --- registration by the provider on a trainee's behalf ---------------------------------------
#
# The provider types the trainee's ID type, number and name, chooses the 申报条件 line met and
# records the evidence it saw (what rests on documents shown to the provider is recorded as
# seen, never as verified by the registry). The request is pending until the trainee confirms
# it: in their account (我的考试 → 待本人确认), or by telling the provider the SMS code sent to
# the phone on file. Nothing about the Person is shown to the provider, and whether the number
# is on file, with that name or a phone, changes nothing the provider sees: a request whose
# number and name do not match a Person is created all the same and can never be confirmed
# (its code is a decoy nobody receives). A pending request is not a registration: the
# ExamRegistration (confirmed) is written only when the trainee confirms.

class OnBehalfState(StrEnum):
    """ExamOnBehalf.state: awaiting the trainee, confirmed by them, declined by them."""

    AWAITING = "awaiting"
    CONFIRMED = "confirmed"
    DECLINED = "declined"


OB_AWAITING = OnBehalfState.AWAITING
OB_CONFIRMED = OnBehalfState.CONFIRMED
OB_DECLINED = OnBehalfState.DECLINED
OB_STATE_LABELS = {OB_AWAITING: "待本人确认", OB_CONFIRMED: "本人已确认",
                   OB_DECLINED: "本人已拒绝"}
OB_OTP_PURPOSE = "exam_on_behalf"
# Confirmation (by the trainee or the code) while the provider may still decide registrations.
OB_CONFIRMABLE = (s.EXAM_OPEN, s.EXAM_CLOSED)
OB_CODE_SENT = ("如本人在平台登记了手机号，验证码已发送至该手机号（10 分钟内有效），请向本人询问后"
                "填写；本人收不到短信时，请本人登录平台在“我的考试”中确认。")
OB_NOTICE = ("【托育从业人员平台】{provider}为您登记了{qualification}{level}考试报名（考试日期 "
             "{exam_on}）。请登录平台在“我的考试”中确认或拒绝；如需用短信验证码确认，请只把"
             "验证码告诉为您办理的机构工作人员。")


@dataclass(frozen=True)
class OnBehalfInput:
    """What the provider enters: the trainee's ID type (core.identity.IdType value), number
    and name as on the document, and the 1-based number of the 申报条件 line met (see
    ``conditions_of``)."""

    id_type: str
    id_number: str
    name: str
    condition: int


def conditions_of(session: ExamSession) -> list[tuple[int, str]]:
    """The 申报条件 lines of the session's occupation and level in force today, numbered from
    1: [(1, '累计从事本职业或相关职业工作满 1 年'), …]."""
    rules = el.conditions_for(session.qualification_code, session.level, today())
    return [(n, c.description) for n, c in enumerate(rules.conditions, start=1)]


def _on_behalf_person_key(row: Any) -> str:
    return f"{row.session}:{row.id_type}:{row.id_number}"


async def _on_behalf_notice(session: ExamSession) -> str:
    provider = await Provider.select(Provider.name).where(
        Provider.id == session.provider).first()
    return OB_NOTICE.format(provider=provider["name"] if provider else "培训机构",
                            qualification=(await qualification_names()).get(
                                session.qualification_code, session.qualification_code),
                            level=level_label(session.level), exam_on=session.exam_on.isoformat())


async def register_on_behalf(session_id: int, data: OnBehalfInput, seen: ev.EvidenceSeen,
                             actor: Actor) -> int:
    """The provider registers a trainee for its open session; returns the request's id, state
    ``awaiting`` (待本人确认). The evidence seen (note and/or scan, training.services.evidence)
    is required: the condition rests on documents the provider was shown. When the number and
    name match a Person on file, the request is theirs (shown in their account) and they are
    told by SMS to the phone on file; otherwise it can never be confirmed — the provider's
    answer is the same either way. Raises ValidationError (id_type, id_number, name,
    condition, evidence_note, evidence_file), Conflict (session not open; the same number
    already awaiting in this session), NotFound (another provider's session)."""
    own_provider_id(actor)
    session = await get_session(session_id, actor)
    if session.state != s.EXAM_OPEN:
        raise Conflict("该考试场次不在报名期")
    id_type = (data.id_type or IdType.RESIDENT).strip()
    if id_type not in {t.value for t in IdType}:
        raise ValidationError(f"证件类型无效（可填：{'、'.join(IdType)}）", "id_type")
    id_number = normalise_id_number(data.id_number, id_type)
    name = normalise_name(data.name)
    lines = conditions_of(session)
    if not 1 <= data.condition <= len(lines):
        raise ValidationError("请选择考生符合的申报条件", "condition")
    if not seen.given:
        raise ValidationError("请填写核验依据（所见材料及编号）或上传核验材料：由机构代为报名时，"
                              "申报条件以机构所见材料为据", ev.NOTE_FIELD)
    kind = ev.check_evidence(None, seen)
    rules = el.conditions_for(session.qualification_code, session.level, today())
    met = lines[data.condition - 1][1]
    chosen = rules.conditions[data.condition - 1]
    # what the registry holds no record of rests on the documents the provider saw
    declared = [key for key, needed in (("work_years", chosen.work_years is not None),
                                        ("diplomas", bool(chosen.diploma_any_of)),
                                        ("apprenticeship", chosen.apprenticeship)) if needed]
    eligibility = {"eligible": True, "route": s.ROUTE_CONDITIONS, "met": met, "missing": [],
                   "relies_on_declared": bool(declared), "edition": rules.edition,
                   "source": rules.source, "declared": declared, "condition": data.condition,
                   "evidence_seen_by": "provider"}
    async with transaction():
        if await OnBehalfRegistration.exists().where(
                (OnBehalfRegistration.session == session_id)
                & (OnBehalfRegistration.id_type == id_type)
                & (OnBehalfRegistration.id_number == id_number)
                & (OnBehalfRegistration.state == OB_AWAITING)):
            raise Conflict("已为该证件号码登记本场次报名，正等待本人确认", "id_number")
        person = await find_person(id_type, id_number)
        if person is not None and not names_match(person.name, name):
            person = None
        at = now()
        row = OnBehalfRegistration(
            session=session_id, person=person.id if person else None, id_type=id_type,
            id_number=id_number, name=name, condition=data.condition, eligibility=eligibility,
            evidence_note=seen.note.strip(), evidence_file=await ev.store_evidence(seen, kind,
                                                                                   actor),
            state=OB_AWAITING, created_by=actor.user_id, created_at=at)
        await row.save()
        await audit.record(actor, "exam_on_behalf.create", "exam_on_behalf", row.id, after={
            "session": session_id, "id_type": id_type, "id_number": mask_id_number(id_number),
            "condition": data.condition, "met": met, "evidence_note": row.evidence_note,
            "evidence_file": row.evidence_file, "matched": person is not None})
        if person is not None and person.phone:
            await enqueue("sms", person.phone, await _on_behalf_notice(session),
                          kind="notice", topic="exam.on_behalf", person_id=person.id)
    return row.id


async def _awaiting_request(request_id: int, lock: bool = False) -> Any:
    query = OnBehalfRegistration.objects().where(OnBehalfRegistration.id == request_id)
    if lock and not is_sqlite():
        query = query.lock_rows("UPDATE")
    return await query.first()


async def _confirm_request(row: Any, via: str, actor: Actor) -> int:
    """Write the confirmed ExamRegistration of an awaiting request (inside the caller's
    transaction); returns its id."""
    session = await ExamSession.objects().where(ExamSession.id == row.session).first()
    if session is None or session.state not in OB_CONFIRMABLE:
        raise Conflict("该考试场次已不在报名确认期，不能再确认")
    if await ExamRegistration.exists().where(
            (ExamRegistration.session == row.session) & (ExamRegistration.person == row.person)
            & (ExamRegistration.status != s.REG_REJECTED)):
        raise Conflict("本人已报名该考试场次")
    eligibility = row.eligibility
    if isinstance(eligibility, str):
        eligibility = json.loads(eligibility)
    at = now()
    registration = ExamRegistration(
        session=row.session, person=row.person, route=s.ROUTE_CONDITIONS, enrolment=None,
        diplomas=[], apprenticeship=False, eligible=True, eligibility=eligibility,
        status=s.REG_CONFIRMED, confirmed_at=at, confirmed_by=row.created_by, created_at=at,
        evidence_note=row.evidence_note, evidence_file=row.evidence_file)
    await registration.save()
    await OnBehalfRegistration.update({
        OnBehalfRegistration.state: OB_CONFIRMED, OnBehalfRegistration.decided_at: at,
        OnBehalfRegistration.decided_via: via,
        OnBehalfRegistration.registration: registration.id,
    }).where(OnBehalfRegistration.id == row.id)
    await audit.record(actor, "exam_on_behalf.confirm", "exam_on_behalf", row.id,
                       before={"state": OB_AWAITING},
                       after={"state": OB_CONFIRMED, "via": via,
                              "registration": registration.id})
    await audit.record(actor, "exam_registration.create", "exam_registration", registration.id,
                       after={"session": row.session, "route": s.ROUTE_CONDITIONS,
                              "met": eligibility.get("met"), "status": s.REG_CONFIRMED,
                              "on_behalf": row.id})
    return registration.id


async def answer_on_behalf(request_id: int, accept: bool, actor: Actor) -> str:
    """The trainee confirms (``accept``) or declines a registration a provider made for them;
    returns the new state (confirmed / declined). Another person's request, or one whose
    number and name matched nobody: NotFound. Raises Conflict when already answered, when
    the session no longer takes confirmations or the trainee is already registered."""
    person_id = person_of(actor)
    async with transaction():
        row = await _awaiting_request(request_id, lock=True)
        if row is None or row.person is None or row.person != person_id:
            raise NotFound("未找到该报名")
        if row.state != OB_AWAITING:
            raise Conflict("该报名已处理")
        if accept:
            await _confirm_request(row, "account", actor)
            return OB_CONFIRMED
        await OnBehalfRegistration.update({
            OnBehalfRegistration.state: OB_DECLINED, OnBehalfRegistration.decided_at: now(),
            OnBehalfRegistration.decided_via: "account",
        }).where(OnBehalfRegistration.id == row.id)
        await audit.record(actor, "exam_on_behalf.decline", "exam_on_behalf", row.id,
                           before={"state": OB_AWAITING}, after={"state": OB_DECLINED})
    return OB_DECLINED


async def _provider_request(request_id: int, actor: Actor) -> Any:
    own_provider_id(actor)
    row = await _awaiting_request(request_id)
    if row is None:
        raise NotFound("未找到该报名")
    await get_session(row.session, actor)  # another provider's: 404
    return row


async def send_on_behalf_code(request_id: int, actor: Actor) -> str:
    """Send the trainee the SMS code that confirms an awaiting request (core.otp, purpose
    ``exam_on_behalf``; 60 s between codes, 5 an hour). The code goes to the phone on file of
    the Person the request matched; with no match or no phone a decoy no input can match is
    stored and nothing is sent. Returns the one message the provider sees in every case.
    Raises CodeThrottled (429), Conflict (not awaiting), NotFound."""
    row = await _provider_request(request_id, actor)
    if row.state != OB_AWAITING:
        raise Conflict("该报名已处理")
    phone = None
    if row.person is not None:
        person = await Person.select(Person.phone).where(Person.id == row.person).first()
        phone = (person or {}).get("phone") or None
    async with transaction():
        await otp.send_code(OB_OTP_PURPOSE, _on_behalf_person_key(row), phone,
                            person_id=row.person, unguessable=phone is None)
        await audit.record(actor, "exam_on_behalf.code_sent", "exam_on_behalf", row.id)
    return OB_CODE_SENT


async def confirm_on_behalf_by_code(request_id: int, code: str, actor: Actor) -> str:
    """The provider enters the code the trainee received (``send_on_behalf_code``); a right
    code confirms the request like the trainee would in their account. Wrong, expired or
    over-tried codes raise ValidationError (field ``code``) through core.otp, each wrong try
    counted; a request that matched nobody never accepts a code. Returns 'confirmed'."""
    row = await _provider_request(request_id, actor)
    if row.state != OB_AWAITING:
        raise Conflict("该报名已处理")
    await otp.check_code(OB_OTP_PURPOSE, _on_behalf_person_key(row), code)  # own transaction
    async with transaction():
        row = await _awaiting_request(request_id, lock=True)
        if row is None or row.state != OB_AWAITING:
            raise Conflict("该报名已处理")
        if row.person is None:  # unreachable: its code is unguessable
            raise ValidationError("验证码不正确", "code")
        await _confirm_request(row, "sms", actor)
    return OB_CONFIRMED


def _on_behalf_fields(row: dict[str, Any]) -> dict[str, Any]:
    """A selected request row with the line met in place of the eligibility recorded and the
    state as its StrEnum."""
    fields = {k: v for k, v in row.items() if k != "eligibility"}
    return {**fields, "met": _met(row["eligibility"]), "state": OnBehalfState(row["state"])}


@dataclass(frozen=True)
class OnBehalfRequest(MaskedIdNumber):
    """One of the provider's requests (training.controllers.api.OnBehalfOut): only what the
    provider entered — ID type, number (``full_id_number`` as entered, for the page to mask;
    ``id_number`` masked) and name —, the condition chosen and the line ``met``, the evidence
    recorded and the state; never anything of the Person on file."""

    id: int
    session_id: int
    id_type: str
    full_id_number: str
    name: str
    condition: int
    met: str | None
    evidence_note: str
    evidence_file: int | None
    state: OnBehalfState

    @property
    def state_label(self) -> str:
        return OB_STATE_LABELS[self.state]


async def on_behalf_of_session(session_id: int, actor: Actor) -> list[OnBehalfRequest]:
    """The provider's requests for a session, oldest first. NotFound for another provider's
    session."""
    await get_session(session_id, actor)
    ob = OnBehalfRegistration
    rows = _decoded(await ob.select(
        ob.id, ob.session.as_alias("session_id"), ob.id_type,
        ob.id_number.as_alias("full_id_number"), ob.name, ob.condition, ob.eligibility,
        ob.evidence_note, ob.evidence_file, ob.state,
    ).where(ob.session == session_id).order_by(ob.id))
    return [OnBehalfRequest(**_on_behalf_fields(r)) for r in rows]


class OnBehalfSummary(TraineeExamItem):
    """A request awaiting the trainee's answer as the API lists it
    (training.controllers.api.MyOnBehalfOut): the session, its provider, the 申报条件 line
    ``met`` and the state."""

    met: str | None
    state: OnBehalfState


class MyOnBehalf(OnBehalfSummary):
    """A request awaiting the trainee's answer as their exam page shows it: its summary and
    the evidence the provider recorded."""

    evidence_note: str


async def my_on_behalf(actor: Actor) -> list[MyOnBehalf]:
    """The trainee's requests awaiting their answer, newest first, with the session."""
    person_id = person_of(actor)
    ob = OnBehalfRegistration
    rows = _decoded(await ob.select(
        ob.id, ob.session.as_alias("session_id"), ob.eligibility, ob.evidence_note, ob.state,
        ob.session.qualification_code.as_alias("qualification_code"),
        ob.session.level.as_alias("level"), ob.session.exam_on.as_alias("exam_on"),
        ob.session.place.as_alias("place"),
        ob.session.provider.name.as_alias("provider_name"),
    ).where((ob.person == person_id) & (ob.state == OB_AWAITING)).order_by(
        ob.id, ascending=False))
    return [MyOnBehalf(**_on_behalf_fields(r)) for r in rows]
