"""Periodic clean-up run by every server process: expired sessions and counters in the local
stores (Redis expires its own keys) and whatever the domain packages register (e.g. result
feedback files past their 24 hours). Each task is idempotent, so several workers may run it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from litestar import Litestar
from litestar.stores.file import FileStore
from litestar.stores.memory import MemoryStore

log = logging.getLogger("registry.housekeeping")
FIRST_RUN_AFTER_S = 60
EVERY_S = 3600
STORES = ("sessions", "throttle", "rate_limit")

_tasks: dict[str, Callable[[], Awaitable[object]]] = {}


def register(name: str, task: Callable[[], Awaitable[object]]) -> None:
    """Add a clean-up task (a package's set-up hook calls this)."""
    _tasks[name] = task


async def sweep_stores(app: Litestar) -> None:
    for name in STORES:
        store = app.stores.get(name)
        if isinstance(store, (FileStore, MemoryStore)):
            await store.delete_expired()


async def run_once(app: Litestar) -> None:
    """Every task once; a failing task is logged and does not stop the others."""
    for name, task in [("stores", lambda: sweep_stores(app)), *_tasks.items()]:
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
