"""Rendering and signing jobs, run by a small process pool after issuance.

Issuance writes a job and one item per certificate in its transaction and returns at once. The
worker claims a few items at a time (a short transaction), builds each certificate's input with
read-only queries, renders and signs in a pool process (no transaction open meanwhile), then
stores the PDF and the signed credential and counts progress (another short transaction). A crash
leaves items ``pending`` or ``running``; running items older than ``STALE_AFTER`` are claimed again,
so the job resumes where it stopped.

The app starts the pool with ``start_worker()`` on start-up and ``stop_worker()`` on shutdown;
tests and commands call ``await run_pending_jobs()`` to do the work in-process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from concurrent.futures import Executor, ProcessPoolExecutor
from datetime import timedelta
from typing import Any

from certification.services.documents import render_task
from certification.tables import CertificatePdf, CertificateRecord, IssuanceJob, IssuanceJobItem
from core import clock, db
from core.errors import DomainError
from core.files import save_file
from core.process_pool import child_pool

log = logging.getLogger("registry.certification.jobs")

WORKERS = 2
BATCH = 4  # items claimed at a time (≈ 2 per worker)
MAX_ATTEMPTS = 3
STALE_AFTER = timedelta(minutes=5)
IDLE_SECONDS = 2.0

_executor: ProcessPoolExecutor | None = None
_task: asyncio.Task | None = None


async def _claim(limit: int) -> list[dict]:
    now = clock.now()
    async with db.transaction():
        stale = now - STALE_AFTER
        condition = (IssuanceJobItem.state == "pending") | (
            (IssuanceJobItem.state == "running") & (IssuanceJobItem.claimed_at < stale))
        query = IssuanceJobItem.select(
            IssuanceJobItem.id, IssuanceJobItem.job, IssuanceJobItem.record,
            IssuanceJobItem.reason, IssuanceJobItem.attempts,
        ).where(condition).order_by(IssuanceJobItem.id).limit(limit)
        if not db.is_sqlite():
            query = query.lock_rows("UPDATE", skip_locked=True)
        items = await query
        if not items:
            return []
        ids = [item["id"] for item in items]
        await IssuanceJobItem.update({
            IssuanceJobItem.state: "running", IssuanceJobItem.claimed_at: now,
            IssuanceJobItem.attempts: IssuanceJobItem.attempts + 1,
        }).where(IssuanceJobItem.id.is_in(ids))
        await IssuanceJob.update({IssuanceJob.state: "running"}).where(
            IssuanceJob.id.is_in(list({item["job"] for item in items}))
            & (IssuanceJob.state == "queued"))
    return items


async def _finish_job_if_done(job_id: int) -> None:
    open_items = await IssuanceJobItem.count().where(
        (IssuanceJobItem.job == job_id) & IssuanceJobItem.state.is_in(["pending", "running"]))
    if open_items == 0:
        failed = await IssuanceJobItem.count().where(
            (IssuanceJobItem.job == job_id) & (IssuanceJobItem.state == "failed"))
        await IssuanceJob.update({
            IssuanceJob.state: "failed" if failed else "done",
            IssuanceJob.finished_at: clock.now(),
        }).where(IssuanceJob.id == job_id)


async def _store(item: dict, result: dict[str, Any]) -> None:
    stored = await save_file(result["pdf"], kind="pdf", original_name="certificate.pdf")
    async with db.transaction():
        await CertificatePdf(
            record=item["record"], file=stored.id, sha256=stored.sha256, reason=item["reason"],
            created_at=clock.now(),
        ).save()
        await CertificateRecord.update({
            CertificateRecord.pdf: stored.id, CertificateRecord.vc_json: result["vc"],
            CertificateRecord.needs_render: False,
        }).where(CertificateRecord.id == item["record"])
        await IssuanceJobItem.update({
            IssuanceJobItem.state: "done", IssuanceJobItem.error: "",
            IssuanceJobItem.finished_at: clock.now(),
        }).where(IssuanceJobItem.id == item["id"])
        await IssuanceJob.update({IssuanceJob.done_count: IssuanceJob.done_count + 1}).where(
            IssuanceJob.id == item["job"])
        await _finish_job_if_done(item["job"])


async def _fail(item: dict, error: BaseException) -> None:
    """Record a failed attempt. A domain refusal (e.g. a character no font covers,
    ``core.fonts.UnprintableCharacter``) fails the item at once with its Chinese message for
    the officer: trying again would give the same answer."""
    refused = isinstance(error, DomainError)
    final = refused or item["attempts"] + 1 >= MAX_ATTEMPTS
    log.warning("certificate render failed (item %s, attempt %s): %s", item["id"],
                item["attempts"] + 1, type(error).__name__)
    message = error.message if refused else f"{type(error).__name__}: {error}"
    async with db.transaction():
        await IssuanceJobItem.update({
            IssuanceJobItem.state: "failed" if final else "pending",
            IssuanceJobItem.error: message[:500],
        }).where(IssuanceJobItem.id == item["id"])
        if final:
            await IssuanceJob.update({
                IssuanceJob.failed_count: IssuanceJob.failed_count + 1}).where(
                IssuanceJob.id == item["job"])
            await _finish_job_if_done(item["job"])


async def _process(item: dict, executor: Executor | None) -> None:
    from certification.render_worker import render_and_sign

    try:
        task = await render_task(item["record"])
        loop = asyncio.get_running_loop()
        if executor is None:
            result = await asyncio.to_thread(render_and_sign, task)
        else:
            result = await loop.run_in_executor(executor, render_and_sign, task)
        await _store(item, result)
    except asyncio.CancelledError:
        raise
    except Exception as error:  # noqa: BLE001 — recorded on the item, retried
        await _fail(item, error)


async def run_pending_jobs(executor: Executor | None = None, *, limit: int | None = None) -> int:
    """Process pending items until none are left (or ``limit``); returns how many were done.

    Up to ``BATCH`` items are in flight; a new item is claimed as soon as one finishes, so the
    pool never waits for the slowest item of a batch or for the stores of the others.
    """
    processed = 0
    running: set[asyncio.Task] = set()
    try:
        while True:
            room = BATCH - len(running)
            if limit is not None:
                room = min(room, limit - processed - len(running))
            if room > 0:
                for item in await _claim(room):
                    running.add(asyncio.create_task(_process(item, executor)))
            if not running:
                break
            done, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()
            processed += len(done)
    finally:
        for task in running:
            task.cancel()
        if running:
            await asyncio.gather(*running, return_exceptions=True)
    return processed


async def expire_today() -> int:
    """Expire the certificates past their last valid day, judged by today's China date
    (core.clock), not the server's UTC date; returns how many were marked expired."""
    from certification.services.lifecycle import expire_due

    return await expire_due(clock.today())


async def _loop() -> None:
    last_expiry = None
    while True:
        try:
            today = clock.today()
            if last_expiry != today:
                await expire_today()
                last_expiry = today
            if await run_pending_jobs(_executor) == 0:
                await asyncio.sleep(IDLE_SECONDS)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 — keep the worker alive; the error is logged
            log.exception("certificate worker loop error")
            await asyncio.sleep(IDLE_SECONDS)


async def start_worker() -> None:
    """Start the pool and the polling task (the app's on_startup; takes no argument)."""
    global _executor, _task
    if _task is not None:
        return
    _executor = child_pool(WORKERS)
    _task = asyncio.create_task(_loop(), name="certificate-worker")


async def stop_worker() -> None:
    """Stop polling and the pool (the app's on_shutdown); unfinished items resume next start."""
    global _executor, _task
    if _task is not None:
        _task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await _task
        _task = None
    if _executor is not None:
        # Wait for the render in progress (≤ 1 s) so no pool process outlives the app.
        await asyncio.to_thread(_executor.shutdown, wait=True, cancel_futures=True)
        _executor = None
