"""Where a session's results stand before it is submitted: every confirmed
candidate is accounted for — scores, or marked 缺考 — and the provider confirms the summary it
was shown. The confirmation binds to the exact results, not only the counts: the summary carries
``digest`` (SHA-256 over every candidate's registration id, scores, 缺考 and pass), a submit
sends it back as ``confirm_digest``, and one that no longer matches (an upload happened
meanwhile, even one keeping the counts but changing who passed) is refused, so a stale summary
is never what gets submitted.

Counts: ``candidates`` confirmed registrations; ``absent`` marked 缺考; ``passed`` / ``failed``
results by the catalogue's pass mark (set at upload); ``missing`` candidates with neither.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from core.errors import Conflict, NotFound, ValidationError
from core.identity import mask_id_number
from training import states as s
from training.tables import ExamAbsence, ExamRegistration, ExamResult, ExamSession

COUNT_KEYS = ("candidates", "absent", "passed", "failed")
COUNT_LABELS = {"candidates": "考生", "absent": "缺考", "passed": "合格", "failed": "不合格"}
MISSING_LISTED = 200  # missing candidates listed by name; the count is always whole


class MissingCandidate(NamedTuple):
    """A confirmed candidate with neither a result nor 缺考: name and masked ID number."""

    name: str
    id_number: str


@dataclass(frozen=True)
class ResultsSummary:
    """What training.schemas.ResultsSummaryOut shows (validated from this object)."""

    candidates: int
    absent: int
    passed: int
    failed: int
    missing: int
    # the first MISSING_LISTED candidates without a result
    missing_candidates: list[MissingCandidate] = field(default_factory=list)
    digest: str = ""  # results_digest of the results counted: what a submit confirms

    def counts(self) -> dict[str, int]:
        """The four counts the provider confirms before submitting."""
        return {key: getattr(self, key) for key in COUNT_KEYS}

    @property
    def confirm_counts(self) -> dict[str, int]:
        """The counts a submit may send back with ``confirm_digest``."""
        return self.counts()

    @property
    def confirm_digest(self) -> str:
        """The digest a submit sends back (``digest``)."""
        return self.digest

    def describe(self) -> str:
        return "，".join(f"{COUNT_LABELS[k]} {v} 人" for k, v in self.counts().items())


Scores = tuple[Any, Any, Any, bool]  # theory, practical, review (None), passed
_CENT = Decimal("0.01")


def _score_text(value: Any) -> str:
    return "-" if value is None else f"{Decimal(str(value)).quantize(_CENT)}"


def results_digest(session_id: int, confirmed: Iterable[int], scored: Mapping[int, Scores],
                   absent: Iterable[int]) -> str:
    """SHA-256 (hex) over the session's candidates sorted by registration id, one line each:
    ``id:theory:practical:review:passed`` (scores to two decimals, ``-`` for no review),
    ``id:absent`` or ``id:missing``. Equal only when every candidate's result is the same."""
    gone = set(absent)
    lines = [f"session:{session_id}"]
    for registration in sorted(confirmed):
        if registration in scored:
            theory, practical, review, ok = scored[registration]
            lines.append(f"{registration}:{_score_text(theory)}:{_score_text(practical)}:"
                         f"{_score_text(review)}:{int(bool(ok))}")
        else:
            lines.append(f"{registration}:{'absent' if registration in gone else 'missing'}")
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


async def results_summary(session_id: int) -> ResultsSummary:
    """The session's counts and who is still missing (ID numbers masked). Reads ids and flags
    only; names are fetched for the missing candidates listed."""
    confirmed = [r["id"] for r in await ExamRegistration.select(ExamRegistration.id).where(
        (ExamRegistration.session == session_id)
        & (ExamRegistration.status == s.REG_CONFIRMED)).order_by(ExamRegistration.id)]
    known = set(confirmed)
    results = await ExamResult.select(
        ExamResult.registration, ExamResult.theory, ExamResult.practical, ExamResult.review,
        ExamResult.passed).where(ExamResult.session == session_id)
    absences = await ExamAbsence.select(ExamAbsence.registration).where(
        ExamAbsence.session == session_id)
    scored = {r["registration"]: (r["theory"], r["practical"], r["review"], bool(r["passed"]))
              for r in results if r["registration"] in known}
    absent = {r["registration"] for r in absences if r["registration"] in known} - set(scored)
    missing = [i for i in confirmed if i not in scored and i not in absent]
    people = await ExamRegistration.select(
        ExamRegistration.id, ExamRegistration.person.name, ExamRegistration.person.id_number,
    ).where(ExamRegistration.id.is_in(missing[:MISSING_LISTED])).order_by(
        ExamRegistration.id) if missing else []
    n_passed = sum(row[3] for row in scored.values())
    return ResultsSummary(
        candidates=len(confirmed), absent=len(absent), passed=n_passed,
        failed=len(scored) - n_passed, missing=len(missing),
        missing_candidates=[MissingCandidate(r["person.name"],
                                             mask_id_number(r["person.id_number"]))
                            for r in people],
        digest=results_digest(session_id, confirmed, scored, absent))


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


async def require_submittable(session_id: int, confirm_counts: Mapping[str, Any] | None,
                              confirm_digest: str | None = None) -> ResultsSummary:
    """Refuse a submit unless every confirmed candidate is resolved and ``confirm_digest`` (the
    summary's ``digest``) matches the session's results as they are now; ``confirm_counts``
    (candidates, absent, passed, failed) are checked too when sent, never alone.

    Raises ValidationError (field ``confirm_digest``) when the digest is missing, Conflict when
    candidates are unresolved, or (field ``confirm_digest`` / ``confirm_counts``) when what was
    confirmed is stale.
    """
    await lock_session(session_id)
    summary = await results_summary(session_id)
    if summary.candidates == 0 or summary.missing == summary.candidates:
        raise Conflict("尚未上传成绩，不能提交审核")
    if summary.missing:
        raise Conflict(f"还有 {summary.missing} 名考生既没有成绩也没有标为缺考，不能提交审核："
                       "请上传他们的成绩，缺考的考生在成绩列填写“缺考”")
    digest = confirm_digest.strip().lower() if isinstance(confirm_digest, str) else ""
    if not digest:
        raise ValidationError("提交前请先查看成绩汇总（考生、缺考、合格、不合格人数）并确认："
                              "请带回汇总的 confirm_digest", "confirm_digest")
    stale = (f"成绩汇总已变化（现在：{summary.describe()}），"
             "请重新查看汇总并确认后再提交")
    if digest != summary.digest:  # same counts, other results (who passed) are stale too
        raise Conflict(stale, "confirm_digest")
    if confirm_counts is not None and _as_counts(confirm_counts) != summary.counts():
        raise Conflict(stale, "confirm_counts")
    return summary
