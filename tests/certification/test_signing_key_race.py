"""The signing key is created on first use: processes asking for it at the same moment on an
empty registry get one and the same key, and the database refuses a second current key."""

import asyncio
import importlib

import pytest

from certification import keys
from certification.tables import SigningKey
from certification.vc.keys import KeyStatus
from core import db
from core.actor import Actor


def _both_look_before_either_creates(monkeypatch) -> None:
    """Each caller's first look for the current key (finding none) waits for the other's, so
    both go on to create one: the interleaving a lock has to make safe."""
    looked: set[asyncio.Task] = set()
    barrier: list[asyncio.Barrier] = []
    first_look = keys._newest_current

    async def look() -> SigningKey | None:
        row = await first_look()
        task = asyncio.current_task()
        if task not in looked:
            looked.add(task)
            if not barrier:
                barrier.append(asyncio.Barrier(2))
            await barrier[0].wait()
        return row

    monkeypatch.setattr(keys, "_newest_current", look)


def _current_keys(run) -> list[int]:
    return [r["id"] for r in run(SigningKey.select(SigningKey.id).where(
        SigningKey.status == KeyStatus.CURRENT))]


def test_two_callers_at_once_on_an_empty_registry_get_one_key(run, monkeypatch):
    """Two requests (each outside a transaction) ask for the key at the same moment."""
    _both_look_before_either_creates(monkeypatch)

    async def race():
        return await asyncio.gather(keys.current_key(), keys.current_key())

    first, second = run(race)
    assert first.id == second.id and first.did == second.did
    assert _current_keys(run) == [first.id]


@pytest.mark.postgres_only
def test_two_transactions_at_once_on_an_empty_registry_get_one_key(run, monkeypatch):
    """Two approvals (each in its own transaction, on its own connection) need the key at the
    same moment: the second waits for the first's transaction and takes its key."""
    _both_look_before_either_creates(monkeypatch)

    async def approval() -> SigningKey:
        async with db.transaction():
            return await keys.current_key(Actor.system("test"))

    async def race():
        return await asyncio.gather(approval(), approval())

    first, second = run(race)
    assert first.id == second.id and first.did == second.did
    assert _current_keys(run) == [first.id]


def test_the_database_refuses_a_second_current_key(run):
    row = run(keys.current_key)
    with pytest.raises(Exception, match="(?i)unique"):
        run(SigningKey.insert(SigningKey(did="did:key:z-second", private_pem="",
                                         status=KeyStatus.CURRENT, since=row.since)))
    assert _current_keys(run) == [row.id]
    assert run(keys.rotate, Actor.system("test")).id != row.id  # retiring first still works
    assert len(_current_keys(run)) == 1


def test_the_migration_keeps_the_newest_of_several_current_keys(run):
    """A registry the race already gave two current keys: the newest stays current (it is the
    one that signed new credentials), the others are retired, then the index is built."""
    migration = importlib.import_module("migrations.registry_2026_11_30t07_20_00_000000")
    run(migration.drop_index)
    try:
        since = run(keys.current_key).since
        run(SigningKey.insert(*(
            SigningKey(did=f"did:key:z-{n}", private_pem="", status=KeyStatus.CURRENT,
                       since=since) for n in range(2))))
    finally:
        run(migration.add_index)  # the index is back (also for the next test)
    rows = run(SigningKey.select(SigningKey.id, SigningKey.status, SigningKey.retired_on)
               .order_by(SigningKey.id))
    assert [r["status"] for r in rows] == ["retired", "retired", "current"]
    assert all(r["retired_on"] is not None for r in rows[:2]) and rows[2]["retired_on"] is None
