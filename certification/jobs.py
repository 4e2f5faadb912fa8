"""Rendering and signing jobs, run by a small process pool after issuance.

Issuance writes a job and one item per certificate in its transaction and returns at once. The
worker claims a few items at a time with a lease (a short transaction; ``SKIP LOCKED`` on
PostgreSQL, see core.worker), builds each certificate's input with read-only queries, renders and
signs in a pool process (no transaction open meanwhile) while it renews the leases of the items
in hand, then stores the PDF and the signed credential and counts progress (another short
transaction) only if it still holds the item for this attempt. A worker that dies leaves its
items ``running`` until their lease runs out (``core.worker.LEASE``, seconds); then any worker
claims them again, so the job resumes where it stopped, and the dead worker can no longer store.

The worker (or a web process with RUN_JOBS) starts the pool with ``start_worker()`` and ends it
with ``stop_worker()``, which finishes the items in hand; tests and commands call
``await run_pending_jobs()`` to do the work in-process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Any

from certification.services.documents import render_task
from certification.tables import (
    CertificatePdf,
    CertificateRecord,
    IssuanceJob,
    IssuanceJobItem,
    JobItemState,
    JobState,
)
from core import clock, db, worker
from core.errors import DomainError
from core.files import save_file
from core.process_pool import child_pool

log = logging.getLogger("registry.certification.jobs")

WORKERS = 2
BATCH = 3 * WORKERS  # items in hand at most: one rendering and two waiting per pool process
CLAIM_AT_LEAST = WORKERS  # claim when this many places are free (one claim per few items)
# Pool processes run at a lower priority than the web process: on a busy machine a
# verification request is answered first and the batch takes the time left (jobs are
# background work; a render waits, a person at the counter does not).
POOL_NICENESS = 10
MAX_ATTEMPTS = 3
IDLE_SECONDS = 2.0
STOP_WAIT_S = 60.0  # on stop, how long the items in hand may take before they are abandoned

_executor: ProcessPoolExecutor | None = None
_task: asyncio.Task | None = None
_stopping: asyncio.Event | None = None


async def _claim(limit: int) -> list[dict]:
    """Lease up to ``limit`` items, pending ones or running ones whose lease ran out, to this
    worker; each returned item's ``attempts`` is the count before this claim."""
    now = clock.now()
    async with db.transaction():
        condition = (IssuanceJobItem.state == JobItemState.PENDING) | worker.lease_lapsed(
            IssuanceJobItem, JobItemState.RUNNING)
        items = await worker.skip_locked(IssuanceJobItem.select(
            IssuanceJobItem.id, IssuanceJobItem.job, IssuanceJobItem.record,
            IssuanceJobItem.reason, IssuanceJobItem.attempts, IssuanceJobItem.state,
            IssuanceJobItem.owner,
        ).where(condition).order_by(IssuanceJobItem.id).limit(limit))
        # An item whose worker died MAX_ATTEMPTS times (a render that kills its process, say)
        # fails instead of being taken over again and again.
        doomed = [item for item in items
                  if item["state"] == JobItemState.RUNNING
                  and item["attempts"] >= MAX_ATTEMPTS]
        if doomed:
            await IssuanceJobItem.update({
                IssuanceJobItem.state: JobItemState.FAILED, IssuanceJobItem.lease_until: None,
                IssuanceJobItem.error: f"处理中断 {MAX_ATTEMPTS} 次（工作进程退出），已停止重试",
            }).where(IssuanceJobItem.id.is_in([item["id"] for item in doomed]))
            for job_id in {item["job"] for item in doomed}:
                await _finish_job_if_done(job_id)
            items = [item for item in items if item not in doomed]
        if not items:
            return []
        await worker.take_leases(IssuanceJobItem, [item["id"] for item in items],
                                 JobItemState.RUNNING, now)
        await IssuanceJob.update({IssuanceJob.state: JobState.RUNNING}).where(
            IssuanceJob.id.is_in(list({item["job"] for item in items}))
            & (IssuanceJob.state == JobState.QUEUED))
    for item in items:
        if item.pop("state") == JobItemState.RUNNING:
            log.info("job item taken over", extra={"fields": {
                "item": item["id"], "from": item["owner"], "worker": worker.worker_id()}})
        item.pop("owner")
    return items


