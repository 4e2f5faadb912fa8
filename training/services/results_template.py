"""The results template of one exam session, filled with its confirmed candidates (ID number
and name, in registration order) so that the provider only types scores or 缺考."""

from __future__ import annotations

from core import audit, db
from core.actor import Actor
from core.errors import NotFound
from core.reporting.exports import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE
from training import states as s
from training.results_feedback import template_file
from training.services.catalogue import level_rule
from training.services.exams import get_session, registrations_of

KINDS = ("xlsx", "csv")


async def session_template(session_id: int, kind: str, actor: Actor) -> tuple[bytes, str, str]:
    """(body, file name, media type) of the template of ``session_id`` as ``kind`` (xlsx or
    csv). The session must be the actor's provider's (else NotFound, like the session page);
    an unknown kind is NotFound too. The file name is Chinese: 成绩模板_<date>_<id>.<kind>.
    The file carries full ID numbers, so each download is audited (who, the session, the format
    and how many candidates it lists)."""
    if kind not in KINDS:
        raise NotFound("未找到该模板格式")
    session = await get_session(session_id, actor)
    rule = await level_rule(session.qualification_code, session.level)
    candidates = [(r.full_id_number, r.name) for r in await registrations_of(session_id, actor)
                  if r.status == s.REG_CONFIRMED]
    body = template_file(rule.needs_review, kind, candidates)
    async with db.transaction():
        await audit.record(actor, "exam_results.template", "exam_session", session_id,
                           after={"format": kind.upper(), "candidates": len(candidates)})
    name = f"成绩模板_{session.exam_on.isoformat()}_{session_id}.{kind}"
    return body, name, CSV_MEDIA_TYPE if kind == "csv" else XLSX_MEDIA_TYPE
