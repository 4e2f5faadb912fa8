"""Migrations are frozen: they import nothing but piccolo and the standard library, each says
what it does, and a fresh migrate gives the same schema and data as the migrations did before
they were frozen.

The reference is the migrations of ``REFERENCE_COMMIT``. Its state — schema (tables, columns,
types, nullability, defaults, indexes, unique and foreign-key constraints) and every row, as
``_sqlite_state`` / ``_pg_state`` read them — is committed per engine in
``tests/data/migrations_reference.sqlite.json`` and ``…postgresql.json``, so the comparison
needs no git history (CI's clone may be shallow):

- the main test migrates a fresh database of the engine under test (SQLite, or PostgreSQL with
  DATABASE_URL) with today's migrations up to the snapshot's last migration ID and compares it
  with the snapshot;
- a second test, where the git history holds the reference commit, checks the snapshot is
  honest: the tree of that commit (``git archive``), migrated by its own
  ``python -m core.manage migrate``, gives exactly the snapshot. Without the history it skips,
  also in CI: the first test still guards.

Timestamps written at migration time (e.g. ``created_at`` of a seeded row) read as "written
during the migration". The state is plain JSON (dates, times and decimals as text), keys and
rows sorted (rows by their JSON text, not by a server's collation); on PostgreSQL it holds no
OIDs, the database's name reads ``<database>``, and not-null constraints count as the columns'
nullability only (PostgreSQL 18 also lists them as constraints).

The snapshots are regenerated never, unless ``REFERENCE_COMMIT`` changes (or the state format
below does): ``tests/data/make_migrations_reference.py``, once per engine, with the history.
"""

from __future__ import annotations

import ast
import asyncio
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse, urlunparse
from uuid import UUID

import pytest

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = ROOT / "migrations"
# The last commit whose migrations still imported application code (seeders, services): the
# frozen migrations must reproduce exactly what these produced.
REFERENCE_COMMIT = "38a8cf2db7f241311476483d8e97f00d8f7ff94d"
MIGRATION_FILE = re.compile(r"^registry_\d{4}(_\d{2}){2}t(\d{2}_){3}\d{6}\.py$")


def _migration_files() -> list[Path]:
    return sorted(p for p in MIGRATIONS.glob("*.py") if MIGRATION_FILE.match(p.name))


def _imported_roots(tree: ast.AST) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(tree):  # every import, also those inside functions
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            roots.add("." if node.level else (node.module or "").split(".")[0])
    return roots


def test_migrations_import_only_piccolo_and_the_standard_library():
    allowed = set(sys.stdlib_module_names) | {"piccolo", "__future__"}
    found = {}
    for path in _migration_files():
        outside = _imported_roots(ast.parse(path.read_text(encoding="utf-8"))) - allowed
        if outside:
            found[path.name] = sorted(outside)
    assert _migration_files() and found == {}


def test_the_import_check_sees_imports_inside_functions():
    tree = ast.parse("import json\nasync def run():\n    from core.db import engine\n")
    assert _imported_roots(tree) == {"json", "core"}


def test_every_migration_says_what_it_does():
    empty = []
    for path in _migration_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        values = [node.value.value for node in tree.body if isinstance(node, ast.Assign)
                  and any(getattr(t, "id", "") == "DESCRIPTION" for t in node.targets)
                  and isinstance(node.value, ast.Constant)]
        if not values or not str(values[0]).strip():
            empty.append(path.name)
    assert empty == []


def test_data_files_read_by_migrations_exist():
    for path in _migration_files():
        for name in re.findall(r'"data" / "([^"]+)"', path.read_text(encoding="utf-8")):
            assert (MIGRATIONS / "data" / name).is_file(), (path.name, name)


# ---- the comparison --------------------------------------------------------------------------

# One snapshot per engine, committed: the reference state as _sqlite_state / _pg_state give it.
SNAPSHOTS = ROOT / "tests" / "data"
ENGINES = ("sqlite", "postgresql")
WRITTEN_DURING_THE_MIGRATION = "<written during the migration>"
DATABASE_NAME = "<database>"
# The environment the tests migrate in (as tests/conftest.py sets it), for the snapshot too.
MIGRATE_ENV = {
    "ARGON2_TIME_COST": "1",
    "ARGON2_MEMORY_KIB": "256",
    "SECRET_KEY": "test-secret-key-not-for-production",
    "DEMO_DATA": "0",
    "LOG_LEVEL": "WARNING",
    "RUN_JOBS": "0",
}


def snapshot_path(engine: str) -> Path:
    """The committed reference snapshot of ``engine`` ("sqlite" or "postgresql")."""
    return SNAPSHOTS / f"migrations_reference.{engine}.json"


def _git(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, check=False)


