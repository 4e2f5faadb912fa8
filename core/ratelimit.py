"""Fixed-window counters kept in a Litestar store (memory/file for one process, Redis for many).

Used for login throttling and for the public verification endpoints.
"""

from __future__ import annotations

import time

from litestar.stores.base import StorageObject, Store
from litestar.stores.memory import MemoryStore
from litestar.stores.redis import RedisStore


def _window_key(key: str, window: int) -> str:
    return f"{key}:{int(time.time()) // window}"


async def count(store: Store, key: str, window: int) -> int:
    raw = await store.get(_window_key(key, window))
    return int(raw) if raw else 0


async def hit(store: Store, key: str, window: int) -> int:
    """Add one to the counter of the current window and return the new value."""
    wkey = _window_key(key, window)
    if type(store) is MemoryStore:
        # One process: count in the store's dict without awaiting (atomic on the event loop),
        # instead of a locked get and a locked set per request.
        entries = store._store
        entry = entries.get(wkey)
        value = (int(entry.data) if entry is not None and not entry.expired else 0) + 1
        entries[wkey] = StorageObject.new(data=str(value).encode(), expires_in=window)
        return value
    if type(store) is RedisStore:
        # Several processes: one atomic INCR (+ EXPIRE) in one round trip.
        async with store._redis.pipeline(transaction=True) as pipe:
            rkey = store._make_key(wkey)
            pipe.incr(rkey)
            pipe.expire(rkey, window)
            value, _ = await pipe.execute()
        return int(value)
    raw = await store.get(wkey)
    value = (int(raw) if raw else 0) + 1
    await store.set(wkey, str(value), expires_in=window)
    return value


async def allow(store: Store, key: str, limit: int, window: int) -> bool:
    """Count this request; False when the limit of the window is exceeded."""
    return await hit(store, key, window) <= limit


async def lock(store: Store, key: str, seconds: int) -> None:
    await store.set(f"lock:{key}", str(int(time.time()) + seconds), expires_in=seconds)


async def locked_for(store: Store, key: str) -> int:
    """Seconds left on a lock, 0 when not locked."""
    raw = await store.get(f"lock:{key}")
    return max(int(raw) - int(time.time()), 0) if raw else 0


async def reset(store: Store, key: str, window: int) -> None:
    await store.delete(_window_key(key, window))
