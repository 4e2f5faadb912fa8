"""Recording rendering/signing work: one job per issuance batch, one item per certificate."""

from __future__ import annotations

from certification.tables import (
    CertificateRecord,
    IssuanceJob,
    IssuanceJobItem,
    JobItemState,
    JobState,
)
from core import audit, clock
from core.actor import Actor


async def enqueue(record_ids: list[int], actor: Actor, *, title: str, origin_key: str = "",
                  reason: str = "issue") -> int | None:
    """A job rendering and signing these certificates; call inside the issuing transaction."""
    if not record_ids:
        return None
    job = IssuanceJob(
        kind="render", title=title[:200], origin_key=origin_key, state=JobState.QUEUED,
        total=len(record_ids), created_by=actor.user_id, created_at=clock.now(),
    )
    await job.save()
    await IssuanceJobItem.insert(*[
        IssuanceJobItem(job=job.id, record=record_id, state=JobItemState.PENDING, reason=reason)
        for record_id in record_ids
    ])
    await CertificateRecord.update({CertificateRecord.needs_render: True}).where(
        CertificateRecord.id.is_in(record_ids))
    await audit.record(actor, "certificate_job.create", "certificate_job", job.id,
                       after={"total": len(record_ids), "title": title})
    return job.id


async def failures_of(job_ids: list[int]) -> dict[int, list[dict]]:
    """Failed items per job: holder, number and the error (the Chinese refusal, e.g. a name
    character no font covers), for the officer's job listing. ``{job_id: [{...}]}``."""
    if not job_ids:
        return {}
    rows = await IssuanceJobItem.select(
        IssuanceJobItem.job, IssuanceJobItem.error, IssuanceJobItem.record.holder_name,
        IssuanceJobItem.record.credential.id, IssuanceJobItem.record.credential.number,
    ).where(IssuanceJobItem.job.is_in(job_ids)
            & (IssuanceJobItem.state == JobItemState.FAILED)).order_by(IssuanceJobItem.id)
    found: dict[int, list[dict]] = {}
    for row in rows:
        found.setdefault(row["job"], []).append({
            "holder_name": row["record.holder_name"], "error": row["error"],
            "credential_id": row["record.credential.id"],
            "number": row["record.credential.number"],
        })
    return found


async def _with_failures(jobs: list[dict]) -> list[dict]:
    found = await failures_of([job["id"] for job in jobs if job["failed_count"]])
    for job in jobs:
        job["failures"] = found.get(job["id"], [])
    return jobs


async def job_progress(job_id: int) -> dict | None:
    row = await IssuanceJob.select().where(IssuanceJob.id == job_id).first()
    return (await _with_failures([row]))[0] if row else None


async def jobs_for(origin_key: str) -> list[dict]:
    return await _with_failures(await IssuanceJob.select().where(
        IssuanceJob.origin_key == origin_key).order_by(IssuanceJob.id, ascending=False))


async def recent_jobs(limit: int = 20) -> list[dict]:
    return await _with_failures(
        await IssuanceJob.select().order_by(IssuanceJob.id, ascending=False).limit(limit))
