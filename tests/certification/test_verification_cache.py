"""The public lookup's cache (certification.services.lookup_cache): a warm entry never hides a
change — made through this process's API, by another process, or while the PostgreSQL change
listener is away."""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any

import pytest

from tests.conftest import api_token

IS_PG = os.environ.get("DATABASE_URL", "").startswith(("postgresql://", "postgres://"))


@pytest.fixture
def officer(make_user):
    make_user("hrss_officer", "officer")
    return "officer"


def public(client: Any, number: str, name: str = "王芳") -> dict:
    response = client.get(f"/api/v1/public/certificates/{number}", params={"name": name})
    assert response.status_code == 200, response.text
    return response.json()


def test_the_answer_is_served_from_the_cache_when_nothing_changed(client, make_person,
                                                                  issue_skill):
    from certification.services import verification

    cert = issue_skill(make_person("王芳").id)
    first = public(client, cert.number)
    assert verification.CACHE.live and cert.number in verification.CACHE.entries
    assert public(client, cert.number) == first
    assert public(client, cert.number.lower(), " 王 芳 ") == first  # one entry, any spelling
    wrong = client.get(f"/api/v1/public/certificates/{cert.number}", params={"name": "李娜"})
    unknown = client.get("/api/v1/public/certificates/S123412000001264000999",
                         params={"name": "王芳"})
    assert wrong.status_code == unknown.status_code == 404 and wrong.json() == unknown.json()


def test_a_revocation_through_the_api_shows_at_once_with_the_cache_warm(client, make_person,
                                                                      issue_skill, officer):
    from certification.services import verification

    cert = issue_skill(make_person("王芳").id)
    assert public(client, cert.number)["status"] == "valid"
    assert public(client, cert.number)["status"] == "valid"  # served from the cache
    assert cert.number in verification.CACHE.entries
    headers = api_token(client, officer)
    base = f"/api/v1/certification/certificates/{cert.id}"
    suspended = client.post(f"{base}/suspend", json={"public_reason": "投诉调查中"},
                            headers=headers)
    assert suspended.status_code == 200, suspended.text
    body = public(client, cert.number)
    assert body["status"] == "suspended" and body["status_reason"] == "投诉调查中"
    assert client.post(f"{base}/reinstate", json={"public_reason": "调查结束"},
                       headers=headers).status_code == 200
    assert public(client, cert.number)["status"] == "valid"
    public(client, cert.number)  # warm again
    assert client.post(f"{base}/revoke", json={"public_reason": "考试舞弊"},
                       headers=headers).status_code == 200
    body = public(client, cert.number)
    assert body["status"] == "revoked" and body["status_reason"] == "考试舞弊"


def test_a_valid_certificate_in_the_cache_reads_as_expired_after_its_expiry_date(
        client, run, make_person, issue_skill):
    from datetime import date

    from core import clock
    from core.tables import Credential

    cert = issue_skill(make_person("王芳").id)
    run(Credential.update({Credential.expires_on: date(2027, 5, 31)})
        .where(Credential.id == cert.id))
    with clock.frozen(date(2027, 5, 31)):
        assert public(client, cert.number)["status"] == "valid"
        assert public(client, cert.number)["status"] == "valid"
    with clock.frozen(date(2027, 6, 1)):
        body = public(client, cert.number)
    assert body["status"] == "expired" and body["status_reason"] == "有效期届满"
    assert body["status_date"] == "2027-05-31"


def _wait_until(check, what: str, seconds: float = 1.0) -> float:
    """Poll ``check`` (another process's doing) until it holds; the seconds it took."""
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > seconds:
            raise AssertionError(f"{what}: not within {seconds} s")
        time.sleep(0.01)
    return time.monotonic() - started


