"""The Redis store shared by several processes (REDIS_URL), with its client in the open.

Litestar's RedisStore keeps its client to itself; the rate-limit counters (core.ratelimit) need
it for what the Store API has no word for (an atomic increment, a pipelined batch). This
subclass keeps the client it was given as ``client`` and says how a counter's key is written.
Imported only when REDIS_URL is set: redis-py is large.
"""

from __future__ import annotations

from typing import Any

from litestar.stores.redis import RedisStore
from redis.asyncio import Redis


class SharedStore(RedisStore):
    """A RedisStore whose client is ``client``; ``with_namespace`` gives SharedStores too."""

    def __init__(self, redis: Redis, **options: Any) -> None:
        super().__init__(redis, **options)
        self.client = redis

    @classmethod
    def from_url(cls, url: str, namespace: str) -> SharedStore:
        """A store on a new client (closed with the store) for ``url``, keys under
        ``namespace``."""
        return cls(Redis.from_url(url), namespace=namespace, handle_client_shutdown=True)

    def counter_key(self, key: str) -> str:
        """The Redis key of the counter ``key`` (under this store's namespace)."""
        return f"{self.namespace}:{key}" if self.namespace else key
