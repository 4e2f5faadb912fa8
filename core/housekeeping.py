"""Periodic clean-up run by every server process: expired sessions and counters in the local
stores (Redis expires its own keys) and the tasks the domains declare (``core.domain.Task``,
e.g. result feedback files past their 24 hours). Each task is idempotent, so several workers
may run it."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from litestar import Litestar
from litestar.stores.file import FileStore
from litestar.stores.memory import MemoryStore

from core import wiring

log = logging.getLogger("registry.housekeeping")
FIRST_RUN_AFTER_S = 60
EVERY_S = 3600
STORES = ("sessions", "throttle", "rate_limit")

async def sweep_stores(app: Litestar) -> None:
    for name in STORES:
        store = app.stores.get(name)
        if isinstance(store, (FileStore, MemoryStore)):
            await store.delete_expired()


async def run_once(app: Litestar) -> None:
    """Every task once; a failing task is logged and does not stop the others."""
    tasks = [(t.name, t.run) for t in wiring.current().tasks]
    for name, task in [("stores", lambda: sweep_stores(app)), *tasks]:
        try:
            await task()
        except Exception:  # noqa: BLE001 — clean-up must never take the process down
            log.exception("housekeeping task failed", extra={"fields": {"task": name}})


async def _loop(app: Litestar) -> None:
    await asyncio.sleep(FIRST_RUN_AFTER_S)
    while True:
        await run_once(app)
        await asyncio.sleep(EVERY_S)


async def start(app: Litestar) -> None:
    app.state.housekeeping = asyncio.create_task(_loop(app), name="housekeeping")


async def stop(app: Litestar) -> None:
    task = getattr(app.state, "housekeeping", None)
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