def test_a_revocation_made_by_another_process_shows_in_the_next_lookup(
        client, make_person, issue_skill, officer, tmp_path):
    """Process B (uvicorn) revokes; this process's warm cache must not answer valid for more
    than a second (the PostgreSQL notification, or SQLite's data_version at once)."""
    import httpx

    from certification.services import verification
    from core.db import engine
    from tests.servers import served_app

    cert = issue_skill(make_person("王芳").id)
    env = {"VAR_DIR": str(tmp_path / "var")}
    if hasattr(engine(), "path"):
        env["DATABASE_URL"] = f"sqlite:///{engine().path}"
    with served_app(**env) as other_url, httpx.Client(base_url=other_url) as other:
        assert public(client, cert.number)["status"] == "valid"
        assert public(other, cert.number)["status"] == "valid"
        assert public(client, cert.number)["status"] == "valid"  # warm here
        assert cert.number in verification.CACHE.entries
        headers = api_token(other, officer)
        revoked = other.post(f"/api/v1/certification/certificates/{cert.id}/revoke",
                             json={"public_reason": "考试舞弊"}, headers=headers)
        assert revoked.status_code == 200, revoked.text
        assert public(other, cert.number)["status"] == "revoked"  # its own change: at once
        _wait_until(lambda: public(client, cert.number)["status"] == "revoked",
                    "另一进程的撤销在本进程可见")
        if not IS_PG:
            assert public(client, cert.number)["status"] == "revoked"


class FakeConnection:
    """What PgListener uses of an asyncpg connection."""

    def __init__(self) -> None:
        self.on_terminate: list = []
        self.on_notify: dict = {}
        self.closed = False

    def add_termination_listener(self, callback) -> None:
        self.on_terminate.append(callback)

    async def add_listener(self, channel: str, callback) -> None:
        self.on_notify[channel] = callback

    def is_closed(self) -> bool:
        return self.closed

    async def close(self) -> None:
        self.closed = True

    def terminate(self) -> None:
        self.closed = True

    async def fetchval(self, query: str, timeout: float) -> int:
        return 1

    def drop(self) -> None:
        self.closed = True
        for callback in self.on_terminate:
            callback(self)


def test_a_dropped_listener_turns_the_cache_off_and_empties_it():
    from certification.services.lookup_cache import CHANNEL, LookupCache, PgListener

    async def scenario() -> None:
        cache = LookupCache(size=10)
        conns: list[FakeConnection] = []

        async def connect() -> FakeConnection:
            conns.append(FakeConnection())
            return conns[-1]

        listener = PgListener(cache, connect)
        assert not cache.live and cache.get("A") is None  # nothing served before listening
        await listener.start()
        assert cache.live
        cache.put("A", "entry-a", cache.epoch)
        cache.put("B", "entry-b", cache.epoch)
        assert cache.get("A") == "entry-a"
        conns[0].on_notify[CHANNEL](conns[0], 1, CHANNEL, "A")  # A changed
        assert cache.get("A") is None and cache.get("B") == "entry-b"
        stale_epoch = cache.epoch
        conns[0].drop()  # the server closed the listening connection
        assert not cache.live and cache.entries == {}
        cache.put("B", "entry-b", stale_epoch)
        assert cache.get("B") is None  # not stored, not served while nobody listens
        await listener.stop()

    asyncio.run(scenario())


def test_a_row_read_while_a_change_arrived_is_not_stored():
    from certification.services.lookup_cache import LookupCache

    cache = LookupCache(size=2)
    cache.start()
    epoch = cache.epoch
    cache.forget("A")  # a notification arrives while the row of A was being read
    cache.put("A", "old-a", epoch)
    assert cache.get("A") is None
    cache.changing("B")  # this process is changing B inside its transaction
    cache.put("B", "old-b", cache.epoch)
    assert cache.get("B") is None
    cache.forget("B")  # its commit's notification
    cache.put("B", "new-b", cache.epoch)
    assert cache.get("B") == "new-b"
    cache.put("C", "c", cache.epoch)
    cache.put("D", "d", cache.epoch)  # bounded: the least recently used (B) goes
    assert set(cache.entries) == {"C", "D"}


