"""Bulk exam results upload: a file is all or nothing; an accepted one adds or replaces the
results of the candidates it names (scores, or 缺考 in ExamAbsence) and lists who is still
missing, so a session may be uploaded in parts; locked once the session is
submitted. A refused upload keeps its first errors and, for 24 hours, the file back with every
error marked in a column (training.results_feedback)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from piccolo.table import Table

from core import audit, clock, files
from core.actor import Actor
from core.clock import now
from core.db import transaction
from core.errors import Conflict, NotFound
from core.files import read_file
from training import states as s
from training.results_feedback import annotate_file
from training.results_file import (
    MAX_LISTED_ERRORS,
    RowError,
    check_against_candidates,
    parse_results_file,
    passed,
    sort_errors,
)
from training.services import exam_dates
from training.services.catalogue import level_rule
from training.services.common import Row, own_provider_id
from training.services.exams import get_session
from training.services.results_summary import (
    ResultsSummary,
    lock_session,
    results_digest,
    results_summary,
)
from training.tables import ExamAbsence, ExamRegistration, ExamResult, ExamSession, ResultUpload

FEEDBACK_HOURS = 24


@dataclass
class UploadOutcome:
    """``errors``: every problem (the annotated file marks them all; pages and the API list
    the first MAX_LISTED_ERRORS with ``len(errors)``). ``summary``: the session after an
    accepted upload, with the candidates still missing."""

    upload_id: int
    ok: bool
    accepted: int = 0
    passed: int = 0
    errors: list[RowError] | None = None
    absent: int = 0
    sheet: str | None = None
    summary: ResultsSummary | None = None


async def store_bytes(data: bytes, content_type: str, name: str, extension: str,
                      actor: Actor) -> int:
    """Like core.files.save_file, for the CSV/XLSX kinds a results file may have; the new
    StoredFile id."""
    row = await files.store_bytes(data, content_type=content_type, extension=extension,
                                  original_name=name, actor=actor)
    return row.id


async def _candidates(session_id: int) -> dict[str, tuple[str, int, int]]:
    """normalised ID number -> (registered name, registration id, person id)."""
    rows = await ExamRegistration.select(
        ExamRegistration.id, ExamRegistration.person, ExamRegistration.person.id_number,
        ExamRegistration.person.name,
    ).where((ExamRegistration.session == session_id)
            & (ExamRegistration.status == s.REG_CONFIRMED))
    return {r["person.id_number"]: (r["person.name"], r["id"], r["person"]) for r in rows}


def _check_file(data: bytes, filename: str, needs_review: bool,
                candidates: dict[str, tuple[str, int, int]]) -> tuple[Any, list[RowError]]:
    parsed = parse_results_file(data, filename, needs_review=needs_review,
                                candidates=len(candidates))
    errors = list(parsed.errors)
    if parsed.rows or parsed.partial:
        errors += check_against_candidates(parsed, {k: v[0] for k, v in candidates.items()})
    return parsed, sort_errors(errors)


async def upload_results(session_id: int, data: bytes, filename: str,
                         actor: Actor) -> UploadOutcome:
    own_provider_id(actor)
    session = await get_session(session_id, actor)
    exam_dates.require_exam_held(session.exam_on, exam_dates.UPLOAD)
    if session.state not in s.EXAM_UPLOADABLE:
        if session.state in (s.EXAM_SUBMITTED, s.EXAM_APPROVED):
            raise Conflict("成绩已提交审核，已锁定，不能再上传；如需更正请联系人社局")
        raise Conflict("报名截止后才能上传成绩")
    rule = await level_rule(session.qualification_code, session.level)
    candidates = await _candidates(session_id)
    parsed, errors = await asyncio.to_thread(_check_file, data, filename, rule.needs_review,
                                             candidates)
    if errors:
        return await _refused(session_id, data, filename, parsed, errors, actor)
    pass_mark = Decimal(rule.pass_mark)
    at = now()
    async with transaction():
        # Re-read (locked) inside the write transaction: a submit may have happened meanwhile,
        # and one starting now waits until these results are in (results_summary).
        state = (await lock_session(session_id))["state"]
        if state not in s.EXAM_UPLOADABLE:
            raise Conflict("成绩已提交审核，已锁定，不能再上传；如需更正请联系人社局")
        upload = ResultUpload(session=session_id, original_name=filename[:255], ok=True,
                              uploaded_by=actor.user_id, created_at=at)
        await upload.save()
        named = [candidates[row.id_number][1] for row in parsed.rows]
        await _clear(session_id, named, whole=len(named) == len(candidates))
        values, absences = [], []
        n_passed = 0
        for row in parsed.rows:
            _, registration_id, person_id = candidates[row.id_number]
            if row.absent:
                absences.append((session_id, registration_id, person_id, upload.id, at))
                continue
            ok = passed(row, pass_mark)
            n_passed += ok
            values.append((session_id, registration_id, person_id, row.theory, row.practical,
                           row.review, ok, upload.id, at))
        await _insert(ExamResult, _RESULT_COLUMNS, values)
        await _insert(ExamAbsence, _ABSENCE_COLUMNS, absences)
        await ResultUpload.update({ResultUpload.accepted: len(values),
                                   ResultUpload.passed: n_passed}).where(
            ResultUpload.id == upload.id)
        await ExamSession.update({ExamSession.state: s.EXAM_RESULTS_UPLOADED,
                                  ExamSession.results_uploaded_at: at,
                                  ExamSession.updated_at: at}).where(
            ExamSession.id == session_id)
        if len(named) == len(candidates):  # every candidate named: the file is the summary
            digest = results_digest(
                session_id, [c[1] for c in candidates.values()],
                {v[1]: (v[3], v[4], v[5], v[6]) for v in values}, [a[1] for a in absences])
            summary = ResultsSummary(len(candidates), len(absences), n_passed,
                                     len(values) - n_passed, 0, digest=digest)
        else:
            summary = await results_summary(session_id)
        await audit.record(actor, "exam_results.upload", "exam_session", session_id,
                           before={"state": state},
                           after={"state": s.EXAM_RESULTS_UPLOADED, "accepted": len(values),
                                  "absent": len(absences), "passed": n_passed,
                                  "missing": summary.missing, "file": filename[:100],
                                  "sheet": parsed.sheet})
    return UploadOutcome(upload.id, True, len(values), n_passed, [], len(absences),
                         parsed.sheet, summary)


_RESULT_COLUMNS = ("session", "registration", "person", "theory", "practical", "review", "passed",
                   "upload", "created_at")
_ABSENCE_COLUMNS = ("session", "registration", "person", "upload", "created_at")
_CHUNK = 500


async def _clear(session_id: int, registrations: list[int], *, whole: bool) -> None:
    """Drop the results and absences of the candidates an upload names (all of the session's
    when it names every candidate: one statement instead of chunks)."""
    for table in (ExamResult, ExamAbsence):
        if whole:
            await table.delete().where(table.session == session_id)
            continue
        for start in range(0, len(registrations), _CHUNK):
            await table.delete().where((table.session == session_id) & table.registration.is_in(
                registrations[start:start + _CHUNK]))


async def _insert(table: type[Table], columns: tuple[str, ...], values: list[tuple]) -> None:
    """One prepared INSERT run for every row on the transaction's own connection: building
    10,000 Piccolo objects or query strings costs more than the database work. Decimal, bool
    and datetime are converted by the drivers (Piccolo registers the SQLite adapters)."""
    from core.db import engine, is_sqlite

    if not values:
        return
    names = ", ".join(columns)
    current = engine().current_transaction.get()
    connection = getattr(current, "connection", None)
    if connection is None:  # not inside core.db.transaction(): keep the ORM path
        await table.insert(*[table(**dict(zip(columns, row, strict=True))) for row in values])
        return
    if is_sqlite():
        marks = ", ".join("?" * len(columns))
    else:
        marks = ", ".join(f"${n}" for n in range(1, len(columns) + 1))
    await connection.executemany(
        f"INSERT INTO {table._meta.tablename} ({names}) VALUES ({marks})", values)


async def _refused(session_id: int, data: bytes, filename: str, parsed: Any,
                   errors: list[RowError], actor: Actor) -> UploadOutcome:
    """Keep the error list and the annotated file (24 h); no result is touched."""
    await purge_expired_feedback()
    feedback_id = None
    if data:
        body, name, content_type = await asyncio.to_thread(annotate_file, data, parsed, errors)
        feedback_id = await store_bytes(body, content_type.split(";")[0], name,
                                        name.rsplit(".", 1)[-1], actor)
    async with transaction():
        upload = ResultUpload(
            session=session_id, original_name=filename[:255], ok=False,
            errors=[e.as_dict() for e in errors[:MAX_LISTED_ERRORS]], feedback_file=feedback_id,
            feedback_expires_at=now() + timedelta(hours=FEEDBACK_HOURS),
            uploaded_by=actor.user_id, created_at=now())
        await upload.save()
    return UploadOutcome(upload.id, False, errors=errors, sheet=parsed.sheet)


async def purge_expired_feedback() -> int:
    """Drop annotated files past their 24 hours (rows and, when no other row shares the
    content-addressed contents, the contents: core.files.delete_file). Returns how many were
    dropped."""
    expired = await ResultUpload.select(ResultUpload.id, ResultUpload.feedback_file).where(
        ResultUpload.feedback_file.is_not_null()
        & (ResultUpload.feedback_expires_at < now()))
    for row in expired:
        await ResultUpload.update({ResultUpload.feedback_file: None}).where(
            ResultUpload.id == row["id"])
        await files.delete_file(row["feedback_file"])
    return len(expired)


@dataclass(frozen=True)
class UploadAttempt:
    """A results upload attempt as the provider's exam page shows it: whether it passed the
    checks (``ok``), the annotated file kept for 24 hours after a refused one
    (``feedback_file``, a StoredFile id; None once purged or for an accepted file) and when."""

    id: int
    original_name: str
    ok: bool
    feedback_file: int | None
    created_at: datetime


async def latest_upload(session_id: int) -> UploadAttempt | None:
    """The session's latest upload attempt, or None before the first. The caller has checked
    who may see the session (training.services.exams.get_session)."""
    ru = ResultUpload
    row = await ru.select(ru.id, ru.original_name, ru.ok, ru.feedback_file, ru.created_at).where(
        ru.session == session_id).order_by(ru.id, ascending=False).first()
    return None if row is None else UploadAttempt(**{**row, "ok": bool(row["ok"])})


async def feedback_file(session_id: int, upload_id: int, actor: Actor) -> tuple[str, str, bytes]:
    await get_session(session_id, actor)
    row = await ResultUpload.objects().where((ResultUpload.id == upload_id)
                                             & (ResultUpload.session == session_id)).first()
    if row is None or row.feedback_file is None:
        raise NotFound("未找到该反馈文件")
    expires = row.feedback_expires_at
    if expires is not None and expires.tzinfo is None:
        expires = expires.replace(tzinfo=UTC)
    if expires is None or expires < clock.now():
        raise NotFound("标注错误的文件只保留 24 小时，已过期；请重新上传以获得新的标注文件")
    stored, body = await read_file(row.feedback_file)
    return stored.original_name, stored.content_type, body


class CandidateScores(Row):
    """A candidate's scores as the API lists them (training.schemas.ExamResultOut): the
    registration, the name, theory, practical and review (综合评审; None for a level without
    one) scores, and whether they passed."""

    registration_id: int
    name: str
    theory: Decimal
    practical: Decimal
    review: Decimal | None
    passed: bool


class ExamResultRow(CandidateScores):
    """A candidate's scores as the provider's page shows them: with the ID number
    (``full_id_number`` unmasked, for the entitled page to mask; the API leaves it out)."""

    full_id_number: str


async def results_of(session_id: int, actor: Actor,
                     limit: int | None = None) -> list[ExamResultRow]:
    """The session's results in upload order (the first ``limit`` when given). NotFound for
    another provider's session."""
    await get_session(session_id, actor)
    er = ExamResult
    query = er.select(
        er.registration.as_alias("registration_id"), er.person.name.as_alias("name"),
        er.person.id_number.as_alias("full_id_number"), er.theory, er.practical, er.review,
        er.passed,
    ).where(er.session == session_id).order_by(er.id)
    return [ExamResultRow(**r) for r in await (query.limit(limit) if limit else query)]


async def result_counts(session_id: int) -> tuple[int, int]:
    """(results, passed) of a session."""
    where = ExamResult.session == session_id
    return (await ExamResult.count().where(where),
            await ExamResult.count().where(where & (ExamResult.passed == True)))  # noqa: E712


async def summary_of(session_id: int, actor: Actor) -> ResultsSummary:
    """The session's results summary for its provider or an officer (see results_summary)."""
    await get_session(session_id, actor)
    return await results_summary(session_id)


@dataclass(frozen=True)
class Absentee:
    """A candidate marked 缺考: the name and ID number (unmasked, for the entitled page to
    mask)."""

    registration_id: int
    name: str
    full_id_number: str


async def absentees_of(session_id: int, actor: Actor) -> list[Absentee]:
    """The session's candidates marked 缺考, in upload order. NotFound for another provider's
    session."""
    await get_session(session_id, actor)
    ea = ExamAbsence
    return [Absentee(**r) for r in await ea.select(
        ea.registration.as_alias("registration_id"), ea.person.name.as_alias("name"),
        ea.person.id_number.as_alias("full_id_number"),
    ).where(ea.session == session_id).order_by(ea.id)]
