"""Fixed-window counters kept in a Litestar store (memory/file for one process, Redis for many).

Used for login throttling and for the public verification endpoints.
"""

from __future__ import annotations

import time

from litestar.stores.base import Store


def _window_key(key: str, window: int) -> str:
    return f"{key}:{int(time.time()) // window}"


async def count(store: Store, key: str, window: int) -> int:
    raw = await store.get(_window_key(key, window))
    return int(raw) if raw else 0


async def hit(store: Store, key: str, window: int) -> int:
    """Add one to the counter of the current window and return the new value."""
    wkey = _window_key(key, window)
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