@pytest.mark.postgres_only
def test_a_lost_listener_connection_never_serves_a_stale_answer(client, run, make_person,
                                                                issue_skill):
    """The listener's backend is killed: the cache goes off until it reconnects, and a
    revocation written meanwhile (its notification lost) shows at once."""
    from certification.services import verification
    from core.db import engine
    from core.tables import Credential

    cert = issue_skill(make_person("王芳").id)
    assert public(client, cert.number)["status"] == "valid"
    [listener] = verification._listeners.values()
    pid = listener.conn.get_server_pid()
    run(engine().run_ddl(f"SELECT pg_terminate_backend({int(pid)})"))
    _wait_until(lambda: not verification.CACHE.live, "监听连接断开后缓存停用", seconds=5)
    run(Credential.update({Credential.status: "revoked", Credential.status_reason: "考试舞弊"})
        .where(Credential.id == cert.id))
    assert public(client, cert.number)["status"] == "revoked"
    _wait_until(lambda: verification.CACHE.live, "监听连接恢复", seconds=10)
    assert public(client, cert.number)["status"] == "revoked"


class FakeReaderDb:
    """What certification.services.verification._PgReaders uses of the engine: new
    connections whose ``fetch`` records each query's numbers and answers from ``rows``
    (``fail`` holds numbers whose batch raises, once)."""

    def __init__(self, rows: dict[str, dict]) -> None:
        self.rows = rows
        self.batches: list[list[str]] = []
        self.fail: set[str] = set()
        self.refuse: set[str] = set()  # numbers the server cannot take (a NUL, say)
        self.opened = 0

    async def get_new_connection(self) -> Any:
        self.opened += 1
        db = self

        class Conn:
            terminated = False

            async def execute(self, _sql: str) -> None:
                pass

            async def fetch(self, _query: str, numbers: list[str]) -> list[dict]:
                db.batches.append(list(numbers))
                await asyncio.sleep(0)  # a round trip: other lookups queue meanwhile
                if db.fail & set(numbers):
                    db.fail.clear()
                    raise ConnectionResetError("connection lost")
                if db.refuse & set(numbers):
                    from asyncpg.exceptions import CharacterNotInRepertoireError

                    raise CharacterNotInRepertoireError("invalid byte sequence for encoding")
                return [db.rows[n] for n in numbers if n in db.rows]

            def terminate(self) -> None:
                self.terminated = True

            async def close(self) -> None:
                pass

        return Conn()


def test_concurrent_lookups_share_queries_and_each_gets_its_own_row():
    from certification.services.verification import _PgReaders

    rows = {f"N{i}": {"number": f"N{i}", "holder_name": f"持证人{i}"} for i in range(100)}
    db = FakeReaderDb(rows)

    async def scenario() -> None:
        readers = _PgReaders()
        asked = [f"N{i % 90}" for i in range(150)] + ["UNKNOWN1", "UNKNOWN2"]
        answers = await asyncio.gather(*(readers.fetch(db, n) for n in asked))
        for number, row in zip(asked, answers, strict=True):
            assert row == rows.get(number)  # its own row, None for an unknown number
        # 92 distinct numbers asked at once: two queries (BATCH at most each), not 152
        assert len(db.batches) == 2 and all(len(b) <= readers.BATCH for b in db.batches)
        assert sorted(n for b in db.batches for n in b) == sorted(set(asked))
        alone = await readers.fetch(db, "N95")  # a lookup on its own: one query, at once
        assert alone == rows["N95"] and db.batches[-1] == ["N95"]
        await asyncio.sleep(0)  # the drains' done callbacks
        assert readers.running == 0 and db.opened <= readers.size
        await readers.close()

    asyncio.run(scenario())


def test_a_failed_batch_fails_only_its_own_lookups_and_the_next_ones_work():
    from certification.services.verification import _PgReaders

    rows = {f"N{i}": {"number": f"N{i}"} for i in range(10)}
    db = FakeReaderDb(rows)

    async def scenario() -> None:
        readers = _PgReaders()
        db.fail = {"N3"}
        results = await asyncio.gather(*(readers.fetch(db, f"N{i}") for i in range(5)),
                                       return_exceptions=True)
        assert all(isinstance(r, ConnectionResetError) for r in results)  # one batch, all five
        cancelled = asyncio.ensure_future(readers.fetch(db, "N7"))
        kept = asyncio.ensure_future(readers.fetch(db, "N8"))
        await asyncio.sleep(0)
        cancelled.cancel()  # the client went away while its number was queued
        assert await kept == rows["N8"]
        assert await readers.fetch(db, "N9") == rows["N9"]  # a new connection after the loss
        await asyncio.sleep(0)  # the drains' done callbacks
        assert readers.running == 0
        await readers.close()

    asyncio.run(scenario())


