"""Crashes heal: after ``kill -9`` of the server no pool process survives or keeps the port, and
the server starts again on the same port. Also: /health tells the truth about the schema, and
``serve`` on PostgreSQL refuses a database with pending migrations."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.browser.conftest import fresh_database
from tests.conftest import IS_PG
from tests.servers import ROOT, free_port


def children_of(pid: int) -> set[int]:
    """Every live process whose parent is ``pid`` (read from /proc)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_for(condition, seconds: float = 30.0) -> bool:  # type: ignore[no-untyped-def]
    """Poll ``condition`` until true or the deadline (waiting for processes, not for time)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def start_server(port: int, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "composition:app", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning"],
        env={**os.environ, "PORT": str(port), "RUN_JOBS": "1", **env}, cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


def healthy(base: str) -> bool:
    try:
        return httpx.get(base + "/health", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_kill_9_leaves_no_pool_process_and_the_port_is_free_again(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with fresh_database(tmp_path) as env:
        server = start_server(port, env)
        try:
            assert wait_for(lambda: healthy(base)), "server did not start"
            assert wait_for(lambda: len(children_of(server.pid)) >= 2), "no render pool"
            pool = children_of(server.pid)
            os.kill(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
            assert wait_for(lambda: not any(alive(pid) for pid in pool), 15), \
                "render-pool processes outlived the server"
            again = start_server(port, env)
            try:
                assert wait_for(lambda: healthy(base)), again.stderr and again.stderr.read1()
            finally:
                again.terminate()
                again.wait(timeout=30)
                assert not any(alive(pid) for pid in children_of(again.pid))
        finally:
            if server.poll() is None:
                server.kill()


def test_health_is_503_on_a_database_that_is_not_the_migrated_schema(tmp_path: Path) -> None:
    """A server whose database file was replaced by an empty or a random file."""
    for name, content in (("empty", b""), ("random", os.urandom(4096))):
        port = free_port()
        path = tmp_path / f"{name}.sqlite3"
        path.write_bytes(content)
        env = {"DATABASE_URL": f"sqlite:///{path}", "VAR_DIR": str(tmp_path / name),
               "RUN_JOBS": "0"}
        server = start_server(port, env)
        try:
            def answered(port: int = port) -> bool:
                try:
                    return httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code > 0
                except httpx.HTTPError:
                    return False

            assert wait_for(answered), name
            r = httpx.get(f"http://127.0.0.1:{port}/health")
            assert r.status_code == 503, name
            assert r.json()["database"] == "not_migrated" and "迁移" in r.json()["detail"]
        finally:
            server.terminate()
            server.wait(timeout=30)


def test_health_is_ok_on_the_migrated_schema(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/health")
    assert r.status_code == 200 and r.json() == {"status": "ok", "database": "ok", "detail": ""}


def test_health_names_pending_migrations(client, run) -> None:  # type: ignore[no-untyped-def]
    from piccolo.apps.migrations.tables import Migration

    from core.schema_check import known_migration_ids

    newest = known_migration_ids()[-1]
    run(Migration.delete().where(Migration.name == newest))
    try:
        r = client.get("/health")
        assert r.status_code == 503
        assert r.json()["detail"] == "数据库有 1 个迁移未应用"
    finally:
        run(Migration.insert(Migration(name=newest, app_name="registry")))


@pytest.mark.skipif(not IS_PG, reason="serve refuses pending migrations on PostgreSQL only")
def test_serve_on_postgresql_refuses_an_unmigrated_database(tmp_path: Path) -> None:
    import asyncio

    import asyncpg

    from tests.conftest import BASE_URL

    async def recreate() -> None:
        conn = await asyncpg.connect(BASE_URL)
        try:
            await conn.execute('DROP DATABASE IF EXISTS "registry_unmigrated_test"')
            await conn.execute('CREATE DATABASE "registry_unmigrated_test"')
        finally:
            await conn.close()

    asyncio.run(recreate())
    url = BASE_URL.rsplit("/", 1)[0] + "/registry_unmigrated_test"
    done = subprocess.run(
        [sys.executable, "-m", "core.manage", "serve"], cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, "DATABASE_URL": url, "VAR_DIR": str(tmp_path), "PORT": str(free_port())},
        timeout=120,
    )
    assert done.returncode != 0
    assert "python -m core.manage migrate" in done.stderr
