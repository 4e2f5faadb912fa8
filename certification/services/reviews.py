"""The 人社局 officers' review queue of issued certificates whose ground changed or is in doubt.

Items come from class-hour corrections (``hours_short``), from the integrity examination
(``hours_flagged``, ``issued_before_exam``, ``approved_before_exam``) and from any other rule
that finds a certificate it can no longer vouch for: ``enqueue`` with a new ``kind``. Each item
is decided by an officer: confirmed (stays valid; a suspended certificate is reinstated), or
acted on through the lifecycle (``certification.services.lifecycle``: suspend, revoke,
re-issue). Every decision is audited; nothing is deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from certification.reasons import StatusReasons, check_reasons
from certification.services import lifecycle
from certification.tables import CertificateReview
from core import audit, clock, db
from core.actor import Actor
from core.errors import Conflict, FieldErrors, NotFound, ValidationError
from core.pagination import Page
from core.tables import Credential, CredentialStatusChange

KINDS = {
    "hours_short": "学时更正后低于要求",
    "hours_flagged": "所依据的学时记录存疑",
    "issued_before_exam": "发证日期早于考试日期",
    "approved_before_exam": "考试日期前即审核通过",
    "exam_basis_withdrawn": "考试报名所依据的培训结业已撤销",
}


class ReviewState(StrEnum):
    """CertificateReview.state: open and suspended are pending, the others decided."""

    OPEN = "open"
    SUSPENDED = "suspended"
    CONFIRMED = "confirmed"
    REVOKED = "revoked"
    REISSUED = "reissued"


STATES = {ReviewState.OPEN: "待核查", ReviewState.SUSPENDED: "已暂停，待定",
          ReviewState.CONFIRMED: "确认有效", ReviewState.REVOKED: "已撤销",
          ReviewState.REISSUED: "已换发"}
ACTIONS = {"confirm": "确认有效", "suspend": "暂停", "revoke": "撤销", "reissue": "核查换发"}
PENDING = (ReviewState.OPEN, ReviewState.SUSPENDED)
# Published when a confirmation lifts the queue's own suspension and no public reason is given.
CONFIRM_PUBLIC_REASON = "经核查，证书有效"


async def enqueue(credential_id: int, kind: str, reason: str, key: str,
                  details: dict[str, Any] | None = None) -> int | None:
    """Queue one certificate for review, inside the caller's transaction. ``key`` is unique:
    the same finding queued again returns None and adds nothing. Returns the new item's id."""
    if kind not in KINDS:
        raise ValueError(f"unknown review kind {kind}")
    if await CertificateReview.exists().where(CertificateReview.key == key):
        return None
    row = CertificateReview(credential=credential_id, kind=kind, reason=reason[:2000],
                            details=details or {}, key=key, state=ReviewState.OPEN,
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


async def review_count(credential_id: int, kind: str) -> int:
    """How many items of ``kind`` the certificate has had in the queue, in any state."""
    return await CertificateReview.count().where(
        (CertificateReview.credential == credential_id) & (CertificateReview.kind == kind))


@dataclass(frozen=True)
class ReviewView:
    """One item of the queue as the page and the API show it: the certificate's number, holder
    and status, why it is queued and what was decided (labels in Chinese)."""

    id: int
    credential_id: int
    certificate_number: str
    holder_name: str
    certificate_status: str
    kind: str
    kind_label: str
    reason: str
    state: str
    state_label: str
    created_at: datetime
    decided_at: datetime | None
    decision_note: str
    new_credential_id: int | None


def _view(row: dict[str, Any]) -> ReviewView:
    return ReviewView(
        id=row["id"], credential_id=row["credential"],
        certificate_number=row["credential.number"], holder_name=row["credential.person.name"],
        certificate_status=row["credential.status"], kind=row["kind"],
        kind_label=KINDS.get(row["kind"], row["kind"]), reason=row["reason"],
        state=row["state"], state_label=STATES.get(row["state"], row["state"]),
        created_at=row["created_at"], decided_at=row["decided_at"],
        decision_note=row["decision_note"], new_credential_id=row["new_credential"])


_COLUMNS = (*CertificateReview.all_columns(), CertificateReview.credential.number,
            CertificateReview.credential.status, CertificateReview.credential.person.name)


async def list_reviews(state: str, page_number: int, per_page: int) -> Page[ReviewView]:
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
    page: Page[ReviewView] = Page([], page_number, per_page, total, {"state": state})
    rows = await CertificateReview.select(*_COLUMNS).where(where).order_by(
        CertificateReview.id).limit(per_page).offset(page.offset)
    page.items = [_view(r) for r in rows]
    return page


async def get_review(review_id: int) -> ReviewView:
    """One item (NotFound)."""
    row = await CertificateReview.select(*_COLUMNS).where(
        CertificateReview.id == review_id).first()
    if row is None:
        raise NotFound("未找到该核查事项")
    return _view(row)


def _internal_note(kind: str, why: str) -> str:
    """The internal note a decision leaves on the certificate's history (人社局 only)."""
    return f"核查（{KINDS.get(kind, kind)}）：{why}".strip()


async def _suspended_by(item: CertificateReview, credential_id: int) -> bool:
    """Whether the certificate's current suspension is this item's own (the queue's "suspend"
    decision), not one made elsewhere (a complaint, another review) since. The decision's
    mark is in the internal note (before public reasons were split off, in the reason)."""
    if item.state != ReviewState.SUSPENDED:
        return False
    last = await CredentialStatusChange.select(
        CredentialStatusChange.to_status, CredentialStatusChange.reason,
        CredentialStatusChange.internal_note,
    ).where(CredentialStatusChange.credential == credential_id).order_by(
        CredentialStatusChange.id, ascending=False).first()
    own = _internal_note(item.kind, item.decision_note or "")
    return bool(last) and last["to_status"] == "suspended" and own in (
        last["internal_note"], last["reason"])


def _checked_reasons(action: str, kind: str, public_reason: str, why: str) -> StatusReasons:
    """The public reason (required to suspend or revoke; for a confirmation that lifts this
    item's suspension, CONFIRM_PUBLIC_REASON when none is given) and the internal note.
    Raises FieldErrors naming ``public_reason`` and/or ``note``."""
    public = public_reason
    if action == "confirm" and not (public or "").strip():
        public = CONFIRM_PUBLIC_REASON
    try:
        return check_reasons(public, _internal_note(kind, why),
                             public_required=action in ("suspend", "revoke"))
    except FieldErrors as error:
        raise FieldErrors({"note" if field == "internal_note" else field: message
                           for field, message in error.errors.items()}) from None


def _check_lifts_only_own_suspension(action: str, status: str, own: bool) -> None:
    """A decision never lifts a suspension made elsewhere nor brings back an ended
    certificate: confirming or re-issuing needs the certificate valid, or suspended by this
    very item. Raises Conflict (409, field ``action``)."""
    if action not in ("confirm", "reissue") or status == "valid" or own:
        return
    if status == "suspended":
        raise Conflict("证书已暂停，请先恢复或撤销后再补发" if action == "reissue"
                       else "证书已因其他原因暂停，请先恢复或撤销后再确认", "action")
    ended = {"revoked": "证书已撤销，不能确认有效", "superseded": "证书已被替代，不能确认有效"}
    if action == "confirm" and status in ended:
        raise Conflict(ended[status], "action")


async def decide(review_id: int, action: str, note: str, actor: Actor,
                 public_reason: str = "") -> ReviewView:
    """An officer's decision on a pending item: confirm / suspend / revoke / reissue, with a
    note (核查意见: kept as the change's internal note, 人社局 only, never published) and,
    to suspend or revoke, a public reason (certification.reasons: shown on verification).
    Raises ValidationError (unknown action), FieldErrors (no note, no or bad public reason:
    every field at once), Conflict (already decided, or the lifecycle refuses), NotFound.
    Returns the updated item."""
    if action not in ACTIONS:
        raise ValidationError("请选择处理方式", "action")
    why = (note or "").strip()
    errors = {}
    if not why:
        errors["note"] = "请填写核查意见"
    try:
        _checked_reasons(action, "", public_reason, why)
    except FieldErrors as error:
        errors.update({k: v for k, v in error.errors.items() if k not in errors})
    if errors:
        raise FieldErrors(errors)
    async with db.transaction():
        item = await CertificateReview.objects().where(CertificateReview.id == review_id).first()
        if item is None:
            raise NotFound("未找到该核查事项")
        if item.state not in PENDING:
            raise Conflict(f"该事项已处理（{STATES[item.state]}）", "action")
        if action == "suspend" and item.state == ReviewState.SUSPENDED:
            raise Conflict("该证书已暂停", "action")
        credential_id = item.credential if isinstance(item.credential, int) else item.credential.id
        cred = await Credential.select(Credential.status).where(
            Credential.id == credential_id).first()
        reasons = _checked_reasons(action, item.kind, public_reason, why)
        own = cred["status"] == "suspended" and await _suspended_by(item, credential_id)
        _check_lifts_only_own_suspension(action, cred["status"], own)
        new_id = None
        if action == "confirm":
            if cred["status"] == "suspended":
                await lifecycle.reinstate(credential_id, reasons.public_reason, actor,
                                          reasons.internal_note)
            state = ReviewState.CONFIRMED
        elif action == "suspend":
            await lifecycle.suspend(credential_id, reasons.public_reason, actor,
                                    reasons.internal_note)
            state = ReviewState.SUSPENDED
        elif action == "revoke":
            await lifecycle.revoke(credential_id, reasons.public_reason, actor,
                                   reasons.internal_note)
            state = ReviewState.REVOKED
        else:  # the old certificate's public reason names the new number (lifecycle)
            new_id = await lifecycle.reissue(credential_id, "review", reasons.internal_note,
                                             actor, review_suspension=own)
            state = ReviewState.REISSUED
        before = item.state
        item.state, item.decided_at, item.decided_by = state, clock.now(), actor.user_id
        item.decision_note, item.new_credential = why, new_id
        await item.save()
        await audit.record(actor, f"certificate_review.{action}", "credential", credential_id,
                           before={"review": item.id, "state": before},
                           after={"review": item.id, "state": state, "new_credential": new_id},
                           note=why)
    return await get_review(review_id)
