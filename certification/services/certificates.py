"""Reading certificates issued here: one with its history, a holder's list, downloads."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from certification.access import ISSUING_ROLES, may_download
from certification.services.documents import verification_url
from certification.services.verification import effective_status
from certification.tables import CertificatePdf, CertificateRecord, IssuanceJobItem, JobItemState
from core import clock
from core.actor import CurrentUser
from core.errors import Conflict, NotFound
from core.files import read_file
from core.tables import Credential, CredentialStatusChange

if TYPE_CHECKING:
    from certification.stamp import StatusStamp


@dataclass(frozen=True)
class StatusChange:
    """One status change of a certificate, oldest first in its history: ``from_status`` (empty
    at issuance), ``to_status``, ``reason`` (the public reason), ``at``; ``internal_note`` only
    for readers entitled to it (人社局 officers: certification.access ISSUING_ROLES), None for
    everybody else (certification.schemas.StatusChangeOut then answers null)."""

    from_status: str
    to_status: str
    reason: str
    at: datetime
    internal_note: str | None = None


@dataclass(frozen=True)
class PdfHash:
    """One stored PDF of a certificate: its SHA-256, why it was made (document_reason label
    kind) and when."""

    sha256: str
    reason: str
    created_at: datetime


class CertificateFacts(BaseModel):
    """A certificate issued here as its holder, the registry and the API see it (the API's
    certification.schemas.CertificateOut extends it): the credential (number, kind, code,
    level, issuer, dates), the qualification and level names and the holder's name as
    printed, ``status`` as of today (an expired one reads expired before the nightly job
    marks it) with its public reason, the verification code and link, the replacement (id and
    number, once replaced), whether the PDF is ready and the stored original's SHA-256."""

    id: int
    number: str
    kind: str
    code: str
    qualification: str
    level: int | None
    level_name: str
    holder_name: str
    person_id: int
    issuer: str
    issued_on: date
    expires_on: date | None
    status: str
    status_reason: str
    verification_code: str
    verify_url: str
    superseded_by: int | None
    pdf_ready: bool
    pdf_sha256: str | None = None  # the stored original's SHA-256 (never changes on download)
    superseded_by_number: str | None = None  # the new certificate's (fill_replacements)


class CertificateView(CertificateFacts):
    """The facts and what only pages and services read: the status as stored and when it
    changed, whether the signed credential is ready, the CertificateRecord id, and (read for
    one certificate) its history and stored PDFs."""

    stored_status: str
    status_changed_at: datetime | None
    vc_ready: bool
    record_id: int
    history: list[StatusChange] = Field(default_factory=list)
    pdf_hashes: list[PdfHash] = Field(default_factory=list)

    @property
    def pdf_is_stamped_copy(self) -> bool:
        """Whether a download is a copy stamped with the state (加注状态的副本), not the
        stored original: every state but valid (certification.stamp)."""
        return self.status != "valid"


COLUMNS = (
    CertificateRecord.id, CertificateRecord.kind, CertificateRecord.holder_name,
    CertificateRecord.qualification_name, CertificateRecord.level_name, CertificateRecord.pdf,
    CertificateRecord.vc_json, CertificateRecord.person,
    CertificateRecord.credential.id, CertificateRecord.credential.number,
    CertificateRecord.credential.code, CertificateRecord.credential.level,
    CertificateRecord.credential.issuer_name, CertificateRecord.credential.issued_on,
    CertificateRecord.credential.expires_on, CertificateRecord.credential.status,
    CertificateRecord.credential.status_reason, CertificateRecord.credential.status_changed_at,
    CertificateRecord.credential.verification_code, CertificateRecord.credential.superseded_by,
    CertificateRecord.pdf.sha256,
)


def view_of(row: dict, today: date) -> CertificateView:
    c = "credential."
    return CertificateView(
        id=row[c + "id"], number=row[c + "number"], kind=row["kind"], code=row[c + "code"],
        qualification=row["qualification_name"], level=row[c + "level"],
        level_name=row["level_name"], holder_name=row["holder_name"], person_id=row["person"],
        issuer=row[c + "issuer_name"], issued_on=row[c + "issued_on"],
        expires_on=row[c + "expires_on"],
        status=effective_status(row[c + "status"], row[c + "expires_on"], today),
        stored_status=row[c + "status"], status_reason=row[c + "status_reason"],
        status_changed_at=row[c + "status_changed_at"],
        verification_code=row[c + "verification_code"],
        verify_url=verification_url(row[c + "number"], row[c + "verification_code"]),
        superseded_by=row[c + "superseded_by"], pdf_ready=row["pdf"] is not None,
        vc_ready=bool(row["vc_json"]), record_id=row["id"], pdf_sha256=row["pdf.sha256"],
    )


def select_views():
    return CertificateRecord.select(*COLUMNS)


async def fill_replacements(views: list[CertificateView]) -> list[CertificateView]:
    """Set ``superseded_by_number`` (the new certificate's number) on every view that was
    replaced (``superseded_by`` set), in one query; returns ``views``."""
    ids = {v.superseded_by for v in views if v.superseded_by is not None}
    if ids:
        rows = await Credential.select(Credential.id, Credential.number).where(
            Credential.id.is_in(list(ids)))
        numbers = {r["id"]: r["number"] for r in rows}
        for view in views:
            if view.superseded_by is not None:
                view.superseded_by_number = numbers.get(view.superseded_by)
    return views


