"""Filing (备案): submit (freeze snapshot + report, PDF, hash, sign), accept with a receipt, or
return with reasons; resubmission is a new filing with a new clock; history kept."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from pydantic import BaseModel

from core import audit, clock, db, files, labels
from core.actor import Actor
from core.errors import Conflict, Forbidden, NotFound, ValidationError
from core.pagination import offset_of
from core.uploads import check_upload
from employers import notices
from employers.compliance.engine import evaluate_dict
from employers.facilities import (
    FilingEventKind,
    FilingState,
    FilingStatus,
    document_kinds,
    filing_rules,
)
from employers.services import calendar, signing
from employers.services.access import REVIEWER_ROLES, facility_for
from employers.services.snapshots import LOCAL_TZ, build_snapshot
from employers.tables import Facility, Filing, FilingEvent


def _pdf():  # type: ignore[no-untyped-def]
    """WeasyPrint is heavy (~40 MB, 0.6 s): load it in the worker that renders, not at start-up."""
    from employers import pdf

    return pdf


DOC_KINDS = frozenset({"pdf", "jpeg", "png"})
MAX_DOC_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Upload:
    kind: str
    filename: str
    data: bytes


def facility_dict(row: Facility) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "uscc": row.uscc, "address": row.address,
            "street": row.street, "service_types": list(row.service_types),
            "capacity": row.capacity, "for_profit": row.for_profit,
            "registering_authority": row.registering_authority,
            "is_kindergarten_with_toddler_class": row.is_kindergarten_with_toddler_class}


def packet_of(row: Filing) -> dict[str, Any]:
    """What is hashed and signed: the frozen facility, snapshot, report, explanation, the
    documents (by SHA-256) and the staffing PDF's SHA-256."""
    return {"filing_id": row.id, "facility_id": row.facility, "snapshot": row.snapshot,
            "report": row.report, "explanation": row.explanation, "documents": row.documents,
            "submitted_at": row.submitted_at.astimezone(UTC).isoformat(),
            "previous_id": row.previous_id}


async def returned_filing(facility_id: int) -> Filing | None:
    """The facility's latest filing when it was returned (its documents are kept on
    resubmission), else None."""
    row = await Filing.objects().output(load_json=True).where(
        Filing.facility == facility_id).order_by(Filing.id, ascending=False).first()
    return row if row is not None and row.state == FilingState.RETURNED else None


def kept_documents(returned: Filing | None, drop: Collection[str] = ()
                   ) -> dict[str, list[dict[str, Any]]]:
    """The documents a resubmission keeps from the returned filing: every document kind of the
    filing rules it held, except the kinds in ``drop`` (the generated staffing form is made
    anew). Each entry names the filing it was first uploaded with (``from_filing``)."""
    if returned is None:
        return {}
    kinds = document_kinds()
    return {kind: [{**entry, "from_filing": entry.get("from_filing", returned.id)}
                   for entry in entries]
            for kind, entries in (returned.documents or {}).items()
            if kind in kinds and kind not in drop and entries}