def _held(item: dict) -> Any:
    """The item is still this worker's, for the attempt it claimed (core.worker.still_held)."""
    return worker.still_held(IssuanceJobItem, JobItemState.RUNNING, item)


async def _release(items: list[dict]) -> None:
    """Give back items abandoned unfinished (a forced stop): pending again at once."""
    if items:
        await IssuanceJobItem.update({
            IssuanceJobItem.state: JobItemState.PENDING, IssuanceJobItem.lease_until: None,
        }).where(
            IssuanceJobItem.id.is_in([item["id"] for item in items])
            & (IssuanceJobItem.state == JobItemState.RUNNING)
            & (IssuanceJobItem.owner == worker.worker_id()))


def _lost(item: dict) -> None:
    log.warning("job item lease lost, result dropped", extra={"fields": {
        "item": item["id"], "attempt": item["attempts"] + 1, "worker": worker.worker_id()}})


async def _finish_job_if_done(job_id: int) -> None:
    open_items = await IssuanceJobItem.count().where(
        (IssuanceJobItem.job == job_id)
        & IssuanceJobItem.state.is_in([JobItemState.PENDING, JobItemState.RUNNING]))
    if open_items == 0:
        failed = await IssuanceJobItem.count().where(
            (IssuanceJobItem.job == job_id) & (IssuanceJobItem.state == JobItemState.FAILED))
        await IssuanceJob.update({
            IssuanceJob.state: JobState.FAILED if failed else JobState.DONE,
            IssuanceJob.finished_at: clock.now(),
        }).where(IssuanceJob.id == job_id)


async def _store(item: dict, result: dict[str, Any]) -> bool:
    """Store the PDF and the credential and count the item done, in one transaction, only while
    this worker holds the item for this attempt; False (nothing written, no file) otherwise."""
    async with db.transaction():
        mine = await IssuanceJobItem.update({
            IssuanceJobItem.state: JobItemState.DONE, IssuanceJobItem.error: "",
            IssuanceJobItem.finished_at: clock.now(), IssuanceJobItem.lease_until: None,
        }).where(_held(item)).returning(IssuanceJobItem.id)
        if not mine:
            _lost(item)
            return False
        stored = await save_file(result["pdf"], kind="pdf", original_name="certificate.pdf")
        await CertificatePdf(
            record=item["record"], file=stored.id, sha256=stored.sha256, reason=item["reason"],
            created_at=clock.now(),
        ).save()
        await CertificateRecord.update({
            CertificateRecord.pdf: stored.id, CertificateRecord.vc_json: result["vc"],
            CertificateRecord.needs_render: False,
        }).where(CertificateRecord.id == item["record"])
        await IssuanceJob.update({IssuanceJob.done_count: IssuanceJob.done_count + 1}).where(
            IssuanceJob.id == item["job"])
        await _finish_job_if_done(item["job"])
    return True


async def _fail(item: dict, error: BaseException) -> None:
    """Record a failed attempt. A domain refusal (e.g. a character no font covers,
    ``core.fonts.UnprintableCharacter``) fails the item at once with its Chinese message for
    the officer: trying again would give the same answer."""
    refused = isinstance(error, DomainError)
    final = refused or item["attempts"] + 1 >= MAX_ATTEMPTS
    message = error.message if refused else f"{type(error).__name__}: {error}"
    async with db.transaction():
        mine = await IssuanceJobItem.update({
            IssuanceJobItem.state: JobItemState.FAILED if final else JobItemState.PENDING,
            IssuanceJobItem.error: message[:500], IssuanceJobItem.lease_until: None,
        }).where(_held(item)).returning(IssuanceJobItem.id)
        if not mine:
            _lost(item)
            return
        log.warning("certificate render failed (item %s, attempt %s): %s", item["id"],
                    item["attempts"] + 1, type(error).__name__)
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


