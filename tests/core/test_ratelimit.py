"""Rate-limit counters: exact in one process, batched through Redis for the hot public endpoint.
Windows and locks follow the product's clock (frozen here), and batches are flushed by the test,
so nothing waits for the wall clock."""

import asyncio
import socket
import uuid
from datetime import timedelta

import pytest
from litestar.stores.memory import MemoryStore

from core import clock, ratelimit
from tests.conftest import hold_clock, needs_redis


@pytest.fixture(autouse=True)
def flushed_by_the_test(monkeypatch):
    """The background flush never comes within a test: the test calls ``flush()`` itself."""
    monkeypatch.setattr(ratelimit.SharedCounters, "FLUSH_SECONDS", 3600)
    ratelimit._shared.clear()
    hold_clock()


def _redis_store(url: str = "redis://127.0.0.1:6379/15"):
    from core.redis_store import SharedStore

    return SharedStore.from_url(url, f"test-{uuid.uuid4().hex}")


def test_memory_counters_limit_and_drop_past_windows(monkeypatch):
    async def scenario():
        store = ratelimit.ProcessStore()
        results = [await ratelimit.allow(store, "verify:1.2.3.4", 3, 60) for _ in range(5)]
        assert results == [True, True, True, False, False]
        assert await ratelimit.allow(store, "verify:5.6.7.8", 3, 60)  # per client address
        await ratelimit.reset(store, "verify:5.6.7.8", 60)
        assert await ratelimit.count(store, "verify:5.6.7.8", 60) == 0
        # a past window is swept away instead of piling up
        old = ratelimit._window_key("verify:9.9.9.9", 60)
        await ratelimit.hit(store, "verify:9.9.9.9", 60)
        clock.advance(timedelta(seconds=60))
        monkeypatch.setattr(ratelimit, "SWEEP_EVERY", 1)
        await ratelimit.hit(store, "verify:1.2.3.4", 60)
        assert old not in store.counters and len(store.counters) == 1

    asyncio.run(scenario())


def test_any_other_store_counts_through_the_store_api():
    async def scenario():
        store = MemoryStore()  # as a file store would: get and set
        assert [await ratelimit.hit(store, "login:edu", 900) for _ in range(3)] == [1, 2, 3]
        assert await ratelimit.count(store, "login:edu", 900) == 3
        await ratelimit.reset(store, "login:edu", 900)
        assert await ratelimit.count(store, "login:edu", 900) == 0

    asyncio.run(scenario())


def test_a_new_window_of_the_clock_starts_a_new_count():
    async def scenario():
        store = ratelimit.ProcessStore()
        clock.set_now(clock.now() - timedelta(seconds=clock.now().timestamp() % 60))
        assert [await ratelimit.allow(store, "verify:ip", 2, 60) for _ in range(3)] == [
            True, True, False]
        clock.advance(timedelta(seconds=59))  # the same window
        assert not await ratelimit.allow(store, "verify:ip", 2, 60)
        clock.advance(timedelta(seconds=1))  # the next one
        assert await ratelimit.allow(store, "verify:ip", 2, 60)
        assert await ratelimit.count(store, "verify:ip", 60) == 1

    asyncio.run(scenario())


def test_a_lock_runs_out_with_the_clock():
    async def scenario():
        store = MemoryStore()
        await ratelimit.lock(store, "login:edu", 900)
        assert await ratelimit.locked_for(store, "login:edu") == 900
        clock.advance(timedelta(seconds=899))
        assert await ratelimit.locked_for(store, "login:edu") == 1
        clock.advance(timedelta(seconds=1))
        assert await ratelimit.locked_for(store, "login:edu") == 0
        assert await ratelimit.locked_for(store, "login:nobody") == 0

    asyncio.run(scenario())


@needs_redis
def test_exact_counters_and_locks_in_redis():
    async def scenario():
        store = _redis_store().with_namespace("throttle")  # as the app makes its stores
        assert [await ratelimit.hit(store, "login:edu", 900) for _ in range(3)] == [1, 2, 3]
        assert await ratelimit.count(store, "login:edu", 900) == 3
        await ratelimit.reset(store, "login:edu", 900)
        assert await ratelimit.count(store, "login:edu", 900) == 0
        await ratelimit.lock(store, "login:edu", 900)
        clock.advance(timedelta(seconds=100))
        assert await ratelimit.locked_for(store, "login:edu") == 800
        await store.client.aclose()

    asyncio.run(scenario())


@needs_redis
def test_batched_counters_of_two_processes_add_up_in_redis():
    async def scenario():
        store = _redis_store()
        a, b = ratelimit.SharedCounters(store), ratelimit.SharedCounters(store)  # two workers
        assert [a.hit("verify:ip", 60) for _ in range(3)] == [1, 2, 3]
        assert [b.hit("verify:ip", 60) for _ in range(2)] == [1, 2]  # A's hits not seen yet
        assert await a.flush() and await b.flush()
        assert await ratelimit.count(store, "verify:ip", 60) == 5
        a.hit("verify:ip", 60)
        assert await a.flush()
        assert a.hit("verify:ip", 60) == 7  # 3 + 2 + 1 + this one: B's hits are counted by A
        assert await a.flush()
        assert await ratelimit.count(store, "verify:ip", 60) == 7
        await store.client.aclose()

    asyncio.run(scenario())


@needs_redis
def test_batched_limit_refuses_once_the_shared_total_is_reached():
    async def scenario():
        store = _redis_store()
        first = [await ratelimit.allow(store, "verify:ip", 4, 60, batched=True) for _ in range(3)]
        other = ratelimit.SharedCounters(store)  # another worker, which took two hits
        other.hit("verify:ip", 60), other.hit("verify:ip", 60)
        this = ratelimit._shared[store]
        assert await this.flush() and await other.flush()
        assert first == [True, True, True]
        # this worker saw 3 of its own; after the next flush it knows the total of 5
        await ratelimit.allow(store, "verify:ip", 4, 60, batched=True)
        assert await this.flush()
        assert not await ratelimit.allow(store, "verify:ip", 4, 60, batched=True)
        await store.client.aclose()

    asyncio.run(scenario())


def test_batched_counters_keep_counting_when_redis_is_unreachable(monkeypatch, caplog):
    monkeypatch.setattr(ratelimit.log, "handlers", [caplog.handler])  # "registry" may not propagate
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]

    async def scenario():
        counters = ratelimit.SharedCounters(_redis_store(f"redis://127.0.0.1:{port}/0"))
        assert [counters.hit("verify:ip", 60) for _ in range(3)] == [1, 2, 3]
        assert not await counters.flush()  # the store did not answer: the hits stay pending
        assert counters.hit("verify:ip", 60) == 4  # nothing lost, no error for the request
        counters.flusher.cancel()

    asyncio.run(scenario())
    assert "not sent to the shared store" in caplog.text
