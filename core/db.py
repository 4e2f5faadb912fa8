"""Database engine choice, transactions and start-up/shutdown hooks for both engines."""

from __future__ import annotations

import importlib
import logging
import os
import sqlite3
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

if TYPE_CHECKING:
    from piccolo.table import Table

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
    finder re-reads the configuration on each call (~30 µs, on every query) and imports
    ``piccolo.conf.apps`` (which imports ``black``, ~30 MB), so the module named like Piccolo's
    finder names it (``PICCOLO_CONF``, default ``piccolo_conf``) is read here directly."""
    global _engine
    if _engine is None:
        conf = importlib.import_module(os.environ.get("PICCOLO_CONF", "piccolo_conf"))
        found = getattr(conf, "DB", None)
        assert found is not None, "piccolo_conf.DB is not configured"
        _engine = found
    return _engine


def bind(tables: Iterable[type[Table]]) -> None:
    """Bind each table to engine() up front, so that no query asks Piccolo's engine finder
    (which would import ``piccolo.conf.apps`` and ``black`` into the web process)."""
    db = engine()
    for table in tables:
        table._meta.db = db


def is_sqlite() -> bool:
    return isinstance(engine(), SQLiteEngine)


def contains(column, text: str):  # noqa: ANN001, ANN201 — a Piccolo column and its Where
    """Case-insensitive substring match of what a person typed in a search box: ILIKE on
    PostgreSQL, LIKE on SQLite (which has no ILIKE and ignores ASCII case in LIKE). ``%`` and
    ``_`` are dropped from ``text``: they are search words, never wildcards."""
    pattern = "%" + text.replace("%", "").replace("_", "") + "%"
    return column.like(pattern) if is_sqlite() else column.ilike(pattern)


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
