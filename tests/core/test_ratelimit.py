"""Rate-limit counters: exact in one process, batched through Redis for the hot public endpoint."""

import asyncio
import socket
import uuid

import pytest
from litestar.stores.memory import MemoryStore

from core import ratelimit
from tests.conftest import needs_redis, start_of_window


@pytest.fixture(autouse=True)
def quick_flush(monkeypatch):
    monkeypatch.setattr(ratelimit.SharedCounters, "FLUSH_SECONDS", 0.01)
    ratelimit._shared.clear()
    start_of_window()


def _redis_store(url: str = "redis://127.0.0.1:6379/15"):
    from litestar.stores.redis import RedisStore

    return RedisStore.with_client(url=url, namespace=f"test-{uuid.uuid4().hex}")


def test_memory_counters_limit_and_drop_past_windows(monkeypatch):
    async def scenario():
        store = MemoryStore()
        results = [await ratelimit.allow(store, "verify:1.2.3.4", 3, 60) for _ in range(5)]
        assert results == [True, True, True, False, False]
        assert await ratelimit.allow(store, "verify:5.6.7.8", 3, 60)  # per client address
        # a past window is swept away instead of piling up
        monkeypatch.setattr(ratelimit, "SWEEP_EVERY", 1)
        old = ratelimit._window_key("verify:9.9.9.9", 60)
        store._store[old] = ratelimit.StorageObject.new(data=b"1", expires_in=-1)
        await ratelimit.hit(store, "verify:1.2.3.4", 60)
        assert old not in store._store

    asyncio.run(scenario())


@needs_redis
def test_batched_counters_of_two_processes_add_up_in_redis():
    async def scenario():
        store = _redis_store()
        a, b = ratelimit.SharedCounters(store), ratelimit.SharedCounters(store)  # two workers
        assert [a.hit("verify:ip", 60) for _ in range(3)] == [1, 2, 3]
        assert [b.hit("verify:ip", 60) for _ in range(2)] == [1, 2]  # A's hits not seen yet
        await asyncio.sleep(0.1)
        assert int(await store.get(ratelimit._window_key("verify:ip", 60))) == 5
        a.hit("verify:ip", 60)
        await asyncio.sleep(0.1)
        assert a.hit("verify:ip", 60) == 7  # 3 + 2 + 1 + this one: B's hits are counted by A
        await asyncio.sleep(0.1)
        assert int(await store.get(ratelimit._window_key("verify:ip", 60))) == 7
        await store._redis.aclose()

    asyncio.run(scenario())


@needs_redis
def test_batched_limit_refuses_once_the_shared_total_is_reached():
    async def scenario():
        store = _redis_store()
        first = [await ratelimit.allow(store, "verify:ip", 4, 60, batched=True) for _ in range(3)]
        other = ratelimit.SharedCounters(store)  # another worker, which took two hits
        other.hit("verify:ip", 60), other.hit("verify:ip", 60)
        await asyncio.sleep(0.1)
        assert first == [True, True, True]
        # this worker saw 3 of its own; after the next flush it knows the total of 5
        await ratelimit.allow(store, "verify:ip", 4, 60, batched=True)
        await asyncio.sleep(0.1)
        assert not await ratelimit.allow(store, "verify:ip", 4, 60, batched=True)
        await store._redis.aclose()

    asyncio.run(scenario())


def test_batched_counters_keep_counting_when_redis_is_unreachable(monkeypatch, caplog):
    monkeypatch.setattr(ratelimit.log, "handlers", [caplog.handler])  # "registry" may not propagate
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]

    async def scenario():
        counters = ratelimit.SharedCounters(_redis_store(f"redis://127.0.0.1:{port}/0"))
        assert [counters.hit("verify:ip", 60) for _ in range(3)] == [1, 2, 3]
        await asyncio.sleep(0.2)
        assert counters.hit("verify:ip", 60) == 4  # nothing lost, no error for the request
        counters.flusher.cancel()

    asyncio.run(scenario())
    assert "not sent to the shared store" in caplog.text