def _reference_available() -> bool:
    if shutil.which("git") is None:
        return False
    return _git("cat-file", "-e", f"{REFERENCE_COMMIT}^{{commit}}").returncode == 0


def _extract_reference(into: Path) -> None:
    archive = _git("archive", "--format=tar", REFERENCE_COMMIT)
    assert archive.returncode == 0, archive.stderr.decode()
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(into, filter="data")
        else:  # Python < 3.11.4; the archive is our own commit
            tar.extractall(into)  # noqa: S202


def _migration_ids(folder: Path) -> list[str]:
    ids = []
    for path in folder.glob("registry_*.py"):
        match = re.search(r'^ID = "([^"]+)"', path.read_text(encoding="utf-8"), re.M)
        assert match, path
        ids.append(match.group(1))
    return sorted(ids)


def _last_migration_id(folder: Path) -> str:
    return _migration_ids(folder)[-1]


MIGRATE_UP_TO = """
import asyncio, sys
from piccolo.apps.migrations.commands.forwards import run_forwards
result = asyncio.run(run_forwards("registry", migration_id=sys.argv[1]))
sys.exit(0 if result.success else result.message)
"""


def _run(command: list[str], cwd: Path, url: str, var_dir: Path) -> None:
    env = {**os.environ, **MIGRATE_ENV, "DATABASE_URL": url, "VAR_DIR": str(var_dir)}
    for name in ("PICCOLO_CONF", "PYTHONPATH", "REDIS_URL"):
        env.pop(name, None)
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=600, check=False)
    output = f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    assert done.returncode == 0, f"{command} in {cwd}:\n{output}"


def _mask(value: object, since: datetime) -> object:
    """A timestamp written during this run reads as such; anything else as itself."""
    instant = value
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] in " T":
        try:
            instant = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(instant, datetime):
        aware = instant if instant.tzinfo else instant.replace(tzinfo=UTC)
        if since <= aware <= datetime.now(UTC) + timedelta(minutes=1):
            return WRITTEN_DURING_THE_MIGRATION
    return value


def _plain(value: object) -> object:
    """``value`` as JSON has it: lists for tuples, ISO text for dates and times, text for
    decimals and UUIDs, hex for bytes; None, bools, ints, floats and text as themselves."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, Decimal | UUID | timedelta):
        return str(value)
    raise TypeError(f"no JSON form for {type(value).__name__}: {value!r}")


def _row_key(row: object) -> str:
    return json.dumps(row, ensure_ascii=False, sort_keys=True)


def _rows(rows: list, since: datetime) -> list:
    """Rows masked, plain and sorted by their JSON text (no collation of the server)."""
    return sorted(([_plain(_mask(v, since)) for v in row] for row in rows), key=_row_key)


def _sqlite_state(path: Path, since: datetime) -> dict:
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        state: dict = {"schema": {}, "indexes": {}, "data": {}}
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        for table in tables:
            state["schema"][table] = {
                "columns": conn.execute(f'PRAGMA table_info("{table}")').fetchall(),
                "foreign_keys": sorted(conn.execute(f'PRAGMA foreign_key_list("{table}")')),
                "sql": conn.execute("SELECT sql FROM sqlite_master WHERE name = ?",
                                    (table,)).fetchone()[0],
            }
            for _, name, unique, origin, partial in conn.execute(
                    f'PRAGMA index_list("{table}")'):
                state["indexes"][name] = (
                    table, unique, origin, partial,
                    [r[2] for r in conn.execute(f'PRAGMA index_info("{name}")')],
                    conn.execute("SELECT sql FROM sqlite_master WHERE name = ?",
                                 (name,)).fetchone()[0])
            columns = [c[1] for c in state["schema"][table]["columns"]
                       if not (table == "migration" and c[1] == "ran_on")]
            listed = ", ".join(f'"{c}"' for c in columns)
            rows = conn.execute(f'SELECT {listed} FROM "{table}"').fetchall()
            state["data"][table] = _rows(rows, since)
        return _plain(state)  # type: ignore[return-value]
    finally:
        conn.close()


def _unnamed(value: object, database: str) -> object:
    """Every mention of the database's own name reads ``<database>``."""
    if isinstance(value, str):
        return re.sub(rf"\b{re.escape(database)}\b", DATABASE_NAME, value)
    if isinstance(value, list):
        return [_unnamed(v, database) for v in value]
    if isinstance(value, dict):
        return {k: _unnamed(v, database) for k, v in value.items()}
    return value


