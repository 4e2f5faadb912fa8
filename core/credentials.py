"""The Credential table's behaviour: create and change status, always with a history row,
an audit row and a credential-changed event in the same transaction.

Other packages react to credential changes by plugging a listener into ``LISTENERS`` in their
domain declaration; listeners run inside the same transaction, and the
``credential_event`` rows stay readable for anyone who processes them later.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from core import audit, clock
from core.actor import Actor
from core.domain import Hook
from core.errors import Conflict, NotFound, ValidationError
from core.forms import check_date_range
from core.happened import require_happened
from core.identity import fold_code
from core.tables import Credential, CredentialEvent, CredentialStatusChange


class CredentialStatus(StrEnum):
    """A credential's status; the values are what the database and the API hold."""

    VALID = "valid"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    EXPIRED = "expired"
    SUPERSEDED = "superseded"


S = CredentialStatus
STATUSES = tuple(CredentialStatus)
STATUS_LABELS = {
    S.VALID: "有效",
    S.SUSPENDED: "已暂停",
    S.REVOKED: "已撤销",
    S.EXPIRED: "已过期",
    S.SUPERSEDED: "已被替代",
}
# Allowed status transitions; revoked and superseded are final.
TRANSITIONS: dict[CredentialStatus, set[CredentialStatus]] = {
    S.VALID: {S.SUSPENDED, S.REVOKED, S.EXPIRED, S.SUPERSEDED},
    S.SUSPENDED: {S.VALID, S.REVOKED, S.SUPERSEDED},
    S.EXPIRED: {S.VALID, S.REVOKED, S.SUPERSEDED},
    S.REVOKED: set(),
    S.SUPERSEDED: set(),
}


class CheckOutcome(StrEnum):
    """The conclusion of a recorded check (Credential.outcome): a health check passes or
    fails, a background check is clear or flagged; the values are what the database holds."""

    PASS = "pass"
    FAIL = "fail"
    CLEAR = "clear"
    FLAGGED = "flagged"


# The conclusions a check of each kind may record; other credentials record none.
OUTCOMES: dict[str, tuple[CheckOutcome, ...]] = {
    "HEALTH_CERT": (CheckOutcome.PASS, CheckOutcome.FAIL),
    "BACKGROUND_CHECK": (CheckOutcome.CLEAR, CheckOutcome.FLAGGED),
}
OUTCOME_LABELS = {CheckOutcome.PASS: "合格", CheckOutcome.FAIL: "不合格",
                  CheckOutcome.CLEAR: "无记录", CheckOutcome.FLAGGED: "有记录"}

Listener = Callable[[int, int, str], Awaitable[None]]  # (credential_id, person_id, kind)
# Extension point: (core.domain.Hook, listener) pairs in a domain's ``plugs``.
LISTENERS: Hook[Listener] = Hook("credential changed")


async def _emit(credential: Credential, kind: str) -> None:
    await CredentialEvent(
        credential=credential.id,
        person=credential.person,
        kind=kind,
        at=clock.now(),
    ).save()
    for listener in LISTENERS.all():
        await listener(credential.id, credential.person, kind)


@dataclass(frozen=True)
class CredentialInput:
    person_id: int
    code: str
    number: str
    issued_on: date
    issuer_name: str = ""
    issuer_code: str = ""
    level: int | None = None
    expires_on: date | None = None
    source: str = "issued"
    outcome: str | None = None
    verification_code: str = ""
    scan_id: int | None = None
    origin_type: str = ""
    origin_id: int | None = None


def normalise_recorded_number(value: str) -> str:
    """The number of a credential issued elsewhere as typed, stored folded (core.identity
    .fold_code): spaces removed, full-width folded, upper-cased, so ``津保１２３ ４５６７`` and
    ``津保1234567`` are one number; a digit of another script (١, ①, ²) raises ValidationError
    (field ``number``). Chinese characters stay."""
    return fold_code(value, "证书（证明）编号", "number")


def check_input(data: CredentialInput, today: date | None = None) -> None:
    """The rules every new credential keeps; a recorded one (``source`` not ``issued``: a fact
    from elsewhere) cannot be dated after ``today`` (core.happened); every date lies within
    1900-01-01 … 2099-12-31 (core.forms), whatever door it came in by. Raises ValidationError."""
    check_date_range(data.issued_on, "issued_on")
    if data.expires_on:
        check_date_range(data.expires_on, "expires_on")
    if data.source != "issued" and today is not None:
        require_happened(data.issued_on, today, "issued_on", "发证（检查）日期")
    if not data.number.strip():
        raise ValidationError("请填写证书（证明）编号", "number")
    if data.expires_on and data.expires_on < data.issued_on:
        raise ValidationError("有效期至不能早于发证日期", "expires_on")
    allowed = OUTCOMES.get(data.code)
    if allowed and data.outcome not in allowed:
        raise ValidationError("请选择检查结论", "outcome")
    if not allowed and data.outcome:
        raise ValidationError("该类证书没有检查结论", "outcome")


