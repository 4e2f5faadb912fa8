"""Holder photos: checked by content, stored, and the holder's certificates re-rendered."""

from __future__ import annotations

from certification.services import jobs_queue
from certification.tables import CertificateRecord, HolderPhoto
from core import audit, clock, db
from core.actor import Actor
from core.files import save_file
from core.uploads import PHOTO_KINDS, check_upload

MAX_PHOTO_BYTES = 2 * 1024 * 1024
LIVE_STATUSES = ("valid", "suspended", "expired")


async def set_photo(person_id: int, data: bytes, actor: Actor, original_name: str = "") -> int:
    """Store a new photo; returns the re-rendering job id (None when nothing to re-render)."""
    kind = check_upload(data, allowed=PHOTO_KINDS, max_bytes=MAX_PHOTO_BYTES, field="photo",
                        label="照片")
    stored = await save_file(data, kind=kind, original_name=original_name, actor=actor)
    async with db.transaction():
        await HolderPhoto(person=person_id, file=stored.id, uploaded_by=actor.user_id,
                          created_at=clock.now()).save()
        records = await CertificateRecord.select(CertificateRecord.id).where(
            (CertificateRecord.person == person_id) & (CertificateRecord.kind == "skill")
            & CertificateRecord.credential.status.is_in(list(LIVE_STATUSES)))
        await audit.record(actor, "certificate.photo", "person", person_id,
                           after={"sha256": stored.sha256})
        return await jobs_queue.enqueue([r["id"] for r in records], actor,
                                        title="更换照片后重新生成证书", reason="photo")
