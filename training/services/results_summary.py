"""Where a session's results stand before it is submitted (issue 10 point 4): every confirmed
candidate is accounted for — scores, or marked 缺考 — and the provider confirms the counts it
was shown. A submit carrying counts that no longer match (an upload happened meanwhile) is
refused, so a stale summary is never what gets submitted.

Counts: ``candidates`` confirmed registrations; ``absent`` marked 缺考; ``passed`` / ``failed``
results by the catalogue's pass mark (set at upload); ``missing`` candidates with neither.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from core.errors import Conflict, NotFound, ValidationError
from core.identity import mask_id_number
from training import states as s
from training.tables import ExamAbsence, ExamRegistration, ExamResult, ExamSession

COUNT_KEYS = ("candidates", "absent", "passed", "failed")
COUNT_LABELS = {"candidates": "考生", "absent": "缺考", "passed": "合格", "failed": "不合格"}
MISSING_LISTED = 200  # missing candidates listed by name; the count is always whole


@dataclass(frozen=True)
class ResultsSummary:
    candidates: int
    absent: int
    passed: int
    failed: int
    missing: int
    # (name, masked ID number) of the first MISSING_LISTED candidates without a result
    missing_people: list[tuple[str, str]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """The four counts the provider confirms before submitting."""
        return {key: getattr(self, key) for key in COUNT_KEYS}

    def describe(self) -> str:
        return "，".join(f"{COUNT_LABELS[k]} {v} 人" for k, v in self.counts().items())


async def results_summary(session_id: int) -> ResultsSummary:
    """The session's counts and who is still missing (ID numbers masked). Reads ids and flags
    only; names are fetched for the missing candidates listed."""
    confirmed = [r["id"] for r in await ExamRegistration.select(ExamRegistration.id).where(
        (ExamRegistration.session == session_id)
        & (ExamRegistration.status == s.REG_CONFIRMED)).order_by(ExamRegistration.id)]
    known = set(confirmed)
    results = await ExamResult.select(ExamResult.registration, ExamResult.passed).where(
        ExamResult.session == session_id)
    absences = await ExamAbsence.select(ExamAbsence.registration).where(
        ExamAbsence.session == session_id)
    scored = {r["registration"]: bool(r["passed"]) for r in results if r["registration"] in known}
    absent = {r["registration"] for r in absences if r["registration"] in known}
    missing = [i for i in confirmed if i not in scored and i not in absent]
    people = await ExamRegistration.select(
        ExamRegistration.id, ExamRegistration.person.name, ExamRegistration.person.id_number,
    ).where(ExamRegistration.id.is_in(missing[:MISSING_LISTED])).order_by(
        ExamRegistration.id) if missing else []
    n_passed = sum(scored.values())
    return ResultsSummary(
        candidates=len(confirmed), absent=len(absent), passed=n_passed,
        failed=len(scored) - n_passed, missing=len(missing),
        missing_people=[(r["person.name"], mask_id_number(r["person.id_number"]))
                        for r in people])


def _as_counts(confirm_counts: Mapping[str, Any] | None) -> dict[str, int] | None:
    if not isinstance(confirm_counts, Mapping):
        return None
    try:
        return {key: int(confirm_counts[key]) for key in COUNT_KEYS}
    except (KeyError, TypeError, ValueError):
        return None


async def lock_session(session_id: int) -> dict[str, Any]:
    """The session row (id, state), locked until the transaction ends on PostgreSQL (SQLite's
    write transactions are already exclusive): an upload and a submit of one session run one
    after the other, so a submit never confirms counts an upload is changing."""
    from core.db import is_sqlite

    query = ExamSession.select(ExamSession.id, ExamSession.state).where(
        ExamSession.id == session_id)
    if not is_sqlite():
        query = query.lock_rows("UPDATE")
    row = await query.first()
    if row is None:
        raise NotFound("未找到该考试场次")
    return row


async def require_submittable(session_id: int,
                              confirm_counts: Mapping[str, Any] | None) -> ResultsSummary:
    """Refuse a submit unless every confirmed candidate is resolved and ``confirm_counts``
    (candidates, absent, passed, failed) match the session as it is now.

    Raises ValidationError (field ``confirm_counts``) when the counts are missing, Conflict
    when candidates are unresolved or the counts are stale.
    """
    await lock_session(session_id)
    summary = await results_summary(session_id)
    if summary.candidates == 0 or summary.missing == summary.candidates:
        raise Conflict("尚未上传成绩，不能提交审核")
    if summary.missing:
        raise Conflict(f"还有 {summary.missing} 名考生既没有成绩也没有标为缺考，不能提交审核："
                       "请上传他们的成绩，缺考的考生在成绩列填写“缺考”")
    counts = _as_counts(confirm_counts)
    if counts is None:
        raise ValidationError("提交前请先查看成绩汇总（考生、缺考、合格、不合格人数）并确认",
                              "confirm_counts")
    if counts != summary.counts():
        raise Conflict(f"成绩汇总已变化（现在：{summary.describe()}），"
                       "请重新查看汇总并确认后再提交")
    return summary