@pytest.mark.postgres_only
def test_lookups_coalesced_into_one_query_answer_each_certificate_on_postgres(
        client, run, make_person, issue_skill):
    """Many numbers looked up at once (the cache off) go through the batched query: each
    answer is its own certificate's, a wrong name or an unknown number is still NotFound."""
    from certification.services import verification
    from core import clock
    from core.errors import NotFound

    names = ["王芳", "李娜", "张伟", "刘洋", "陈静", "杨磊"]
    certs = [(issue_skill(make_person(name).id), name) for name in names]

    async def lookups() -> list:
        verification.CACHE.stop()  # every lookup reaches the database
        try:
            asked = [verification.lookup(cert.number, name=name, today=clock.today())
                     for cert, name in certs * 3]
            asked.append(verification.lookup(certs[0][0].number, name="李娜",
                                             today=clock.today()))
            asked.append(verification.lookup("S123412000001264000999", name="王芳",
                                             today=clock.today()))
            return await asyncio.gather(*asked, return_exceptions=True)
        finally:
            verification.CACHE.start()

    answers = run(lookups)
    for (cert, name), answer in zip(certs * 3, answers, strict=False):
        assert answer.number == cert.number and answer.holder_name == name[0] + "*"
    assert isinstance(answers[-2], NotFound) and isinstance(answers[-1], NotFound)

    async def plan_modes() -> set[str]:  # each lookup connection keeps one generic plan
        readers = next(iter(verification._pg_readers.values()))
        return {await conn.fetchval("SHOW plan_cache_mode") for conn in readers.idle}

    assert run(plan_modes) == {"force_generic_plan"}


def test_a_number_the_server_refuses_fails_only_its_own_lookup():
    """A value PostgreSQL refuses (e.g. a NUL) fails the batch's statement: the others in the
    batch are asked one by one on the same connection and answered."""
    from certification.services.verification import _PgReaders

    rows = {f"N{i}": {"number": f"N{i}"} for i in range(6)}
    db = FakeReaderDb(rows)

    async def scenario() -> None:
        readers = _PgReaders()
        db.refuse = {"BAD"}
        asked = ["N0", "BAD", "N1", "N2", "NOPE"]
        results = await asyncio.gather(*(readers.fetch(db, n) for n in asked),
                                       return_exceptions=True)
        assert results[0] == rows["N0"] and results[2] == rows["N1"]
        assert results[3] == rows["N2"] and results[4] is None
        assert type(results[1]).__name__ == "CharacterNotInRepertoireError"
        assert db.opened == 1  # the connection was kept
        assert await readers.fetch(db, "N5") == rows["N5"] and db.opened == 1
        await readers.close()

    asyncio.run(scenario())


def test_a_drain_cancelled_before_it_ran_leaves_no_lookup_hanging():
    from certification.services.verification import _PgReaders

    rows = {"N1": {"number": "N1"}}
    db = FakeReaderDb(rows)

    async def scenario() -> None:
        readers = _PgReaders()
        first = asyncio.ensure_future(readers.fetch(db, "N1"))
        await asyncio.sleep(0)  # its drain task is scheduled, not yet run
        for task in list(readers.tasks):
            task.cancel()
        first.cancel()
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        assert readers.running == 0
        assert await asyncio.wait_for(readers.fetch(db, "N1"), 5) == rows["N1"]
        await readers.close()

    asyncio.run(scenario())


@pytest.mark.parametrize("number", ["S1%00X", "S99991200000126500000%25", "S9999%27%3B%20--",
                                    "%E2%84%961", "S1%0AX"])  # NUL, %, a quote, №, a newline
