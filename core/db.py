"""Database engine choice, transactions and start-up/shutdown hooks for both engines."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from piccolo.engine.base import Engine
from piccolo.engine.finder import engine_finder
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

SQLITE_BUSY_TIMEOUT_S = 30


def engine_for_url(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        return SQLiteEngine(path=str(path), timeout=SQLITE_BUSY_TIMEOUT_S)
    if url.startswith(("postgresql://", "postgres://")):
        return PostgresEngine(config={"dsn": url}, extensions=())
    raise ValueError("DATABASE_URL 只支持 sqlite:///路径 或 postgresql://…")


_engine: Engine | None = None


def engine() -> Engine:
    """The engine of piccolo_conf.DB (the one every table is bound to), looked up once: Piccolo's
    finder re-reads the configuration on each call (~30 µs, on every query)."""
    global _engine
    if _engine is None:
        found = engine_finder()
        assert found is not None, "piccolo_conf.DB is not configured"
        _engine = found
    return _engine


def is_sqlite() -> bool:
    return isinstance(engine(), SQLiteEngine)


@asynccontextmanager
async def transaction() -> AsyncIterator[None]:
    """A write transaction: IMMEDIATE on SQLite so read-then-write never deadlocks."""
    db = engine()
    if isinstance(db, SQLiteEngine):
        async with db.transaction(transaction_type=TransactionType.immediate):
            yield
    else:
        async with db.transaction():
            yield


@asynccontextmanager
async def reading() -> AsyncIterator[None]:
    """Several reads on one connection. On SQLite a DEFERRED transaction (one snapshot, no write
    lock taken), since outside a transaction each query opens its own connection and thread
    (about 1 ms of CPU each); on PostgreSQL the queries run as they are, each on a connection
    of the pool. Inside a transaction already open, the reads simply join it."""
    db = engine()
    if isinstance(db, SQLiteEngine):
        async with db.transaction(transaction_type=TransactionType.deferred):
            yield
    else:
        yield


async def on_startup() -> None:
    db = engine()
    if isinstance(db, SQLiteEngine):
        try:
            await db.run_ddl("PRAGMA journal_mode=WAL")
        except sqlite3.DatabaseError as error:  # a damaged file: /health tells, the app starts
            logging.getLogger("registry.db").error(
                "SQLite file unreadable: %s", type(error).__name__)
    else:
        await db.start_connection_pool(min_size=2, max_size=20)


async def on_shutdown() -> None:
    db = engine()
    if isinstance(db, PostgresEngine):
        await db.close_connection_pool()


async def ping() -> bool:
    try:
        await engine().run_ddl("SELECT 1")
    except Exception:  # noqa: BLE001 — any failure means "unreachable" for /health
        return False
    return True
