"""Is the database the migrated schema? Used by ``/health`` and by ``serve`` on PostgreSQL.

The database is current when Piccolo's ``migration`` table lists every migration in
``migrations/`` for our app and the core tables answer a query. A database file replaced by an
empty or a random file, or a PostgreSQL database never migrated, is therefore *not* healthy,
even though ``SELECT 1`` succeeds.
"""

from __future__ import annotations

import re
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


# A migration's ``ID = "…"`` line, as Piccolo writes it (a string literal at module level).
_ID_LINE = re.compile(r"""^ID\s*(?::\s*str\s*)?=\s*(["'])(?P<id>[^"'\n]+)\1\s*$""", re.MULTILINE)


@lru_cache(maxsize=1)
def known_migration_ids() -> tuple[str, ...]:
    """IDs of the migrations shipped in ``migrations/``, oldest first (read from disk once).

    The files Piccolo's migration manager reads (every ``*.py`` but ``__init__.py``) and the
    ``ID`` each defines (the last one, as the module would bind it), read from the source text:
    importing Piccolo's migration commands would load ``piccolo.conf.apps`` (and ``black``,
    ~30 MB) and every migration into each web process that answers ``/health``. A test pins
    that this reading equals Piccolo's."""
    ids = []
    for path in (ROOT / "migrations").glob("*.py"):
        if path.name == "__init__.py":
            continue
        found = [match["id"] for match in _ID_LINE.finditer(path.read_text(encoding="utf-8"))]
        if found:
            ids.append(found[-1])
    return tuple(sorted(ids))


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

