"""The worker: ``python -m core.manage worker`` runs the installed composition's background work
(``core.domain.Background``: certificate rendering and signing with the nightly expiry, message
delivery) and its hourly tasks (``core.domain.Task``: clean-up, reminders) until SIGTERM or
SIGINT; then it stops each background, which finishes the item in hand, and exits.

Run as many as you like on PostgreSQL: background work claims rows with a *lease* (the helpers
below). A claimed row carries ``owner`` (this process's :func:`worker_id`) and ``lease_until``
(now + :data:`LEASE`, by the injected clock ``core.clock``); the holder renews the lease every
:data:`RENEW_EVERY_S` seconds while it works (:func:`renewing_leases`), a row whose lease ran out is
claimed again by anyone (:func:`lease_expired`: a dead worker's rows come back within seconds),
and a result is stored only by the current owner of the current attempt, so a worker that lost
its lease stores, sends and counts nothing.

The kernel imports no domain: what runs comes from ``core.wiring.current()``. Where it runs:
``RUN_JOBS`` (``core.settings``) lets a web process run the same work in-process (the embedded
default on SQLite); see ARCHITECTURE.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import signal
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Collection
from datetime import datetime, timedelta
from typing import Any

from piccolo.query.methods.select import Select
from piccolo.table import Table

from core import clock, db, housekeeping
from core.wiring import current

log = logging.getLogger("registry.worker")

LEASE = timedelta(seconds=15)  # a claimed row is the holder's until now + LEASE
RENEW_EVERY_S = 5.0  # the holder renews its leases this often (three chances per lease)

_identity: tuple[int, str] | None = None


def worker_id() -> str:
    """This process's owner token for leases: ``host:pid:random`` (≤ 60 characters), made once
    per process (a forked child gets its own)."""
    global _identity
    pid = os.getpid()
    if _identity is None or _identity[0] != pid:
        _identity = (pid, f"{socket.gethostname()[:40]}:{pid}:{secrets.token_hex(4)}")
    return _identity[1]


def lease_deadline() -> datetime:
    """When a lease taken or renewed now runs out (aware UTC, from ``core.clock``)."""
    return clock.now() + LEASE


def lease_expired(lease_until: Any, claimed_at: Any) -> Any:
    """A Piccolo condition: the row's lease has run out. Rows claimed before leases existed
    (``lease_until`` empty) count as leased for :data:`LEASE` from ``claimed_at``."""
    now = clock.now()
    return (lease_until < now) | (lease_until.is_null() & (claimed_at < now - LEASE))


def lease_lapsed(table: type[Table], working: str) -> Any:
    """A Piccolo condition: rows of ``table`` in the ``working`` state (its leased state) whose
    lease ran out (:func:`lease_expired`: their worker died or stalled), so anyone may claim
    them again. ``table`` has the lease columns (``state``, ``lease_until``, ``claimed_at``)."""
    return (table.state == working) & lease_expired(table.lease_until, table.claimed_at)


def skip_locked(query: Select) -> Select:
    """The claim's SELECT of rows to lease: on PostgreSQL ``FOR UPDATE SKIP LOCKED``, so two
    workers claiming at once take different rows; on SQLite as it is (its write transaction
    already lets one claim at a time)."""
    return query if db.is_sqlite() else query.lock_rows("UPDATE", skip_locked=True)


async def take_leases(table: type[Table], ids: Collection[int], working: str,
                      now: datetime) -> None:
    """Lease the rows ``ids`` of ``table`` to this worker from ``now`` (inside the claim's
    transaction): ``state`` ``working``, ``claimed_at`` ``now``, ``lease_until`` ``now`` +
    :data:`LEASE`, ``owner`` :func:`worker_id`, and one more ``attempts`` (this claim)."""
    await table.update({
        table.state: working, table.claimed_at: now, table.lease_until: now + LEASE,
        table.owner: worker_id(), table.attempts: table.attempts + 1,
    }).where(table.id.is_in(list(ids)))


def still_held(table: type[Table], working: str, row: dict) -> Any:
    """A Piccolo condition: the claimed ``row`` (its ``id``, and its ``attempts`` as read
    before :func:`take_leases` counted this claim) is still this worker's, for this attempt:
    in the ``working`` state, ``owner`` :func:`worker_id`, and not claimed again since (a later
    claim, even by this same worker, counts one more attempt and makes this one stale). Every
    store of a result is made under it, so a worker that lost its lease writes nothing."""
    return ((table.id == row["id"]) & (table.state == working)
            & (table.owner == worker_id()) & (table.attempts == row["attempts"] + 1))


@contextlib.asynccontextmanager
async def renewing(renew: Callable[[], Awaitable[object]],
                   every_s: float = RENEW_EVERY_S) -> AsyncIterator[None]:
    """Call ``renew`` every ``every_s`` seconds while the block runs (the holder's lease
    renewal). A failed renewal is logged and tried again at the next tick; the block goes on,
    since storing a result checks ownership anyway."""

    async def loop() -> None:
        while True:
            await asyncio.sleep(every_s)
            try:
                await renew()
            except Exception:  # noqa: BLE001 — the next tick tries again
                log.exception("lease renewal failed")

    task = asyncio.create_task(loop(), name="lease-renewal")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def renew_leases(table: type[Table], ids: Collection[int], working: str) -> None:
    """Extend to :func:`lease_deadline` the leases of the rows ``ids`` of ``table`` that are
    still in the ``working`` state (the table's leased state: a job item's ``running``, a
    message's ``sending``) and this worker's (``owner``); a row finished or taken over by
    another worker is left alone. ``table`` has ``id``, ``state``, ``owner`` and
    ``lease_until`` columns; no ids, no query."""
    if ids:
        await table.update({table.lease_until: lease_deadline()}).where(
            table.id.is_in(list(ids)) & (table.state == working)
            & (table.owner == worker_id()))


def renewing_leases(table: type[Table], working: str,
                    ids: Callable[[], Collection[int]]) -> contextlib.AbstractAsyncContextManager:
    """While the block runs, every :data:`RENEW_EVERY_S` seconds, renew the leases of the rows
    ``ids()`` names at that moment (the ones in hand) with :func:`renew_leases`; used by every
    background that claims rows with a lease (certificate job items, outbox messages)."""
    return renewing(lambda: renew_leases(table, ids(), working))


async def run_worker(stop: asyncio.Event, *,
                     first_tasks_after_s: float = housekeeping.FIRST_RUN_AFTER_S) -> None:
    """Run every background of the installed wiring and its hourly tasks until ``stop`` is set,
    then stop the backgrounds in reverse order (each waits for the item in hand). Opens and
    closes the database pool; the caller installs the wiring and the signal handlers."""
    wiring = current()
    await db.on_startup()
    started = []
    hourly: asyncio.Task | None = None
    try:
        for background in wiring.background:
            await background.start()
            started.append(background)
        hourly = asyncio.create_task(
            housekeeping.every_hour(housekeeping.run_tasks, first_after_s=first_tasks_after_s),
            name="hourly-tasks")
        log.info("worker started", extra={"fields": {
            "worker": worker_id(), "background": [b.name for b in started],
            "tasks": [t.name for t in wiring.tasks]}})
        await stop.wait()
        log.info("worker stopping", extra={"fields": {"worker": worker_id()}})
    finally:
        if hourly is not None:
            hourly.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await hourly
        for background in reversed(started):
            try:
                await background.stop()
            except Exception:  # noqa: BLE001 — stop the others all the same
                log.exception("background stop failed",
                              extra={"fields": {"background": background.name}})
        await db.on_shutdown()
    log.info("worker stopped", extra={"fields": {"worker": worker_id()}})


async def _serve() -> int:
    from core.schema_check import schema_state

    await db.on_startup()
    try:
        state = await schema_state()
    finally:
        await db.on_shutdown()
    if not state.ok:
        log.error("database not ready", extra={"fields": {"reason": state.reason}})
        return 1
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await run_worker(stop)
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
    return 0


def main() -> int:
    """``python -m core.manage worker`` (the composition is already installed): returns the
    exit status, 1 when the database is not the migrated schema."""
    from core.logging_setup import configure_logging
    from core.settings import get_settings

    configure_logging(get_settings().log_level)
    return asyncio.run(_serve())
