"""Is the database the migrated schema? Used by ``/health`` and by ``serve`` on PostgreSQL.

The database is current when Piccolo's ``migration`` table lists every migration in
``migrations/`` for our app and the core tables answer a query. A database file replaced by an
empty or a random file, or a PostgreSQL database never migrated, is therefore *not* healthy,
even though ``SELECT 1`` succeeds.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from core import db
from core.settings import ROOT

APP_NAME = "registry"
CORE_TABLES = ("app_user", "person", "audit_log")


@dataclass(frozen=True)
class SchemaState:
    """``ok`` with ``reason`` (Chinese, for operators) and the IDs of migrations not applied."""

    ok: bool
    reason: str
    pending: tuple[str, ...] = ()


@lru_cache(maxsize=1)
def known_migration_ids() -> tuple[str, ...]:
    """IDs of the migrations shipped in ``migrations/``, oldest first (read from disk once)."""
    from piccolo.apps.migrations.commands.base import BaseMigrationManager

    manager = BaseMigrationManager()
    modules = manager.get_migration_modules(str(ROOT / "migrations"))
    return tuple(sorted(manager.get_migration_ids(modules)))


async def schema_state() -> SchemaState:
    """Check the connected database. Never raises: any failure is a reason."""
    engine = db.engine()
    try:
        rows = await engine.run_ddl(f"SELECT name FROM migration WHERE app_name = '{APP_NAME}'")
    except Exception as error:  # noqa: BLE001 — a missing table or a non-database file
        return SchemaState(False, f"数据库未迁移或不可读（{type(error).__name__}）")
    applied = {row["name"] for row in rows}
    pending = tuple(i for i in known_migration_ids() if i not in applied)
    if pending:
        return SchemaState(False, f"数据库有 {len(pending)} 个迁移未应用", pending)
    try:
        for table in CORE_TABLES:
            await engine.run_ddl(f"SELECT 1 FROM {table} LIMIT 1")  # noqa: S608 — fixed names
    except Exception as error:  # noqa: BLE001
        return SchemaState(False, f"核心数据表不可读（{type(error).__name__}）")
    return SchemaState(True, "ok")