async def run_pending_jobs(executor: Executor | None = None, *, limit: int | None = None,
                           stopping: asyncio.Event | None = None) -> int:
    """Process pending items until none are left (or ``limit``, or ``stopping`` is set: then
    the items in hand are finished and no more claimed); returns how many were processed.

    Up to ``BATCH`` items are in flight; new items are claimed as soon as ``CLAIM_AT_LEAST``
    places are free (or fewer than ``WORKERS`` items are in hand), so the pool never waits for
    the slowest item of a batch or for the stores of the others, and a claim (a write
    transaction) serves a few items. The
    leases of the items in hand are renewed every ``core.worker.RENEW_EVERY_S`` seconds; if
    this is cancelled, the unfinished items are given back at once.
    """
    processed = 0
    running: dict[asyncio.Task, dict] = {}
    async with worker.renewing_leases(IssuanceJobItem, JobItemState.RUNNING,
                                      lambda: [item["id"] for item in running.values()]):
        try:
            while True:
                room = BATCH - len(running)
                if limit is not None:
                    room = min(room, limit - processed - len(running))
                wanted = room >= CLAIM_AT_LEAST or len(running) < WORKERS or (
                    limit is not None and room == limit - processed - len(running))
                if room > 0 and wanted and not (stopping is not None and stopping.is_set()):
                    for item in await _claim(room):
                        running[asyncio.create_task(_process(item, executor))] = item
                if not running:
                    break
                done, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    running.pop(task)
                    task.result()
                processed += len(done)
        finally:
            if running:
                for task in running:
                    task.cancel()
                await asyncio.gather(*running, return_exceptions=True)
                with contextlib.suppress(Exception):
                    await _release(list(running.values()))
    return processed


async def expire_today() -> int:
    """Expire the certificates past their last valid day, judged by today's China date
    (core.clock), not the server's UTC date; returns how many were marked expired."""
    from certification.services.lifecycle import expire_due

    return await expire_due(clock.today())


async def _pause(stopping: asyncio.Event) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stopping.wait(), IDLE_SECONDS)


async def _loop(stopping: asyncio.Event) -> None:
    last_expiry = None
    while not stopping.is_set():
        try:
            today = clock.today()
            if last_expiry != today:
                await expire_today()
                last_expiry = today
            if await run_pending_jobs(_executor, stopping=stopping) == 0:
                await _pause(stopping)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 — keep the worker alive; the error is logged
            log.exception("certificate worker loop error")
            await _pause(stopping)


async def start_worker() -> None:
    """Start the pool and the polling task (a Background's start; takes no argument)."""
    global _executor, _task, _stopping
    if _task is not None:
        return
    _executor = child_pool(WORKERS, niceness=POOL_NICENESS)
    _stopping = asyncio.Event()
    _task = asyncio.create_task(_loop(_stopping), name="certificate-worker")


async def stop_worker() -> None:
    """Claim no more, finish the items in hand (up to ``STOP_WAIT_S``, then give them back),
    and stop the pool (a Background's stop); pending items wait for the next worker."""
    global _executor, _task, _stopping
    if _task is not None and _stopping is not None:
        _stopping.set()
        try:
            await asyncio.wait_for(asyncio.shield(_task), STOP_WAIT_S)
        except TimeoutError:
            _task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await _task
        _task = _stopping = None
    if _executor is not None:
        # Wait for the render in progress (≤ 1 s) so no pool process outlives the app.
        await asyncio.to_thread(_executor.shutdown, wait=True, cancel_futures=True)
        _executor = None
