"""The 人社局 officers' review queue of issued certificates whose ground changed or is in doubt.

Items come from class-hour corrections (``hours_short``), from the integrity examination
(``hours_flagged``, ``issued_before_exam``, ``approved_before_exam``) and from any other rule
that finds a certificate it can no longer vouch for: ``enqueue`` with a new ``kind``. Each item
is decided by an officer: confirmed (stays valid; a suspended certificate is reinstated), or
acted on through the lifecycle (``certification.services.lifecycle``: suspend, revoke,
re-issue). Every decision is audited; nothing is deleted.
"""

from __future__ import annotations

from typing import Any

from certification.services import lifecycle
from certification.tables import CertificateReview
from core import audit, clock, db
from core.actor import Actor
from core.errors import Conflict, NotFound, ValidationError
from core.pagination import Page
from core.tables import Credential, CredentialStatusChange

KINDS = {
    "hours_short": "学时更正后低于要求",
    "hours_flagged": "所依据的学时记录存疑",
    "issued_before_exam": "发证日期早于考试日期",
    "approved_before_exam": "考试日期前即审核通过",
    "exam_basis_withdrawn": "考试报名所依据的培训结业已撤销",
}
STATES = {"open": "待核查", "suspended": "已暂停，待定", "confirmed": "确认有效",
          "revoked": "已撤销", "reissued": "已换发"}
ACTIONS = {"confirm": "确认有效", "suspend": "暂停", "revoke": "撤销", "reissue": "核查换发"}
PENDING = ("open", "suspended")


async def enqueue(credential_id: int, kind: str, reason: str, key: str,
                  details: dict[str, Any] | None = None) -> int | None:
    """Queue one certificate for review, inside the caller's transaction. ``key`` is unique:
    the same finding queued again returns None and adds nothing. Returns the new item's id."""
    if kind not in KINDS:
        raise ValueError(f"unknown review kind {kind}")
    if await CertificateReview.exists().where(CertificateReview.key == key):
        return None
    row = CertificateReview(credential=credential_id, kind=kind, reason=reason[:2000],
                            details=details or {}, key=key, state="open",
                            created_at=clock.now())
    await row.save()
    return row.id


async def enqueue_hours_short(credential_id: int, enrolment_id: int, reason: str,
                              actor: Actor) -> int | None:
    """A training certificate whose hours fell below the course's requirement after a
    correction. One pending item per certificate: while one is open, nothing more is added."""
    if await CertificateReview.exists().where(
            (CertificateReview.credential == credential_id)
            & (CertificateReview.kind == "hours_short")
            & CertificateReview.state.is_in(list(PENDING))):
        return None
    count = await CertificateReview.count().where(
        CertificateReview.credential == credential_id)
    item = await enqueue(credential_id, "hours_short", reason,
                         f"hours_short:{credential_id}:{count + 1}", {"enrolment": enrolment_id})
    await audit.record(actor, "certificate_review.queue", "credential", credential_id,
                       after={"kind": "hours_short", "enrolment": enrolment_id}, note=reason)
    return item


def _label(row: dict[str, Any]) -> dict[str, Any]:
    row["kind_label"] = KINDS.get(row["kind"], row["kind"])
    row["state_label"] = STATES.get(row["state"], row["state"])
    return row


async def list_reviews(state: str, page_number: int, per_page: int) -> Page[dict[str, Any]]:
    """Items by state ('pending' = open or suspended, '' = all), oldest first, with the
    certificate's number, holder's name and status (no ID numbers)."""
    where = CertificateReview.id > 0
    if state == "pending":
        where &= CertificateReview.state.is_in(list(PENDING))
    elif state:
        if state not in STATES:
            raise ValidationError("状态取值无效", "state")
        where &= CertificateReview.state == state
    total = await CertificateReview.count().where(where)
    page = Page([], page_number, per_page, total, {"state": state})
    rows = await CertificateReview.select(
        *CertificateReview.all_columns(), CertificateReview.credential.number,
        CertificateReview.credential.code, CertificateReview.credential.status,
        CertificateReview.credential.issued_on, CertificateReview.credential.person.name,
    ).where(where).order_by(CertificateReview.id).limit(per_page).offset(page.offset)
    page.items = [_label(r) for r in rows]
    return page


