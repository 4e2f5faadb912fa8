"""Test fixtures: a clean database per test on SQLite or PostgreSQL, an app client, factories.

SQLite (default): migrations run once into a template file, copied for each test.
PostgreSQL (DATABASE_URL=postgresql://…): the suite creates its own database
``<name>_registry_test`` (or ``$TEST_DB_NAME``) once, migrates it, and truncates it between
tests.
The app runs in the TestClient's own thread and loop, so factories run there too (``run``).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import shutil
import tempfile
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import pytest

TMP = Path(tempfile.mkdtemp(prefix="registry-tests-"))
BASE_URL = os.environ.get("DATABASE_URL", "")
IS_PG = BASE_URL.startswith(("postgresql://", "postgres://"))

os.environ.update(
    {
        "ARGON2_TIME_COST": "1",
        "ARGON2_MEMORY_KIB": "256",
        "VAR_DIR": str(TMP / "var"),
        "SECRET_KEY": "test-secret-key-not-for-production",
        "DEMO_DATA": "0",
        "LOG_LEVEL": "WARNING",
        "RUN_JOBS": "0",  # tests run certificate jobs themselves (run_pending_jobs)
    }
)
os.environ.pop("REDIS_URL", None)


def _pg_test_url(url: str) -> str:
    parsed = urlparse(url)
    name = (
        os.environ.get("TEST_DB_NAME") or (parsed.path.lstrip("/") or "postgres") + "_registry_test"
    )
    return urlunparse(parsed._replace(path="/" + name))


async def _recreate_pg_database(admin_url: str, test_url: str) -> None:
    import asyncpg

    name = urlparse(test_url).path.lstrip("/")
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name
        )
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


if IS_PG:
    TEST_URL = _pg_test_url(BASE_URL)
    os.environ["DATABASE_URL"] = TEST_URL
else:
    TEMPLATE_DB = TMP / "template.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{TEMPLATE_DB}"


def pytest_sessionstart(session: pytest.Session) -> None:
    import composition
    from core.manage import migrate

    composition.wire()  # every domain's declaration, as the app and the worker install it

    if IS_PG:
        asyncio.run(_recreate_pg_database(BASE_URL, TEST_URL))
    with contextlib.redirect_stdout(io.StringIO()):  # Piccolo prints its progress
        asyncio.run(migrate())
    if IS_PG:
        asyncio.run(_snapshot_seed_pg())


def pytest_sessionfinish(session: pytest.Session) -> None:
    shutil.rmtree(TMP, ignore_errors=True)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On SQLite, skip the tests marked ``postgres_only`` (row locks, real concurrency, several
    processes: pyproject.toml declares the marker)."""
    if IS_PG:
        return
    skip = pytest.mark.skip(reason="PostgreSQL only (set DATABASE_URL=postgresql://…)")
    for item in items:
        if "postgres_only" in item.keywords:
            item.add_marker(skip)


def _table_names() -> list[str]:
    from composition import APP_CONFIG

    return [t._meta.tablename for t in APP_CONFIG.table_classes]


SEED_SCHEMA = "registry_seed"


async def _snapshot_seed_pg() -> None:
    """Keep a copy of every table the migrations filled (catalogue, calendar, minimum wage…)."""
    from core.db import engine

    db = engine()
    await db.run_ddl(f"DROP SCHEMA IF EXISTS {SEED_SCHEMA} CASCADE")
    await db.run_ddl(f"CREATE SCHEMA {SEED_SCHEMA}")
    for name in _table_names():
        rows = await db.run_ddl(f'SELECT 1 FROM "{name}" LIMIT 1')
        if rows:
            await db.run_ddl(f'CREATE TABLE {SEED_SCHEMA}."{name}" AS SELECT * FROM "{name}"')


async def _reset_pg() -> None:
    """Empty every table, then put back what the migrations seeded."""
    from core.db import engine

    db = engine()
    tables = ", ".join(f'"{name}"' for name in _table_names())
    seeded = [
        r["table_name"]
        for r in await db.run_ddl(
            f"SELECT table_name FROM information_schema.tables WHERE table_schema = '{SEED_SCHEMA}'"
        )
    ]
    statements = [f"TRUNCATE {tables} RESTART IDENTITY CASCADE"]
    for name in sorted(seeded, key=_table_names().index):
        statements.append(f'INSERT INTO "{name}" SELECT * FROM {SEED_SCHEMA}."{name}"')
        statements.append(
            f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
            f'(SELECT COALESCE(MAX(id), 0) + 1 FROM "{name}"), false)'
        )
    async with db.transaction():
        for statement in statements:
            await db.run_ddl(statement)


