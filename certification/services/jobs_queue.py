"""Recording rendering/signing work: one job per issuance batch, one item per certificate."""

from __future__ import annotations

from certification.tables import CertificateRecord, IssuanceJob, IssuanceJobItem
from core import audit, clock
from core.actor import Actor


async def enqueue(record_ids: list[int], actor: Actor, *, title: str, origin_key: str = "",
                  reason: str = "issue") -> int | None:
    """A job rendering and signing these certificates; call inside the issuing transaction."""
    if not record_ids:
        return None
    job = IssuanceJob(
        kind="render", title=title[:200], origin_key=origin_key, state="queued",
        total=len(record_ids), created_by=actor.user_id, created_at=clock.now(),
    )
    await job.save()
    await IssuanceJobItem.insert(*[
        IssuanceJobItem(job=job.id, record=record_id, state="pending", reason=reason)
        for record_id in record_ids
    ])
    await CertificateRecord.update({CertificateRecord.needs_render: True}).where(
        CertificateRecord.id.is_in(record_ids))
    await audit.record(actor, "certificate_job.create", "certificate_job", job.id,
                       after={"total": len(record_ids), "title": title})
    return job.id


async def job_progress(job_id: int) -> dict | None:
    return await IssuanceJob.select().where(IssuanceJob.id == job_id).first()


async def jobs_for(origin_key: str) -> list[dict]:
    return await IssuanceJob.select().where(IssuanceJob.origin_key == origin_key).order_by(
        IssuanceJob.id, ascending=False)


async def recent_jobs(limit: int = 20) -> list[dict]:
    return await IssuanceJob.select().order_by(IssuanceJob.id, ascending=False).limit(limit)