async def _pg_state(url: str, since: datetime) -> dict:
    """Schema and data of the PostgreSQL database at ``url``, in terms every server and
    database gives alike: no OIDs, the database's name as ``<database>``, not-null constraints
    (rows of pg_constraint since PostgreSQL 18) as the columns' nullability only, rows sorted
    by their JSON text rather than by the server's collation."""
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        state: dict = {"schema": {}, "indexes": {}, "constraints": {}, "data": {}}
        for r in await conn.fetch(
                "SELECT table_name, column_name, ordinal_position, data_type, "
                "character_maximum_length, numeric_precision, numeric_scale, is_nullable, "
                "column_default FROM information_schema.columns WHERE table_schema = 'public' "
                "ORDER BY table_name, ordinal_position"):
            state["schema"].setdefault(r["table_name"], []).append(tuple(r.values()))
        for r in await conn.fetch(
                "SELECT indexname, tablename, indexdef FROM pg_indexes "
                "WHERE schemaname = 'public'"):
            state["indexes"][r["indexname"]] = (r["tablename"], r["indexdef"])
        for r in await conn.fetch(
                "SELECT c.conname, t.relname, c.contype, pg_get_constraintdef(c.oid) AS def "
                "FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
                "JOIN pg_namespace n ON n.oid = t.relnamespace "
                "WHERE n.nspname = 'public' AND c.contype <> 'n'"):
            state["constraints"][r["conname"]] = (r["relname"], r["contype"], r["def"])
        for table, columns in state["schema"].items():
            names = [c[1] for c in columns if not (table == "migration" and c[1] == "ran_on")]
            listed = ", ".join(f'"{c}"' for c in names)
            rows = await conn.fetch(f'SELECT {listed} FROM "{table}"')
            state["data"][table] = _rows([tuple(row.values()) for row in rows], since)
        return _unnamed(_plain(state), urlparse(url).path.lstrip("/"))  # type: ignore[return-value]
    finally:
        await conn.close()


async def _pg_admin(admin_url: str, statements: list[str]) -> None:
    import asyncpg

    conn = await asyncpg.connect(admin_url)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


def _pg_url(admin_url: str, name: str) -> str:
    return urlunparse(urlparse(admin_url)._replace(path="/" + name))


def migrated_state(tree: Path, up_to: str | None, admin_url: str, database: str) -> dict:
    """Schema and rows of a fresh database migrated with the migrations of ``tree``.

    ``up_to``: run ``registry``'s migrations up to that ID with this interpreter; None: run
    the tree's own ``python -m core.manage migrate`` (how the reference tree migrates).
    ``admin_url``: a PostgreSQL URL to create and drop the database ``database`` through, or
    anything else for SQLite (a file in a temporary folder). Returns the state as the
    snapshots hold it (plain JSON values, sorted rows, masked timestamps).
    """
    since = datetime.now(UTC) - timedelta(seconds=5)
    work = Path(tempfile.mkdtemp(prefix="registry-migrations-"))
    is_pg = admin_url.startswith(("postgresql://", "postgres://"))
    if is_pg:
        asyncio.run(_pg_admin(admin_url, [f'DROP DATABASE IF EXISTS "{database}"',
                                          f'CREATE DATABASE "{database}"']))
        url = _pg_url(admin_url, database)
    else:
        url = f"sqlite:///{work / database}.sqlite3"
    command = ([sys.executable, "-m", "core.manage", "migrate"] if up_to is None
               else [sys.executable, "-c", MIGRATE_UP_TO, up_to])
    try:
        _run(command, tree, url, work / "var")
        if is_pg:
            return asyncio.run(_pg_state(url, since))
        return _sqlite_state(work / f"{database}.sqlite3", since)
    finally:
        if is_pg:
            asyncio.run(_pg_admin(admin_url, [f'DROP DATABASE IF EXISTS "{database}"']))
        shutil.rmtree(work, ignore_errors=True)


