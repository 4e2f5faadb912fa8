"""What the table classes declare unique is what the migrated database enforces, and the
reverse: every unique index of the database (other than primary keys) is a column's
``unique=True`` or a ``piccolo.constraints.Unique`` of its table class, and a partial unique
index (which Piccolo cannot declare) is at least named in its table class."""

from __future__ import annotations

import asyncio
import inspect
import os
import sqlite3
from collections import defaultdict

from tests.conftest import IS_PG


def _declared() -> tuple[dict[str, set[frozenset[str]]], dict[str, type]]:
    from piccolo.constraints import Unique

    from composition import APP_CONFIG

    declared: dict[str, set[frozenset[str]]] = defaultdict(set)
    classes = {}
    for table in APP_CONFIG.table_classes:
        name = table._meta.tablename
        classes[name] = table
        for column in table._meta.columns:
            if column._meta.unique and not column._meta.primary_key:
                declared[name].add(frozenset([column._meta.db_column_name]))
        for constraint in table._meta.constraints:
            if isinstance(constraint, Unique):
                declared[name].add(frozenset(constraint.get_column_names()))
    return declared, classes


def _sqlite_unique(path: str) -> list[tuple[str, str, frozenset[str], bool]]:
    conn = sqlite3.connect(path)
    try:
        found = []
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            for _, index, unique, origin, partial in conn.execute(
                    f'PRAGMA index_list("{table}")'):
                if unique and origin != "pk":
                    columns = frozenset(r[2] for r in conn.execute(f'PRAGMA index_info("{index}")'))
                    found.append((table, index, columns, bool(partial)))
        return found
    finally:
        conn.close()


async def _pg_unique(url: str) -> list[tuple[str, str, frozenset[str], bool]]:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT t.relname AS tbl, i.relname AS idx, x.indpred IS NOT NULL AS partial, "
            "array_agg(a.attname::text) AS cols FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
            "JOIN pg_namespace n ON n.oid = t.relnamespace "
            "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY(x.indkey) "
            "WHERE n.nspname = 'public' AND x.indisunique AND NOT x.indisprimary "
            "GROUP BY t.relname, i.relname, x.indpred")
        return [(r["tbl"], r["idx"], frozenset(r["cols"]), r["partial"]) for r in rows]
    finally:
        await conn.close()


def _database_unique() -> list[tuple[str, str, frozenset[str], bool]]:
    url = os.environ["DATABASE_URL"]
    if IS_PG:
        return asyncio.run(_pg_unique(url))
    return _sqlite_unique(url.removeprefix("sqlite:///"))


def test_unique_constraints_of_the_database_are_declared_by_the_tables():
    declared, classes = _declared()
    enforced: dict[str, set[frozenset[str]]] = defaultdict(set)
    partial_undeclared = []
    for table, index, columns, partial in _database_unique():
        if table not in classes:  # Piccolo's own migration table
            continue
        if partial:
            if index not in inspect.getsource(classes[table]):
                partial_undeclared.append((table, index))
            continue
        enforced[table].add(columns)
    assert partial_undeclared == []
    assert {t: v for t, v in enforced.items() if v} == {t: v for t, v in declared.items() if v}


def test_the_person_identity_is_declared_and_enforced():
    declared, _ = _declared()
    assert frozenset({"id_type", "id_number"}) in declared["person"]
    assert frozenset({"id_type", "id_number"}) in declared["person_linked_number"]
    assert frozenset({"qualification", "level"}) in declared["qualification_level"]
    names = {index for table, index, _, _ in _database_unique() if table == "person"}
    assert "person_identity_uq" in names