async def submit(facility_id: int, uploads: list[Upload], explanation: str,
                 actor: Actor, drop: Collection[str] = ()) -> Filing:
    """Submit a filing in one transaction.

    A resubmission after a return keeps the returned filing's documents: a kind uploaded again
    replaces that kind's files, a kind named in ``drop`` is left out, every other kind is kept
    (the same stored files, by SHA-256). The packet and its signature cover the final set.
    ValidationError (field = the document kind) when a required kind ends up with no file."""
    async with db.transaction():
        facility = await facility_for(facility_id, actor, act=True)
        if facility.filing_status == FilingStatus.SUBMITTED:
            raise Conflict("该机构已有备案在审核中")
        if facility.filing_status == FilingStatus.ACCEPTED:
            raise Conflict("该机构已备案")
        kinds = document_kinds()
        kept = kept_documents(await returned_filing(facility_id), drop)
        stored: dict[str, list[dict[str, Any]]] = {}
        for upload in uploads:
            if upload.kind not in kinds:
                raise ValidationError("材料类型无效", upload.kind)
            kind = check_upload(upload.data, allowed=DOC_KINDS, max_bytes=MAX_DOC_BYTES,
                                field=upload.kind, label=kinds[upload.kind]["label"])
            row = await files.save_file(upload.data, kind=kind, original_name=upload.filename,
                                        actor=actor)
            stored.setdefault(upload.kind, []).append({"file_id": row.id, "sha256": row.sha256,
                                                       "name": upload.filename[:100]})
        stored = {**kept, **stored}  # a kind uploaded again replaces the kept files of that kind
        for kind, rule in kinds.items():
            if rule["required"] and kind not in stored:
                raise ValidationError(f"请上传{rule['label']}", kind)
        snapshot = await build_snapshot(facility_id)
        report = evaluate_dict(snapshot)
        explanation = explanation.strip()
        if not report["compliant"] and not explanation:
            raise ValidationError("人员配备核查未通过，提交备案须填写书面说明", "explanation")
        now = clock.now()
        today = clock.today()
        cal = await calendar.load()
        rules = filing_rules()
        previous = await Filing.select(Filing.id).where(Filing.facility == facility_id).order_by(
            Filing.id, ascending=False).first()
        row = Filing(
            facility=facility_id, previous_id=previous["id"] if previous else None,
            state=FilingState.SUBMITTED, snapshot=snapshot, report=report,
            compliant=report["compliant"],
            explanation=explanation, documents=stored, submitted_by=actor.user_id, submitted_at=now,
            filing_due_on=cal.add_workdays(today, rules["filing_workdays"]),
            answer_due_on=None if report["compliant"] else cal.add_workdays(
                today, rules["answer_workdays"]),
            created_at=now)
        await row.save()
        # the form names qualifications by the catalogue
        await labels.refresh_catalogue(force=False)
        pdf_bytes = await asyncio.to_thread(
            _pdf().staffing_form_pdf, facility_dict(facility), snapshot, report, explanation,
            now.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M"))
        pdf_row = await files.save_file(pdf_bytes, kind="pdf",
                                        original_name=f"人员配备情况表-{row.id}.pdf", actor=actor)
        row.pdf_file = pdf_row.id
        row.documents = {**stored, "staffing_form": [{"file_id": pdf_row.id,
                                                      "sha256": pdf_row.sha256,
                                                      "name": "托育机构人员配备情况表.pdf"}]}
        row.packet_sha256 = signing.packet_hash(packet_of(row))
        row.signature, row.key_ref = await signing.sign(row.packet_sha256)
        await row.save()
        facility.filing_status, facility.updated_at = FilingStatus.SUBMITTED, now
        await facility.save()
        await _event(row.id, FilingEventKind.SUBMITTED, actor, explanation)
        await audit.record(actor, "filing.submit", "filing", row.id,
                           after={"facility": facility_id, "compliant": report["compliant"],
                                  "packet_sha256": row.packet_sha256})
        return row


async def _event(filing_id: int, kind: FilingEventKind, actor: Actor, note: str = "") -> None:
    await FilingEvent(filing=filing_id, kind=kind, actor_id=actor.user_id,
                      actor_name=actor.username, note=note,
                      at=clock.now()).save()


async def filing_for(filing_id: int, actor: Actor) -> Filing:
    row = await Filing.objects().output(load_json=True).where(Filing.id == filing_id).first()
    if row is None:
        raise NotFound("未找到该备案")
    await facility_for(row.facility, actor)
    return row


async def _pending_for_review(filing_id: int, actor: Actor) -> tuple[Filing, Facility]:
    if actor.role not in REVIEWER_ROLES:
        raise Forbidden("只有卫健委审核人员可以审核备案")
    row = await filing_for(filing_id, actor)
    if row.state != FilingState.SUBMITTED:
        raise Conflict("该备案已处理")
    facility = await Facility.objects().output(load_json=True).where(
        Facility.id == row.facility).first()
    return row, facility


async def _receipt_number(year: int) -> str:
    prefix = f"宁卫托备〔{year}〕"
    count = await Filing.count().where(Filing.receipt_number.like(prefix + "%"))
    return f"{prefix}{count + 1:04d}号"


async def accept(filing_id: int, actor: Actor) -> Filing:
    async with db.transaction():
        row, facility = await _pending_for_review(filing_id, actor)
        now = clock.now()
        today = clock.today()
        row.state, row.reviewer_id, row.reviewed_at = FilingState.ACCEPTED, actor.user_id, now
        row.receipt_number = await _receipt_number(today.year)
        receipt = await asyncio.to_thread(_pdf().receipt_pdf, facility_dict(facility), {
            "receipt_number": row.receipt_number, "packet_sha256": row.packet_sha256,
            "submitted_on": row.submitted_at.astimezone(LOCAL_TZ).date().isoformat(),
            "reviewed_on": today.isoformat()})
        stored = await files.save_file(receipt, kind="pdf", original_name=f"备案回执-{row.id}.pdf",
                                       actor=actor)
        row.receipt_file = stored.id
        await row.save()
        facility.filing_status, facility.updated_at = FilingStatus.ACCEPTED, now
        await facility.save()
        await _event(row.id, FilingEventKind.ACCEPTED, actor, row.receipt_number)
        await notices.filing_decided(row.id, facility.id, FilingState.ACCEPTED,
                                     receipt_number=row.receipt_number)
        await audit.record(actor, "filing.accept", "filing", row.id,
                           before={"state": FilingState.SUBMITTED},
                           after={"state": FilingState.ACCEPTED,
                                  "receipt_number": row.receipt_number})
        return row


async def return_filing(filing_id: int, reasons: str, actor: Actor) -> Filing:
    async with db.transaction():
        if not reasons.strip():
            raise ValidationError("请填写退回原因", "reasons")
        row, facility = await _pending_for_review(filing_id, actor)
        now = clock.now()
        row.state, row.reviewer_id, row.reviewed_at = FilingState.RETURNED, actor.user_id, now
        row.reasons = reasons.strip()
        await row.save()
        facility.filing_status, facility.updated_at = FilingStatus.RETURNED, now
        await facility.save()
        await _event(row.id, FilingEventKind.RETURNED, actor, row.reasons)
        await notices.filing_decided(row.id, facility.id, FilingState.RETURNED,
                                     reasons=row.reasons)
        await audit.record(actor, "filing.return", "filing", row.id,
                           before={"state": FilingState.SUBMITTED},
                           after={"state": FilingState.RETURNED}, note=row.reasons)
        return row


class Verification(BaseModel, frozen=True):
    """A filing checked again: the packet's SHA-256 as stored and as computed now (hex),
    whether they agree (``hash_ok``), whether the signature over the stored digest checks with
    the key ``key_ref`` (``signature_ok``), whether every document's file is still there with
    its SHA-256 (``files_ok``), and ``valid``: all three. The API's VerifyOut is this shape."""

    filing_id: int
    packet_sha256: str
    computed_sha256: str
    hash_ok: bool
    signature_ok: bool
    files_ok: bool
    valid: bool
    key_ref: str


async def verify(filing_id: int, actor: Actor) -> Verification:
    """Recompute the packet hash, check the signature and the stored files' hashes (NotFound
    when the filing is not the actor's to see)."""
    row = await filing_for(filing_id, actor)
    digest = signing.packet_hash(packet_of(row))
    files_ok = True
    for entries in row.documents.values():
        for entry in entries:
            try:
                _, data = await files.read_file(entry["file_id"])
            except NotFound:
                files_ok = False
                continue
            files_ok = files_ok and hashlib.sha256(data).hexdigest() == entry["sha256"]
    signature_ok = await signing.verify(row.packet_sha256, row.signature, row.key_ref)
    hash_ok = digest == row.packet_sha256
    return Verification(filing_id=row.id, packet_sha256=row.packet_sha256,
                        computed_sha256=digest, hash_ok=hash_ok, signature_ok=signature_ok,
                        files_ok=files_ok, valid=hash_ok and signature_ok and files_ok,
                        key_ref=row.key_ref)


@dataclass(frozen=True)
class FilingEventEntry:
    """One step in a filing's history (a ``FilingEvent`` row): what happened, who did it (the
    user's name as it was), the note (the explanation, the reasons for a return or the receipt
    number) and when."""

    kind: FilingEventKind
    actor_name: str
    note: str
    at: datetime


@dataclass(frozen=True)
class FilingEntry:
    """One of a facility's filings as its history lists it: the state, whether it was
    compliant when submitted, when it was submitted and reviewed, the reasons for a return,
    the receipt number once accepted, the deadlines, the filing it resubmits (``previous_id``),
    the packet's SHA-256 (hex) and its events, oldest first."""

    id: int
    state: FilingState
    compliant: bool
    submitted_at: datetime
    reviewed_at: datetime | None
    reasons: str
    receipt_number: str | None
    filing_due_on: date
    answer_due_on: date | None
    previous_id: int | None
    packet_sha256: str
    events: list[FilingEventEntry]


async def history(facility_id: int) -> list[FilingEntry]:
    """The facility's filings, newest first, each with its events."""
    filings = await Filing.select(
        Filing.id, Filing.state, Filing.compliant, Filing.submitted_at, Filing.reviewed_at,
        Filing.reasons, Filing.receipt_number, Filing.filing_due_on, Filing.answer_due_on,
        Filing.previous_id, Filing.packet_sha256).where(Filing.facility == facility_id).order_by(
        Filing.id, ascending=False)
    events = await FilingEvent.select(
        FilingEvent.filing, FilingEvent.kind, FilingEvent.actor_name, FilingEvent.note,
        FilingEvent.at).where(
        FilingEvent.filing.is_in([f["id"] for f in filings] or [0])).order_by(FilingEvent.at)
    return [FilingEntry(
        id=f["id"], state=FilingState(f["state"]), compliant=f["compliant"],
        submitted_at=f["submitted_at"], reviewed_at=f["reviewed_at"], reasons=f["reasons"],
        receipt_number=f["receipt_number"], filing_due_on=f["filing_due_on"],
        answer_due_on=f["answer_due_on"], previous_id=f["previous_id"],
        packet_sha256=f["packet_sha256"],
        events=[FilingEventEntry(kind=FilingEventKind(e["kind"]), actor_name=e["actor_name"],
                                 note=e["note"], at=e["at"])
                for e in events if e["filing"] == f["id"]],
    ) for f in filings]


@dataclass(frozen=True)
class QueueEntry:
    """One filing in the reviewer's queue: its facility, whether it was compliant when
    submitted, its deadlines and the working days left to each (negative: past; the answer
    deadline only when the filing was not compliant), and whether it resubmits a returned one
    (``previous_id``)."""

    id: int
    facility_id: int
    facility_name: str
    state: str
    compliant: bool
    submitted_at: datetime
    filing_due_on: date
    answer_due_on: date | None
    previous_id: int | None
    filing_days_left: int
    answer_days_left: int | None

    @property
    def overdue(self) -> bool:
        """The filing's deadline has passed."""
        return self.filing_days_left < 0

    @property
    def resubmission(self) -> bool:
        """It resubmits a returned filing."""
        return self.previous_id is not None


async def queue(state: str = FilingState.SUBMITTED, page: int = 1,
                per_page: int = 50) -> list[QueueEntry]:
    """The reviewer's queue with each filing's deadlines and days left (working days).
    ``returned`` lists the filings returned now: one the operator has since resubmitted (a
    later filing names it as ``previous_id``) is history, not a returned filing."""
    condition = Filing.state == state
    if state == FilingState.RETURNED:
        resubmitted = [r["previous_id"] for r in await Filing.select(Filing.previous_id).where(
            Filing.previous_id.is_not_null())]
        if resubmitted:
            condition &= Filing.id.not_in(resubmitted)
    rows = await Filing.select(
        Filing.id, Filing.facility, Filing.facility.name.as_alias("facility_name"),
        Filing.state, Filing.compliant, Filing.submitted_at, Filing.filing_due_on,
        Filing.answer_due_on, Filing.previous_id).where(condition).order_by(
        Filing.filing_due_on).limit(per_page).offset(offset_of(page, per_page))
    cal = await calendar.load()
    today = clock.today()
    return [QueueEntry(
        id=row["id"], facility_id=row["facility"], facility_name=row["facility_name"],
        state=row["state"], compliant=row["compliant"], submitted_at=row["submitted_at"],
        filing_due_on=row["filing_due_on"], answer_due_on=row["answer_due_on"],
        previous_id=row["previous_id"],
        filing_days_left=cal.workdays_between(today, row["filing_due_on"]),
        answer_days_left=(cal.workdays_between(today, row["answer_due_on"])
                          if row["answer_due_on"] else None),
    ) for row in rows]