PUBLIC_HISTORY = (
    CredentialStatusChange.from_status, CredentialStatusChange.to_status,
    CredentialStatusChange.reason, CredentialStatusChange.at,
)


async def history_of(credential_id: int, *,
                     internal_notes: bool = False) -> list[StatusChange]:
    """The status changes, oldest first; ``internal_note`` is read only when
    ``internal_notes`` (for 人社局 officers: certification.access ISSUING_ROLES) — other
    readers never receive it (None)."""
    columns = (*PUBLIC_HISTORY, CredentialStatusChange.internal_note) if internal_notes \
        else PUBLIC_HISTORY
    rows = await CredentialStatusChange.select(*columns).where(
        CredentialStatusChange.credential == credential_id).order_by(CredentialStatusChange.id)
    return [StatusChange(**row) for row in rows]


async def get_view(credential_id: int, today: date, *, with_history: bool = True,
                   internal_notes: bool = False) -> CertificateView:
    """One certificate; its history carries internal notes only when ``internal_notes``."""
    row = await select_views().where(CertificateRecord.credential == credential_id).first()
    if row is None:
        raise NotFound("未找到该证书")
    view = view_of(row, today)
    await fill_replacements([view])
    if with_history:
        view.history = await history_of(credential_id, internal_notes=internal_notes)
        view.pdf_hashes = [PdfHash(**row) for row in await CertificatePdf.select(
            CertificatePdf.sha256, CertificatePdf.reason, CertificatePdf.created_at,
        ).where(CertificatePdf.record == view.record_id).order_by(CertificatePdf.id)]
    return view


async def views_for_person(person_id: int, today: date) -> list[CertificateView]:
    rows = await select_views().where(CertificateRecord.person == person_id).order_by(
        CertificateRecord.id, ascending=False)
    views = await fill_replacements([view_of(row, today) for row in rows])
    for view in views:
        view.history = await history_of(view.id)
    return views


async def viewable(user: CurrentUser | None, credential_id: int, today: date) -> CertificateView:
    """The certificate if ``user`` may download it; otherwise the same 404 as a missing one.
    Internal notes are in its history only for 人社局 officers (ISSUING_ROLES)."""
    person = await Credential.select(Credential.person).where(
        (Credential.id == credential_id) & (Credential.source == "issued")).first()
    if person is None or not await may_download(user, person["person"]):
        raise NotFound("未找到该证书")
    return await get_view(credential_id, today,
                          internal_notes=user is not None and user.role in ISSUING_ROLES)


@dataclass(frozen=True)
class PdfDownload:
    """What a PDF download serves: ``data`` (the stored original, or a stamped copy of it),
    ``original_sha256`` (the stored file's, unchanged by stamping) and ``stamped``."""

    data: bytes
    original_sha256: str
    stamped: bool


async def _stamp_of(view: CertificateView, original_sha256: str) -> StatusStamp:
    from certification.stamp import StatusStamp

    if view.status == "expired":
        on = view.expires_on or clock.today()
    elif view.status_changed_at is not None:
        on = clock.to_china_date(view.status_changed_at)
    else:
        on = clock.today()
    new_number = None
    if view.status == "superseded" and view.superseded_by is not None:
        row = await Credential.select(Credential.number).where(
            Credential.id == view.superseded_by).first()
        new_number = row["number"] if row else None
    return StatusStamp(view.status, on, original_sha256, new_number)


async def pdf_of(view: CertificateView) -> PdfDownload:
    """The certificate's PDF as downloaded: the stored original while it is valid; otherwise a
    copy stamped with its state, date and (superseded) new number — the stored file is never
    rewritten. Raises Conflict while the file is not rendered yet."""
    record = await CertificateRecord.select(CertificateRecord.pdf).where(
        CertificateRecord.id == view.record_id).first()
    if record["pdf"] is None:
        last = await IssuanceJobItem.select(IssuanceJobItem.state, IssuanceJobItem.error).where(
            IssuanceJobItem.record == view.record_id).order_by(
            IssuanceJobItem.id, ascending=False).first()
        if last is not None and last["state"] == JobItemState.FAILED:
            raise Conflict(f"证书文件未能生成：{last['error']}")
        raise Conflict("证书文件正在生成，请稍后再试")
    stored, data = await read_file(record["pdf"])
    if not view.pdf_is_stamped_copy:
        return PdfDownload(data, stored.sha256, stamped=False)
    from certification.stamp import stamped_copy

    stamp = await _stamp_of(view, stored.sha256)
    return PdfDownload(await asyncio.to_thread(stamped_copy, data, stamp), stored.sha256,
                       stamped=True)


async def vc_of(view: CertificateView) -> dict:
    record = await CertificateRecord.select(CertificateRecord.vc_json).where(
        CertificateRecord.id == view.record_id).first()
    if not record["vc_json"]:
        raise Conflict("可验证凭证正在签发，请稍后再试")
    return json.loads(record["vc_json"])