def test_a_number_outside_the_alphabet_is_not_found_not_an_error(client, number):
    response = client.get(f"/api/v1/public/certificates/{number}", params={"name": "王芳"})
    assert response.status_code == 404, response.text
    page = client.get(f"/verify/{number}", params={"code": "ABCD2345"})
    assert page.status_code == 404


@pytest.mark.parametrize("connections", [1, 3])
def test_lookup_connections_are_the_setting(monkeypatch, connections):
    """VERIFY_LOOKUP_CONNECTIONS bounds the connections a process opens however many lookups
    arrive at once; every lookup still gets its own row."""
    from certification.services.verification import _PgReaders
    from core.settings import get_settings

    monkeypatch.setenv("VERIFY_LOOKUP_CONNECTIONS", str(connections))
    get_settings.cache_clear()
    rows = {f"N{i}": {"number": f"N{i}", "holder_name": f"持证人{i}"} for i in range(40)}
    db = FakeReaderDb(rows)

    async def scenario() -> None:
        readers = _PgReaders()
        readers.BATCH = 5  # 8 queries: every connection allowed is needed
        answers = await asyncio.gather(*(readers.fetch(db, f"N{i}") for i in range(40)))
        assert answers == [rows[f"N{i}"] for i in range(40)]
        assert db.opened == connections and len(db.batches) == 8
        await readers.close()

    try:
        asyncio.run(scenario())
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


def test_the_cache_starts_warm_with_the_newest_certificates(client, run, make_person, issue_skill,
                                                             monkeypatch):
    """warm_cache (started by start_cache) keeps the public answers of the newest issued
    certificates, at most the limit, read chunk by chunk from the oldest of them to the newest
    (the newest most recently used); a chunk read across a change is not kept, the later ones
    are; a number a lookup cached meanwhile is left as it was; a revocation after warming shows."""
    import asyncio

    from certification.services import verification
    from certification.services.verification import CACHE, warm_cache
    from core.tables import Credential

    async def warming():
        return verification._warming.get(asyncio.get_running_loop())

    assert run(warming) is not None  # start_cache started the warming of this process's loop
    monkeypatch.setattr(verification, "WARM_CHUNK", 2)
    certs = [issue_skill(make_person(f"王芳{'甲乙丙丁戊己庚'[i]}").id) for i in range(7)]
    newest = [c.number for c in certs[2:]]
    CACHE.clear()
    assert run(warm_cache(5)) == 5
    assert list(CACHE.entries) == newest  # in order: the newest is used most recently

    # a change while the second chunk is read: that chunk is lost, the first and third are kept
    CACHE.clear()
    real_entry, built = verification._entry, []

    def entry_then_change(row, number=None):
        built.append(row["number"])
        if len(built) == 3:  # the first row of the second chunk
            CACHE.forget("")  # as a notification (or a commit seen on SQLite) would
        return real_entry(row, number)

    monkeypatch.setattr(verification, "_entry", entry_then_change)
    run(warm_cache(5))
    monkeypatch.setattr(verification, "_entry", real_entry)
    assert list(CACHE.entries) == [newest[4]]  # the forget emptied the first chunk too

    # an answer a lookup cached is not replaced nor moved by warming
    CACHE.clear()
    r = client.get(f"/api/v1/public/certificates/{certs[6].number}", params={"name": "王芳庚"})
    assert r.status_code == 200
    held = CACHE.entries.get(certs[6].number)
    run(warm_cache(5))
    if held is not None:  # cached (PostgreSQL; SQLite also unless a commit was seen meanwhile)
        assert CACHE.entries[certs[6].number] is held and list(CACHE.entries)[0] == certs[6].number

    # after warming, a revocation shows at once
    run(warm_cache(5))
    run(Credential.update({Credential.status: "revoked"}).where(Credential.id == certs[6].id))
    r = client.get(f"/api/v1/public/certificates/{certs[6].number}", params={"name": "王芳庚"})
    assert r.json()["status"] == "revoked"
