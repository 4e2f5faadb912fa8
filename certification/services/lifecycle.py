"""Suspend, reinstate, revoke, re-issue (lost / name change) and expire certificates.

Every step goes through core.credentials.change_status (history row, audit row, credential-changed
event) in one transaction; nothing is deleted. Verification reads the Credential row, so a
change shows there at once; the signed status lists are rebuilt on the next request.
Suspending, reinstating and revoking take a public reason (published) and an optional internal
note (人社局 only): certification.reasons.
"""

from __future__ import annotations

from datetime import date

from certification import numbers
from certification.reasons import check_reasons
from certification.services.documents import details_of
from certification.services.issuance import NewCertificate, issue
from certification.tables import CertificateRecord, LifecycleRequest
from core import audit, clock, db
from core.actor import Actor
from core.credentials import change_status
from core.errors import Conflict, NotFound, ValidationError
from core.people import correct_name
from core.tables import Credential

REISSUE_KINDS = {"lost": "遗失补发", "name_change": "更名换发",
                 "review": "核查换发"}  # review: from the officers' review queue


async def _issued(credential_id: int) -> Credential:
    row = await Credential.objects().where(
        (Credential.id == credential_id) & (Credential.source == "issued")).first()
    if row is None:
        raise NotFound("未找到该证书")
    return row


async def suspend(credential_id: int, public_reason: str, actor: Actor,
                  internal_note: str = "") -> None:
    """Suspend a certificate. ``public_reason`` is published (verification, holder, notices);
    ``internal_note`` is for 人社局 officers only (certification.reasons). Raises FieldErrors
    (422, ``public_reason`` / ``internal_note``), NotFound, Conflict; nothing is written then."""
    reasons = check_reasons(public_reason, internal_note)
    async with db.transaction():
        await _issued(credential_id)
        await change_status(credential_id, "suspended", reasons.public_reason, actor,
                            internal_note=reasons.internal_note)


async def reinstate(credential_id: int, public_reason: str, actor: Actor,
                    internal_note: str = "") -> None:
    """Lift a suspension, with the same public reason / internal note split as ``suspend``.
    Raises FieldErrors, NotFound, Conflict (409 unless suspended)."""
    reasons = check_reasons(public_reason, internal_note)
    async with db.transaction():
        row = await _issued(credential_id)
        if row.status != "suspended":
            raise Conflict("只有暂停中的证书可以恢复", "status")
        await change_status(credential_id, "valid", reasons.public_reason, actor,
                            internal_note=reasons.internal_note)


async def revoke(credential_id: int, public_reason: str, actor: Actor,
                 internal_note: str = "") -> None:
    """Revoke a certificate (final), with the split of ``suspend``. Raises FieldErrors,
    NotFound, Conflict."""
    reasons = check_reasons(public_reason, internal_note)
    async with db.transaction():
        await _issued(credential_id)
        await change_status(credential_id, "revoked", reasons.public_reason, actor,
                            internal_note=reasons.internal_note)


def _reissue_prefix(old: Credential, kind: str, year: int) -> str:
    if kind == "skill":
        parts = numbers.parse_skill_number(old.number)
        return numbers.SkillNumberParts(
            parts.body_type, parts.body_code, parts.province, parts.site_serial, year,
            parts.level).prefix()
    return numbers.training_prefix(year, int(old.number[4:9]))


NOT_REISSUABLE = {
    "suspended": "证书已暂停，请先恢复或撤销后再补发",
    "revoked": "证书已撤销，不能补发",
    "superseded": "证书已被新证书替代，不能再次补发（如需要，请对新证书办理）",
    "expired": "证书已过期，不能补发",
}


def reissue_refusal(status: str, expires_on: date | None, today: date, *,
                    review_suspension: bool = False) -> str | None:
    """Why a certificate in ``status`` cannot be re-issued on ``today``, or None when it can.

    Only a valid certificate is re-issued: a replacement is always valid, so re-issuing a
    suspended one would lift the suspension without a reinstatement, and a revoked, superseded
    or expired one (also a valid one past ``expires_on`` before the nightly job) would come
    back to life. ``review_suspension``: the suspension is the officers' review queue's own
    and the re-issue is that review's decision (certification.services.reviews)."""
    if status == "valid" and expires_on is not None and expires_on < today:
        status = "expired"
    if status == "valid" or (status == "suspended" and review_suspension):
        return None
    return NOT_REISSUABLE.get(status, "该证书当前状态不能补发")


async def reissue(credential_id: int, kind: str, evidence: str, actor: Actor, *,
                  new_name: str = "", review_suspension: bool = False) -> int:
    """A new certificate (new number) replacing ``credential_id``, which becomes superseded and
    points to it. ``name_change`` first corrects the holder's name (old name kept with the
    evidence and the approving officer). Returns the new credential id.

    Raises Conflict (409, field ``status``) unless the certificate is valid today
    (``reissue_refusal``); ValidationError for a bad kind, no evidence or no new name."""
    if kind not in REISSUE_KINDS:
        raise ValidationError("补发类型无效", "kind")
    if not (evidence or "").strip():
        raise ValidationError("请填写补发依据（如遗失声明、户籍证明编号）", "evidence")
    async with db.transaction():
        old = await _issued(credential_id)
        today = clock.today()
        refusal = reissue_refusal(old.status, old.expires_on, today,
                                  review_suspension=review_suspension)
        if refusal:
            raise Conflict(refusal, "status")
        record = await CertificateRecord.objects().where(
            CertificateRecord.credential == old.id).first()
        if record is None:
            raise NotFound("未找到该证书")
        if kind == "name_change":
            if not (new_name or "").strip():
                raise ValidationError("请填写新姓名", "new_name")
            await correct_name(old.person, new_name, evidence, today, actor)
        [new_id] = await issue([NewCertificate(
            person_id=old.person, kind=record.kind, qualification_code=old.code,
            number_prefix=_reissue_prefix(old, record.kind, today.year),
            issuer_name=old.issuer_name, issuer_code=old.issuer_code, issued_on=today,
            origin_key=f"reissue:{old.id}", origin_type="reissue", origin_id=old.id,
            level=old.level, direction=record.direction,
            details=details_of(record),
            expires_on=old.expires_on,
        )], actor, job_title=f"{REISSUE_KINDS[kind]}：{old.number}", reason="reissue")
        new_number = await Credential.select(Credential.number).where(
            Credential.id == new_id).first()
        await change_status(old.id, "superseded",
                            f"{REISSUE_KINDS[kind]}，新证书编号 {new_number['number']}", actor,
                            superseded_by=new_id)
        await LifecycleRequest(
            old_credential=old.id, new_credential=new_id, kind=kind, evidence=evidence.strip(),
            approved_by=actor.user_id, on=today, created_at=clock.now(),
        ).save()
        await audit.record(actor, f"certificate.reissue.{kind}", "credential", old.id,
                           after={"new_credential": new_id}, note=evidence.strip())
        return new_id


async def expire_due(today: date, actor: Actor | None = None) -> int:
    """Mark issued certificates past their expiry date as expired; returns how many."""
    actor = actor or Actor.system("expiry")
    due = await Credential.select(Credential.id).where(
        (Credential.source == "issued") & (Credential.status == "valid")
        & Credential.expires_on.is_not_null() & (Credential.expires_on < today))
    for row in due:
        async with db.transaction():
            await change_status(row["id"], "expired", "有效期届满", actor)
    return len(due)