@pytest.fixture
def database(tmp_path: Path) -> Iterator[None]:
    """A clean, migrated database for this test."""
    from core.db import engine

    if IS_PG:
        asyncio.run(_reset_pg())
        yield
        return
    db = engine()
    original = db.path
    path = tmp_path / "test.sqlite3"
    shutil.copyfile(TEMPLATE_DB, path)
    db.path = str(path)
    try:
        yield
    finally:
        db.path = original


@pytest.fixture(params=["local", "database"])
def file_storage(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[str]:
    """The test runs once per FILE_STORAGE (read on each use: core.storage.current), each time
    with a FILES_DIR of its own (the suite's is shared by every test); yields the storage."""
    from core.settings import get_settings

    monkeypatch.setenv("FILE_STORAGE", request.param)
    monkeypatch.setenv("FILES_DIR", str(tmp_path / "files"))
    get_settings.cache_clear()
    yield request.param
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
def app(database: None) -> Any:
    from composition import create_app
    from core.settings import get_settings

    get_settings.cache_clear()
    return create_app()


@pytest.fixture
def client(app: Any) -> Iterator[Any]:
    from litestar.testing import TestClient

    from certification.services.verification import warmed

    with TestClient(app=app) as test_client:
        test_client.blocking_portal.call(warmed)  # nothing a test does races with it
        yield test_client


@pytest.fixture
def run(client: Any) -> Callable[..., Any]:
    """Run an async function in the app's event loop (where its database pool lives)."""

    def runner(
        fn: Callable[..., Awaitable[Any]] | Awaitable[Any], *args: Any, **kwargs: Any
    ) -> Any:
        async def call() -> Any:
            return await (fn(*args, **kwargs) if callable(fn) else fn)

        return client.blocking_portal.call(call)

    return runner


PASSWORD = "Secret2026pass"


@pytest.fixture
def make_user(run: Callable[..., Any]) -> Callable[..., int]:
    from core.accounts.services import NewUser, create_user
    from core.actor import Actor

    counter = iter(range(1, 10_000))

    def factory(
        role: str,
        username: str | None = None,
        password: str = PASSWORD,
        display_name: str = "测试用户",
        organisation_id: int | None = None,
    ) -> int:
        name = username or f"{role}{next(counter)}"
        return run(
            create_user,
            NewUser(name, password, role, display_name, organisation_id),
            Actor.system("test"),
        )

    return factory


def hold_clock() -> None:
    """Freeze the product's clock (core.clock) at this instant for the rest of the test.

    Rate-limit counters count per fixed window of that clock (core.ratelimit), so a test's hits
    then all fall into one window however long the test takes; ``clock.advance`` moves on to
    the next window, and the autouse fixture below puts the system clock back afterwards."""
    from core import clock

    clock.set_now(clock.now())


def redis_available() -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


# Redis runs on the development and CI machines; elsewhere these tests are skipped (never in CI).
needs_redis = pytest.mark.skipif(
    not redis_available() and os.environ.get("CI") != "true",
    reason="Redis 未运行（127.0.0.1:6379）",
)


def csrf_token(client: Any) -> str:
    if "csrftoken" not in client.cookies:
        client.get("/login")
    return client.cookies["csrftoken"]


def post_form(client: Any, path: str, data: dict[str, Any], **kwargs: Any) -> Any:
    """Post a page form the way a browser does, with the CSRF field."""
    return client.post(path, data={**data, "_csrf_token": csrf_token(client)}, **kwargs)


def login(client: Any, username: str, password: str = PASSWORD) -> Any:
    return post_form(
        client, "/login", {"username": username, "password": password}, follow_redirects=False
    )


def api_token(client: Any, username: str, password: str = PASSWORD) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture
def make_person(run: Callable[..., Any]) -> Callable[..., Any]:
    """Create a Person with a valid 居民身份证号 derived from a serial (returns the row)."""
    from core.actor import Actor
    from core.identity import id_check_char
    from core.people import PersonInput, find_or_create_person

    counter = iter(range(1, 100_000))

    def factory(
        name: str = "测试学员",
        id_number: str | None = None,
        phone: str | None = None,
        education: str | None = None,
        id_type: str = "居民身份证",
    ) -> Any:
        if id_number is None:
            first17 = f"1202211990{next(counter):07d}"
            first17 = first17[:10] + "0101" + first17[14:]
            id_number = first17 + id_check_char(first17)
        return run(
            find_or_create_person,
            PersonInput(id_type, id_number, name, phone, education),
            Actor.system("test"),
        )

    return factory


@pytest.fixture
def make_credential(run: Callable[..., Any]) -> Callable[..., Any]:
    """Create a credential for a person (inside a transaction, with event and audit rows)."""
    import secrets
    from datetime import date

    from core import db
    from core.actor import Actor
    from core.credentials import CredentialInput, create_credential

    async def create(data: CredentialInput) -> Any:
        async with db.transaction():
            return await create_credential(data, Actor.system("test"))

    def factory(
        person_id: int,
        code: str,
        *,
        level: int | None = None,
        issued_on: date = date(2025, 1, 1),
        expires_on: date | None = None,
        number: str | None = None,
        outcome: str | None = None,
        source: str = "issued",
        issuer_name: str = "测试发证机构",
    ) -> Any:
        return run(
            create,
            CredentialInput(
                person_id=person_id,
                code=code,
                level=level,
                issued_on=issued_on,
                expires_on=expires_on,
                number=number or f"T{secrets.token_hex(6).upper()}",
                outcome=outcome,
                source=source,
                issuer_name=issuer_name,
            ),
        )

    return factory


@pytest.fixture(autouse=True)
def _system_clock_after_test() -> Iterator[None]:
    """Every test starts and ends on the system clock, whatever a test froze."""
    from core import clock

    clock.set_now(None)
    yield
    clock.set_now(None)


@pytest.fixture
def clock() -> Any:
    """The product's clock (core.clock), to freeze with ``clock.set_today(date)`` in a test."""
    from core import clock as core_clock

    return core_clock


@pytest.fixture
def outbox(run: Callable[..., Any]) -> Any:
    """The message outbox as a user of the embedded set-up sees it: ``outbox.messages(to=…)``
    lists rows (newest last), ``outbox.last_code(phone)`` reads the 6-digit code of the newest
    SMS to that number (None when none was sent), ``outbox.deliver()`` runs one delivery round."""
    import re

    from core.messages.delivery import deliver_pending
    from core.messages.tables import Message

    class Outbox:
        def messages(self, to: str | None = None) -> list[dict[str, Any]]:
            query = Message.select().order_by(Message.id)
            if to is not None:
                query = query.where(Message.recipient == to)
            return run(query)

        def last_code(self, phone: str) -> str | None:
            for row in reversed(self.messages(to=phone)):
                found = re.search(r"验证码为 (\d{6})", row["body"])
                if found:
                    return found.group(1)
            return None

        def deliver(self) -> int:
            return run(deliver_pending)

    return Outbox()


async def register_verified(data: Any, actor: Any = None) -> int:
    """Register a trainee (core.claims.services.register_trainee, a ``TraineeRegistration``)
    and prove the claim with the SMS code read from the outbox, as the person would (the code
    went to the phone entered for a new person, to the phone on file for a known one).
    Returns the user id. Run it in the app's loop: ``run(register_verified, data)``."""
    import re

    from core.actor import Actor
    from core.claims.services import register_trainee, verify_claim
    from core.messages.tables import Message

    user_id = await register_trainee(data, actor or Actor.system("test"))
    row = await (Message.select(Message.body).where(Message.topic == "otp.claim")
                 .order_by(Message.id, ascending=False).first())
    assert row is not None, "no claim code was sent"
    code = re.search(r"验证码为 (\d{6})", row["body"]).group(1)  # type: ignore[union-attr]
    await verify_claim(user_id, code, Actor(user_id, data.username, "trainee"))
    return user_id


def complete_claim(client: Any, outbox: Any, username: str, phone: str,
                   password: str = PASSWORD) -> dict[str, str]:
    """After ``POST /api/v1/auth/register``: sign in through the API and enter the SMS code
    that went to ``phone`` (the phone entered for a new person, the phone on file for a known
    one). Returns the bearer headers of the now verified account."""
    headers = api_token(client, username, password)
    code = outbox.last_code(phone)
    assert code, f"no code was sent to {phone}"
    r = client.post("/api/v1/auth/claim/verify", json={"code": code}, headers=headers)
    assert r.status_code == 200, r.text
    return headers
