"""Fixed-window counters beside a Litestar store (core.ratelimit.ProcessStore for one process,
core.redis_store.SharedStore, on Redis, for many; any other store through the Store API).

Used for login throttling (exact: every failure is one Redis round trip) and for the public
verification endpoints (``batched``: see SharedCounters).

Windows and locks take the time from the one clock (``core.clock.now()``), so tests freeze or
advance it instead of waiting for a window to roll over.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from typing import Any

from litestar.stores.base import Store
from litestar.stores.memory import MemoryStore

from core import clock

log = logging.getLogger("registry.ratelimit")
SWEEP_EVERY = 10_000  # memory counters: drop expired windows every so many hits
_hits_since_sweep = 0


class ProcessStore(MemoryStore):
    """The memory store of one process (locks, and anything else through the Store API) with
    its rate-limit counters beside it in a plain dict: window key -> (count, end of the window
    in epoch seconds of core.clock), counted without awaiting (atomic on the event loop) instead
    of a locked get and a locked set per request."""

    def __init__(self) -> None:
        super().__init__()
        self.counters: dict[str, tuple[int, int]] = {}


def _epoch_seconds() -> int:
    """Whole seconds since the Unix epoch by the one clock (core.clock; frozen in tests)."""
    return int(clock.now().timestamp())


def _window_key(key: str, window: int) -> str:
    return f"{key}:{_epoch_seconds() // window}"


async def count(store: Store, key: str, window: int) -> int:
    """The counter of the current window (0 when nothing was counted)."""
    if isinstance(store, ProcessStore):
        value, ends = store.counters.get(_window_key(key, window), (0, 0))
        return value if ends > _epoch_seconds() else 0
    shared = _shared_store(store)
    if shared is not None:
        raw = await shared.client.get(shared.counter_key(_window_key(key, window)))
    else:
        raw = await store.get(_window_key(key, window))
    return int(raw) if raw else 0


_INCR_LUA = """
local value = redis.call('INCR', KEYS[1])
if value == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return value
"""
_INCR_SCRIPTS: dict[Any, Any] = {}  # per Redis client


def _shared_store(store: Store) -> Any:
    """``store`` when it is a core.redis_store.SharedStore (several processes), else None."""
    # core.redis_store is imported only when REDIS_URL is set (it pulls in redis-py)
    module = sys.modules.get("core.redis_store")
    return store if module is not None and isinstance(store, module.SharedStore) else None


class SharedCounters:
    """Counters of a shared (Redis) store with the hits of this process added in batches.

    A hit is counted at once in this process and sent to Redis with every other pending hit in
    one round trip, at most FLUSH_SECONDS later; the answer (each key's total over all
    processes) is what this process starts from afterwards. A client is therefore limited on the
    whole of its traffic, and another process's hits show here within FLUSH_SECONDS: a client
    spreading a burst over N processes can exceed its limit by what it sends in that time. Under
    a flood the refusals cost no round trip at all, and if Redis is unreachable the hits stay
    pending (and counted locally) until it answers again, while lookups go on.
    """

    FLUSH_SECONDS = 0.05

    def __init__(self, store: Store) -> None:
        self.store = store
        self.pending: dict[str, tuple[int, int]] = {}  # window key -> (hits not sent, window)
        self.known: dict[str, tuple[int, float]] = {}  # window key -> (total, forget after)
        self.flusher: asyncio.Task | None = None

    def hit(self, key: str, window: int) -> int:
        wkey = _window_key(key, window)
        count = self.pending.get(wkey, (0, window))[0] + 1
        self.pending[wkey] = (count, window)
        loop = asyncio.get_running_loop()
        if self.flusher is None or self.flusher.done() or self.flusher.get_loop() is not loop:
            self.flusher = loop.create_task(self._flush_soon())
        known = self.known.get(wkey)
        return (known[0] if known else 0) + count

    async def _flush_soon(self) -> None:
        await asyncio.sleep(self.FLUSH_SECONDS)
        while self.pending:
            if not await self.flush():
                await asyncio.sleep(1)

    async def flush(self) -> bool:
        """Send the pending hits in one round trip and learn each key's total; False when the
        store did not answer (the hits stay pending, still counted here, for the next try)."""
        batch, self.pending = self.pending, {}
        if not batch:
            return True
        try:
            totals = await self._send(batch)
        except Exception as error:  # noqa: BLE001 — keep counting locally, retry later
            log.warning("rate-limit counters not sent to the shared store: %s", error)
            for wkey, (count, window) in batch.items():
                self.pending[wkey] = (self.pending.get(wkey, (0, window))[0] + count, window)
            return False
        now = time.monotonic()  # when to forget a learnt total: memory upkeep, not a window
        self.known = {k: v for k, v in self.known.items() if v[1] > now}
        for (wkey, (_, window)), total in zip(batch.items(), totals, strict=True):
            self.known[wkey] = (total, now + window)
        return True

    async def _send(self, batch: dict[str, tuple[int, int]]) -> list[int]:
        store: Any = self.store
        async with store.client.pipeline(transaction=True) as pipe:
            for wkey, (count, window) in batch.items():
                rkey = store.counter_key(wkey)
                pipe.incrby(rkey, count)
                pipe.expire(rkey, window)
            replies = await pipe.execute()
        return [int(total) for total in replies[::2]]


_shared: dict[Store, SharedCounters] = {}


def _memory_hit(store: ProcessStore, wkey: str, window: int) -> int:
    entries = store.counters
    now = _epoch_seconds()
    value, ends = entries.get(wkey, (0, 0))
    value = (value if ends > now else 0) + 1
    entries[wkey] = (value, (now // window + 1) * window)
    global _hits_since_sweep
    _hits_since_sweep += 1
    if _hits_since_sweep >= SWEEP_EVERY:  # counters of past windows would otherwise pile up
        _hits_since_sweep = 0
        for old in [k for k, (_, ends) in entries.items() if ends <= now]:
            del entries[old]
    return value


async def hit(store: Store, key: str, window: int, *, batched: bool = False) -> int:
    """Add one to the counter of the current window and return the new value.

    ``batched`` (hot public endpoints): with a shared store, count through SharedCounters
    instead of one round trip per hit."""
    wkey = _window_key(key, window)
    if isinstance(store, ProcessStore):
        return _memory_hit(store, wkey, window)
    shared = _shared_store(store)
    if shared is not None:
        if batched:
            counters = _shared.get(store)
            if counters is None:
                counters = _shared[store] = SharedCounters(store)
            return counters.hit(key, window)
        # Several processes: one atomic script (INCR, EXPIRE on the first hit), one round trip
        # and one command (a MULTI/INCR/EXPIRE/EXEC pipeline costs twice the client CPU).
        script = _INCR_SCRIPTS.get(shared.client)
        if script is None:
            script = _INCR_SCRIPTS[shared.client] = shared.client.register_script(_INCR_LUA)
        return int(await script(keys=[shared.counter_key(wkey)], args=[window]))
    raw = await store.get(wkey)
    value = (int(raw) if raw else 0) + 1
    await store.set(wkey, str(value), expires_in=window)
    return value


async def allow(store: Store, key: str, limit: int, window: int, *,
                batched: bool = False) -> bool:
    """Count this request; False when the limit of the window is exceeded."""
    return await hit(store, key, window, batched=batched) <= limit


async def lock(store: Store, key: str, seconds: int) -> None:
    await store.set(f"lock:{key}", str(_epoch_seconds() + seconds), expires_in=seconds)


async def locked_for(store: Store, key: str) -> int:
    """Seconds left on a lock, 0 when not locked."""
    raw = await store.get(f"lock:{key}")
    return max(int(raw) - _epoch_seconds(), 0) if raw else 0


async def reset(store: Store, key: str, window: int) -> None:
    """Forget the counter of the current window (e.g. after a successful sign-in)."""
    if isinstance(store, ProcessStore):
        store.counters.pop(_window_key(key, window), None)
        return
    shared = _shared_store(store)
    if shared is not None:
        await shared.client.delete(shared.counter_key(_window_key(key, window)))
        return
    await store.delete(_window_key(key, window))
