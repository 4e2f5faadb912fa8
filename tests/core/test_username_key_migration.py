"""The migration that brings app_user.username_key stops on usernames that collide once
normalised (e.g. "Edu" and "edu"), changes nothing, and names them; once they are resolved it
fills the key for every account and makes it unique."""

import asyncio
import contextlib
import importlib
import io
import shutil

import pytest

from core.tables import User
from tests.conftest import IS_PG

MIGRATION = importlib.import_module("migrations.registry_2026_11_30t01_20_00_000000")


def test_collision_message_lists_each_group_and_says_what_to_do():
    message = MIGRATION.collision_message([["EDU", "edu"], ["Li.Na", "li.na"]])
    assert "'EDU'、'edu'" in message and "'Li.Na'、'li.na'" in message
    assert "未做任何修改" in message and "python -m core.manage migrate" in message


def test_collision_check_reads_the_accounts_table(client, make_user, run):
    first, second = make_user("trainee", "edu"), make_user("trainee", "other")
    assert run(MIGRATION.check_collisions) is None
    # a row from before the key existed: its username collides, its key does not (yet)
    run(User.update({User.username: "EDU"}).where(User.id == second))
    with pytest.raises(MIGRATION.UsernameCollision) as stopped:
        run(MIGRATION.check_collisions)
    assert "'EDU'、'edu'" in str(stopped.value) and first


def _migration_ids() -> list[str]:
    from piccolo.apps.migrations.commands.base import BaseMigrationManager

    from composition import APP_CONFIG

    folder = APP_CONFIG.resolved_migrations_folder_path
    modules = BaseMigrationManager().get_migration_modules(folder)
    return sorted(modules)


async def _migrate(to: str) -> None:
    from piccolo.apps.migrations.commands.forwards import run_forwards

    with contextlib.redirect_stdout(io.StringIO()):
        result = await run_forwards("registry", migration_id=to)
    assert result.success, result.message


INSERT = (
    "INSERT INTO app_user (username, password_hash, role, display_name, is_active, created_at)"
    " VALUES ('{}', 'x', 'trainee', '旧账号', true, '2026-01-01 00:00:00+00:00')"
)


@pytest.mark.skipif(IS_PG, reason="needs a database migrated only up to the migration before")
def test_migration_stops_on_colliding_usernames_then_runs_once_they_are_resolved(tmp_path):
    from core.db import engine

    ids = _migration_ids()
    before = ids[ids.index(MIGRATION.ID) - 1]
    db = engine()
    original, db.path = db.path, str(tmp_path / "old.sqlite3")

    async def columns() -> set[str]:
        return {r["name"] for r in await db.run_ddl("PRAGMA table_info(app_user)")}

    async def scenario() -> None:
        await _migrate(before)
        for name in ("edu", "Edu", "ana", "Bob.Li"):
            await db.run_ddl(INSERT.format(name))
        with pytest.raises(Exception) as stopped:  # noqa: PT011 — Piccolo loads its own copy
            await _migrate(MIGRATION.ID)
        assert type(stopped.value).__name__ == "UsernameCollision"
        assert "'Edu'、'edu'" in str(stopped.value) and "'ana'" not in str(stopped.value)
        assert "username_key" not in await columns()  # nothing half-done
        await db.run_ddl("UPDATE app_user SET username = 'edu.old' WHERE username = 'Edu'")
        await _migrate(MIGRATION.ID)
        rows = await db.run_ddl("SELECT username, username_key FROM app_user ORDER BY id")
        assert [(r["username"], r["username_key"]) for r in rows] == [
            ("edu", "edu"), ("edu.old", "edu.old"), ("ana", "ana"), ("Bob.Li", "bob.li")]
        with pytest.raises(Exception, match="UNIQUE"):
            await db.run_ddl(INSERT.format("EDU").replace(
                "(username,", "(username_key, username,").replace("VALUES (", "VALUES ('edu', "))

    try:
        asyncio.run(scenario())
    finally:
        db.path = original
        shutil.rmtree(tmp_path, ignore_errors=True)


@pytest.mark.skipif(not IS_PG, reason="SQLite runs the migration from the previous state above")
def test_migration_stops_then_runs_on_postgresql(database):
    """PostgreSQL: the test database is taken back to before the migration (its backwards
    step), given colliding usernames, then migrated forwards again."""
    from core.db import engine

    db = engine()

    async def columns() -> set[str]:
        rows = await db.run_ddl(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'app_user'")
        return {r["column_name"] for r in rows}

    async def scenario() -> None:
        await MIGRATION.drop_username_key()
        await db.run_ddl(f"DELETE FROM migration WHERE name = '{MIGRATION.ID}'")
        try:
            for name in ("edu", "Edu", "ana"):
                await db.run_ddl(INSERT.format(name))
            with pytest.raises(Exception) as stopped:  # noqa: PT011 — Piccolo loads its own copy
                await _migrate(MIGRATION.ID)
            assert type(stopped.value).__name__ == "UsernameCollision"
            assert "'Edu'、'edu'" in str(stopped.value)
            assert "username_key" not in await columns()  # rolled back whole
        finally:
            await db.run_ddl("DELETE FROM app_user")
            await _migrate(MIGRATION.ID)
        assert "username_key" in await columns()

    asyncio.run(scenario())