async def create_credential(data: CredentialInput, actor: Actor) -> Credential:
    """Insert a credential; call inside a transaction (``core.db.transaction``)."""
    check_input(data, clock.today())
    if await Credential.exists().where(Credential.number == data.number):
        raise Conflict("该证书编号已存在", "number")
    row = Credential(
        person=data.person_id,
        code=data.code,
        level=data.level,
        number=data.number,
        issuer_name=data.issuer_name,
        issuer_code=data.issuer_code,
        issued_on=data.issued_on,
        expires_on=data.expires_on,
        status=S.VALID,
        source=data.source,
        recorded_by=actor.user_id if data.source == "recorded" else None,
        scan=data.scan_id,
        outcome=data.outcome,
        verification_code=data.verification_code,
        origin_type=data.origin_type,
        origin_id=data.origin_id,
        created_at=clock.now(),
    )
    await row.save()
    await CredentialStatusChange(
        credential=row.id,
        from_status="",
        to_status=S.VALID,
        reason="",
        actor_id=actor.user_id,
        at=clock.now(),
    ).save()
    await audit.record(
        actor,
        "credential.create",
        "credential",
        row.id,
        after={
            "code": row.code,
            "level": row.level,
            "number": row.number,
            "issued_on": row.issued_on,
            "source": row.source,
        },
    )
    await _emit(row, "created")
    return row


async def change_status(
    credential_id: int,
    to_status: str,
    reason: str,
    actor: Actor,
    *,
    superseded_by: int | None = None,
    internal_note: str = "",
) -> Credential:
    """Move a credential to another status; call inside a transaction.

    ``reason`` is the **public** reason: it becomes ``Credential.status_reason`` and the history
    row's ``reason``, and is shown on public verification, to the holder and in notices
    (``public_status``). ``internal_note`` is never published: it is kept on the history row
    (``CredentialStatusChange.internal_note``) and in the audit row, for 人社局 officers only.
    Callers check both texts first (certification.reasons)."""
    row = await Credential.objects().where(Credential.id == credential_id).first()
    if row is None:
        raise NotFound("未找到该证书")
    if to_status not in STATUSES:
        raise ValidationError("状态取值无效", "status")
    if to_status not in TRANSITIONS[row.status]:
        raise Conflict(
            f"证书当前状态为“{STATUS_LABELS[row.status]}”，不能改为“{STATUS_LABELS[to_status]}”",
            "status",
        )
    if to_status in (S.SUSPENDED, S.REVOKED) and not reason.strip():
        raise ValidationError("请填写原因", "reason")
    before = row.status
    now = clock.now()
    row.status, row.status_reason, row.status_changed_at = to_status, reason.strip(), now
    if superseded_by is not None:
        row.superseded_by = superseded_by
    await row.save()
    await CredentialStatusChange(
        credential=row.id,
        from_status=before,
        to_status=to_status,
        reason=reason.strip(),
        internal_note=internal_note.strip(),
        actor_id=actor.user_id,
        at=now,
    ).save()
    await audit.record(
        actor,
        f"credential.{to_status}",
        "credential",
        row.id,
        before={"status": before},
        after={
            "status": to_status,
            "public_reason": reason.strip(),
            "internal_note": internal_note.strip(),
        },
        note=reason.strip(),
    )
    await _emit(row, "status_changed")
    return row


@dataclass(frozen=True)
class PublicStatus:
    """A credential's status as anyone outside the bureau may read it: what a notice to the
    holder (issued / suspended / revoked …) carries. ``public_reason`` is the reason the
    officer chose to publish ("" when none); the internal note is never part of it."""

    credential_id: int
    person_id: int
    number: str
    code: str
    status: str
    status_label: str
    public_reason: str
    changed_at: datetime | None


async def public_status(credential_id: int) -> PublicStatus:
    """The credential's current status and public reason, for notices and other messages to
    the holder (e.g. from a ``LISTENERS`` listener). Raises NotFound."""
    row = await Credential.select(
        Credential.id, Credential.person, Credential.number, Credential.code,
        Credential.status, Credential.status_reason, Credential.status_changed_at,
    ).where(Credential.id == credential_id).first()
    if row is None:
        raise NotFound("未找到该证书")
    return PublicStatus(
        credential_id=row["id"], person_id=row["person"], number=row["number"],
        code=row["code"], status=row["status"], status_label=STATUS_LABELS[row["status"]],
        public_reason=row["status_reason"] or "", changed_at=row["status_changed_at"],
    )


def counts_on(row: Credential | dict, on: date) -> bool:
    """A credential counts on a day when valid, issued by then and not yet expired."""
    get = row.get if isinstance(row, dict) else lambda k: getattr(row, k)
    expires = get("expires_on")
    return (
        get("status") == S.VALID and get("issued_on") <= on and (expires is None or on <= expires)
    )