def dumps(value: object, depth: int = 0) -> str:
    """JSON with sorted keys, one key or nested item per line, lists of scalars (a row, a
    column) on one line; the snapshots' format."""
    pad = " " * (depth + 1)
    if isinstance(value, dict) and value:
        items = [f"{pad}{json.dumps(k, ensure_ascii=False)}: {dumps(value[k], depth + 1)}"
                 for k in sorted(value)]
        return "{\n" + ",\n".join(items) + "\n" + " " * depth + "}"
    if isinstance(value, list) and any(isinstance(v, list | dict) for v in value):
        items = [pad + dumps(v, depth + 1) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + " " * depth + "]"
    return json.dumps(value, ensure_ascii=False)


def reference_snapshot(admin_url: str, database: str) -> dict:
    """Migrate a fresh database with the tree of ``REFERENCE_COMMIT`` (from the git history)
    and return its snapshot: engine, commit, its last migration ID and its state."""
    assert _reference_available(), f"git history without {REFERENCE_COMMIT} (shallow clone?)"
    tree = Path(tempfile.mkdtemp(prefix="registry-reference-"))
    try:
        _extract_reference(tree)
        state = migrated_state(tree, None, admin_url, database)
        is_pg = admin_url.startswith(("postgresql://", "postgres://"))
        return {"engine": "postgresql" if is_pg else "sqlite",
                "reference_commit": REFERENCE_COMMIT,
                "migrated_up_to": _last_migration_id(tree / "migrations"),
                "state": state}
    finally:
        shutil.rmtree(tree, ignore_errors=True)


def _load_snapshot(engine: str) -> dict:
    path = snapshot_path(engine)
    assert path.is_file(), f"{path} missing: run tests/data/make_migrations_reference.py"
    snapshot = json.loads(path.read_text(encoding="utf-8"))
    assert snapshot["engine"] == engine
    assert snapshot["reference_commit"] == REFERENCE_COMMIT, (
        f"{path.name} is of {snapshot['reference_commit']}: regenerate it")
    return snapshot


def _engine() -> tuple[str, str, str]:
    """(engine, admin URL, database name prefix) of this test run."""
    from tests.conftest import BASE_URL, IS_PG

    if IS_PG:
        return "postgresql", BASE_URL, urlparse(os.environ["DATABASE_URL"]).path.lstrip("/")
    return "sqlite", "", "registry"


def _compare(reference: dict, current: dict) -> None:
    assert reference["data"].get("migration"), "the reference migrated nothing"
    for part in reference:
        assert sorted(current[part]) == sorted(reference[part]), f"{part}: tables differ"
        for key in reference[part]:
            if part == "data":
                ours, theirs = current[part][key], reference[part][key]
                if ours != theirs:
                    missing = [r for r in theirs if r not in ours][:5]
                    extra = [r for r in ours if r not in theirs][:5]
                    raise AssertionError(f"rows of {key} differ: of the reference, missing "
                                         f"{missing}; not in the reference {extra}")
            assert current[part][key] == reference[part][key], f"{part} of {key} differ"
    assert sorted(current) == sorted(reference)


def test_a_fresh_migrate_gives_the_schema_and_data_of_the_reference_migrations():
    # Against the committed snapshot of the reference: no git history needed.
    engine, admin_url, prefix = _engine()
    snapshot = _load_snapshot(engine)
    up_to = snapshot["migrated_up_to"]
    assert up_to in _migration_ids(MIGRATIONS)
    current = migrated_state(ROOT, up_to, admin_url, f"{prefix}_mig_now")
    _compare(snapshot["state"], current)
    assert snapshot["state"]["data"]["qualification"]
    assert snapshot["state"]["data"]["labour_minimum_wage"]


@pytest.mark.skipif(not _reference_available(),
                    reason=f"git history without {REFERENCE_COMMIT[:10]} (shallow clone?); "
                           "the snapshot test still compares with the committed snapshot")
def test_the_committed_snapshot_is_what_the_reference_migrations_give():
    engine, admin_url, prefix = _engine()
    snapshot = _load_snapshot(engine)
    fresh = reference_snapshot(admin_url, f"{prefix}_mig_ref")
    assert fresh["migrated_up_to"] == snapshot["migrated_up_to"]
    _compare(snapshot["state"], fresh["state"])
    assert fresh == snapshot


def test_the_state_is_plain_json_in_a_fixed_order():
    since = datetime.now(UTC) - timedelta(seconds=5)
    rows = [(2, Decimal("1.50"), date(2025, 1, 1), None),
            (1, Decimal("3"), since + timedelta(seconds=1), b"\x01"),
            (1, Decimal("3"), datetime.fromisoformat("2025-06-01T08:30:00"), UUID(int=1))]
    expected = [[1, "3", "2025-06-01T08:30:00", "00000000-0000-0000-0000-000000000001"],
                [1, "3", WRITTEN_DURING_THE_MIGRATION, "01"],
                [2, "1.50", "2025-01-01", None]]
    assert _rows(rows, since) == expected == _rows(rows[::-1], since)
    assert json.loads(dumps({"data": {"t": expected}})) == {"data": {"t": expected}}
    assert _unnamed(["CREATE INDEX x ON reg_test.t", "reg_test_2"], "reg_test") == [
        "CREATE INDEX x ON <database>.t", "reg_test_2"]


def test_the_comparison_sees_one_changed_value():
    snapshot = _load_snapshot("sqlite")["state"]
    changed = json.loads(json.dumps(snapshot))
    _compare(snapshot, changed)
    row = changed["data"]["labour_minimum_wage"][0]
    row[-1] = "changed" if row[-1] != "changed" else "other"
    with pytest.raises(AssertionError, match="rows of labour_minimum_wage differ"):
        _compare(snapshot, changed)
