"""Periodic clean-up. Every web process sweeps its local stores every hour (expired sessions
and counters; Redis expires its own keys). The tasks the domains declare (``core.domain.Task``,
e.g. result feedback files past their 24 hours, reminders) run where the background work runs:
in ``python -m core.manage worker`` (core.worker), or in the web process when ``RUN_JOBS`` is on
(the embedded default). Each task is idempotent, so several workers may run it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence

from litestar import Litestar
from litestar.stores.file import FileStore
from litestar.stores.memory import MemoryStore

from core import wiring
from core.domain import Task
from core.settings import Settings

log = logging.getLogger("registry.housekeeping")
FIRST_RUN_AFTER_S = 60
EVERY_S = 3600
STORES = ("sessions", "throttle", "rate_limit")

async def sweep_stores(app: Litestar) -> None:
    for name in STORES:
        store = app.stores.get(name)
        if isinstance(store, (FileStore, MemoryStore)):
            await store.delete_expired()


async def _run(name: str, task: Callable[[], Awaitable[object]]) -> None:
    try:
        await task()
    except Exception:  # noqa: BLE001 — clean-up must never take the process down
        log.exception("housekeeping task failed", extra={"fields": {"task": name}})


async def run_tasks(tasks: Sequence[Task] | None = None) -> None:
    """The domains' tasks once (default: every task of the installed wiring); a failing task is
    logged and does not stop the others."""
    for task in wiring.current().tasks if tasks is None else tasks:
        await _run(task.name, task.run)


async def run_once(app: Litestar, *, tasks: bool = True) -> None:
    """One round of a web process: its stores, then (``tasks``) the domains' tasks."""
    await _run("stores", lambda: sweep_stores(app))
    if tasks:
        await run_tasks()


async def every_hour(work: Callable[[], Awaitable[object]], *,
                     first_after_s: float = FIRST_RUN_AFTER_S) -> None:
    """Run ``work`` after ``first_after_s`` seconds, then every :data:`EVERY_S` (until
    cancelled)."""
    await asyncio.sleep(first_after_s)
    while True:
        await work()
        await asyncio.sleep(EVERY_S)


def starter(settings: Settings) -> Callable[[Litestar], Awaitable[None]]:
    """The web process's hourly round (the app's on_startup): its stores, and the domains'
    tasks only when this process also runs the background work (``settings.run_jobs``)."""

    async def start(app: Litestar) -> None:
        app.state.housekeeping = asyncio.create_task(
            every_hour(lambda: run_once(app, tasks=settings.run_jobs)), name="housekeeping")

    return start


async def stop(app: Litestar) -> None:
    task = getattr(app.state, "housekeeping", None)
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
