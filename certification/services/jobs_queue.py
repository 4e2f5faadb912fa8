"""Recording rendering/signing work: one job per issuance batch, one item per certificate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

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


@dataclass(frozen=True)
class JobFailure:
    """A certificate a job could not render: its credential id and number, the holder's
    name and the error (the Chinese refusal, e.g. a name character no font covers)."""

    credential_id: int
    number: str
    holder_name: str
    error: str


@dataclass(frozen=True)
class JobProgress:
    """A rendering/signing job as officers follow it (page and certification.schemas.JobOut):
    what it is for (``title``, ``origin_key`` e.g. exam_session:5), its state, how many
    certificates it holds, has rendered and could not render, who queued it (user id, None
    for the system), when it was queued and finished, and its ``failures`` in item order."""

    id: int
    kind: str
    title: str
    origin_key: str
    state: JobState
    total: int
    done_count: int
    failed_count: int
    created_by: int | None
    created_at: datetime
    finished_at: datetime | None
    failures: tuple[JobFailure, ...] = ()


async def failures_of(job_ids: list[int]) -> dict[int, list[JobFailure]]:
    """Failed items per job id, in item order, for the officer's job listing."""
    if not job_ids:
        return {}
    rows = await IssuanceJobItem.select(
        IssuanceJobItem.job, IssuanceJobItem.error, IssuanceJobItem.record.holder_name,
        IssuanceJobItem.record.credential.id, IssuanceJobItem.record.credential.number,
    ).where(IssuanceJobItem.job.is_in(job_ids)
            & (IssuanceJobItem.state == JobItemState.FAILED)).order_by(IssuanceJobItem.id)
    found: dict[int, list[JobFailure]] = {}
    for row in rows:
        found.setdefault(row["job"], []).append(JobFailure(
            credential_id=row["record.credential.id"], number=row["record.credential.number"],
            holder_name=row["record.holder_name"], error=row["error"]))
    return found


async def _with_failures(jobs: list[dict]) -> list[JobProgress]:
    found = await failures_of([job["id"] for job in jobs if job["failed_count"]])
    return [JobProgress(**{**job, "state": JobState(job["state"])},
                        failures=tuple(found.get(job["id"], ()))) for job in jobs]


async def job_progress(job_id: int) -> JobProgress | None:
    """The job ``job_id``, None when there is none."""
    row = await IssuanceJob.select().where(IssuanceJob.id == job_id).first()
    return (await _with_failures([row]))[0] if row else None


async def jobs_for(origin_key: str) -> list[JobProgress]:
    """The jobs queued for ``origin_key`` (e.g. exam_session:5), newest first."""
    return await _with_failures(await IssuanceJob.select().where(
        IssuanceJob.origin_key == origin_key).order_by(IssuanceJob.id, ascending=False))


async def recent_jobs(limit: int = 20) -> list[JobProgress]:
    """The ``limit`` newest jobs, newest first."""
    return await _with_failures(
        await IssuanceJob.select().order_by(IssuanceJob.id, ascending=False).limit(limit))