async def get_review(review_id: int) -> dict[str, Any]:
    row = await CertificateReview.select(
        *CertificateReview.all_columns(), CertificateReview.credential.number,
        CertificateReview.credential.status, CertificateReview.credential.person.name,
    ).where(CertificateReview.id == review_id).first()
    if row is None:
        raise NotFound("未找到该核查事项")
    return _label(row)


async def _suspended_by(item: CertificateReview, credential_id: int) -> bool:
    """Whether the certificate's current suspension is this item's own (the queue's "suspend"
    decision), not one made elsewhere (a complaint, another review) since."""
    if item.state != "suspended":
        return False
    last = await CredentialStatusChange.select(
        CredentialStatusChange.to_status, CredentialStatusChange.reason,
    ).where(CredentialStatusChange.credential == credential_id).order_by(
        CredentialStatusChange.id, ascending=False).first()
    own = f"核查（{KINDS.get(item.kind, item.kind)}）：{item.decision_note or ''}"
    return bool(last) and last["to_status"] == "suspended" and last["reason"] == own.strip()


def _check_lifts_only_own_suspension(action: str, status: str, own: bool) -> None:
    """A decision never lifts a suspension made elsewhere nor brings back an ended
    certificate: confirming or re-issuing needs the certificate valid, or suspended by this
    very item. Raises Conflict (409, field ``action``)."""
    if action not in ("confirm", "reissue") or status == "valid" or own:
        return
    if status == "suspended":
        raise Conflict("证书已暂停，请先恢复或撤销后再补发" if action == "reissue"
                       else "证书已因其他原因暂停，请先恢复或撤销后再确认", "action")
    ended = {"revoked": "证书已撤销，不能确认有效", "superseded": "证书已被替换，不能确认有效"}
    if action == "confirm" and status in ended:
        raise Conflict(ended[status], "action")


async def decide(review_id: int, action: str, note: str, actor: Actor) -> dict[str, Any]:
    """An officer's decision on a pending item: confirm / suspend / revoke / reissue, with a
    note (the reason). Raises ValidationError (no note, unknown action), Conflict (already
    decided, or the lifecycle refuses), NotFound. Returns the updated item."""
    if action not in ACTIONS:
        raise ValidationError("请选择处理方式", "action")
    why = (note or "").strip()
    if not why:
        raise ValidationError("请填写核查意见", "note")
    async with db.transaction():
        item = await CertificateReview.objects().where(CertificateReview.id == review_id).first()
        if item is None:
            raise NotFound("未找到该核查事项")
        if item.state not in PENDING:
            raise Conflict(f"该事项已处理（{STATES[item.state]}）", "action")
        if action == "suspend" and item.state == "suspended":
            raise Conflict("该证书已暂停", "action")
        credential_id = item.credential if isinstance(item.credential, int) else item.credential.id
        cred = await Credential.select(Credential.status).where(
            Credential.id == credential_id).first()
        reason = f"核查（{KINDS.get(item.kind, item.kind)}）：{why}"
        own = cred["status"] == "suspended" and await _suspended_by(item, credential_id)
        _check_lifts_only_own_suspension(action, cred["status"], own)
        new_id = None
        if action == "confirm":
            if cred["status"] == "suspended":
                await lifecycle.reinstate(credential_id, reason, actor)
            state = "confirmed"
        elif action == "suspend":
            await lifecycle.suspend(credential_id, reason, actor)
            state = "suspended"
        elif action == "revoke":
            await lifecycle.revoke(credential_id, reason, actor)
            state = "revoked"
        else:
            new_id = await lifecycle.reissue(credential_id, "review", reason, actor,
                                             review_suspension=own)
            state = "reissued"
        before = item.state
        item.state, item.decided_at, item.decided_by = state, clock.now(), actor.user_id
        item.decision_note, item.new_credential = why, new_id
        await item.save()
        await audit.record(actor, f"certificate_review.{action}", "credential", credential_id,
                           before={"review": item.id, "state": before},
                           after={"review": item.id, "state": state, "new_credential": new_id},
                           note=why)
    return await get_review(review_id)
