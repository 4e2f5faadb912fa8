"""Stateless workers: with REDIS_URL, sessions and counters are shared between app instances.
Also the admin command and the Chinese 500 page."""

import os
import subprocess
import sys

from tests.conftest import PASSWORD, login, needs_redis


@needs_redis
def test_two_workers_share_sessions_and_login_counters_through_redis(database, tmp_path):
    """Two uvicorn processes behind an imaginary load balancer, sharing Redis. Their clocks stand
    still at the same instant, so the counters stay in one window however long the test takes."""
    import asyncio
    import re
    import time
    import uuid

    import httpx
    import redis

    from core import clock
    from core.db import engine
    from tests.servers import served_app

    username = f"shared{uuid.uuid4().hex[:8]}"
    asyncio.run(_create_officer(username))
    # A namespace of its own, so counters of earlier runs never lock this one out.
    env = {
        "REDIS_URL": "redis://127.0.0.1:6379/15",
        "REDIS_NAMESPACE": f"test-{uuid.uuid4().hex}",
        "VAR_DIR": str(tmp_path),
        "VERIFY_RATE_LIMIT_PER_MINUTE": "6",
    }
    if hasattr(engine(), "path"):
        env["DATABASE_URL"] = f"sqlite:///{engine().path}"
    at = clock.now()
    with served_app(clock_at=at, **env) as a_url, served_app(clock_at=at, **env) as b_url:
        a, b = httpx.Client(base_url=a_url), httpx.Client(base_url=b_url)
        page = a.get("/login")
        token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
        r = a.post(
            "/login", data={"username": username, "password": PASSWORD, "_csrf_token": token}
        )
        assert r.status_code in (302, 303)
        b.cookies.update(a.cookies)
        assert b.get("/audit").status_code == 200  # worker B knows worker A's session
        for _ in range(5):
            a.post("/api/v1/auth/token", json={"username": username, "password": "Wrong1234"})
        r = b.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
        assert r.status_code == 429  # the lock set by A holds on B

        # Public verification: one client's lookups count on both workers (batched in Redis).
        path = "/api/v1/public/certificates/S999900000000265000001?name=%E7%8E%8B"
        statuses = [a.get(path).status_code for _ in range(4)]
        statuses += [b.get(path).status_code for _ in range(2)]
        assert statuses == [404] * 6  # the limit (6) is reached, not passed
        shared = redis.Redis.from_url(env["REDIS_URL"])
        sent = len(statuses)

        def until_flushed() -> None:
            """Wait (up to 10 s) until every lookup sent so far is counted in Redis."""
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                keys = shared.keys(f"{env['REDIS_NAMESPACE']}*verify:*")
                if sum(int(shared.get(key) or 0) for key in keys) == sent:
                    return
                time.sleep(0.02)
            raise AssertionError("查验次数未写入 Redis")

        for worker in (a, b):
            extra = []
            for _ in range(2):  # a worker learns the total when its own hits are flushed
                until_flushed()
                extra.append(worker.get(path))
                sent += 1
                if extra[-1].status_code == 429:
                    break
            assert extra[-1].status_code == 429 and "查验过于频繁" in extra[-1].text
        shared.close()


async def _create_officer(username: str) -> None:
    from core.accounts.services import NewUser, create_user
    from core.actor import Actor

    await create_user(NewUser(username, PASSWORD, "hrss_officer", "共享"), Actor.system("t"))


def test_admin_command_creates_a_user_of_any_role(database, run, client):
    from core.tables import User

    env = {
        **os.environ,
        "NEW_USER_PASSWORD": "Command2026x",
        "DATABASE_URL": os.environ["DATABASE_URL"],
    }
    from core.db import engine

    if hasattr(engine(), "path"):
        env["DATABASE_URL"] = f"sqlite:///{engine().path}"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "core.manage",
            "create-user",
            "--username",
            "reviewer9",
            "--role",
            "health_reviewer",
            "--display-name",
            "审核员",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "已创建用户 reviewer9" in result.stdout
    row = run(User.select(User.role).where(User.username == "reviewer9").first)
    assert row["role"] == "health_reviewer"
    bad = subprocess.run(
        [sys.executable, "-m", "core.manage", "create-user", "--username", "x", "--role", "admin"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode != 0 and "用户名应为" in bad.stderr


def test_unexpected_error_gives_chinese_500_page_without_details(app, monkeypatch):
    from litestar.testing import TestClient

    import core.home

    def broken(role):
        raise RuntimeError("secret detail 120221199003150026")

    monkeypatch.setattr(core.home, "cards_for", broken)
    with TestClient(app, raise_server_exceptions=False) as client:
        client.blocking_portal.call(_create_officer, "officer500")
        login(client, "officer500")
        r = client.get("/")
    assert r.status_code == 500
    assert "系统暂时无法处理您的请求" in r.text and "secret detail" not in r.text


def test_log_lines_scrub_id_and_phone_shaped_numbers():
    from core.logging_setup import scrub

    line = scrub("boom 120221199003150026 and 13912345678 and order 2026112900")
    assert "120221199003150026" not in line and "1202**********0026" in line
    assert "139****5678" in line and "2026112900" in line
