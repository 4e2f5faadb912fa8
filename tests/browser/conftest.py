"""Browser tests: Playwright drives Debian's chromium against the app served by uvicorn on a
free local port, with its own clean database. Skipped (with the reason) when chromium is
missing, unless REQUIRE_BROWSER=1 (CI), where a missing browser fails the run."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import IS_PG, PASSWORD, TMP, _reset_pg
from tests.servers import served_app

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 700}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
    if CHROMIUM is None and os.environ.get("REQUIRE_BROWSER") != "1":
        skip = pytest.mark.skip(
            reason="未找到 chromium：跳过浏览器测试（apt-get install chromium）"
        )
        for item in items:
            if "tests/browser/" in str(item.fspath):
                item.add_marker(skip)


def run_async(coro: Any) -> Any:
    """Run a coroutine on a fresh loop in another thread (Playwright owns this thread's loop)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


@contextmanager
def fresh_database(tmp_dir: Path) -> Iterator[dict[str, str]]:
    """A clean database that a served app and this process's factories share; yields the env."""
    from core.db import engine

    env = {"VAR_DIR": str(tmp_dir / "var")}
    if IS_PG:
        run_async(_reset_pg())
        yield env
        return
    path = tmp_dir / "served.sqlite3"
    shutil.copyfile(TMP / "template.sqlite3", path)
    original, engine().path = engine().path, str(path)
    try:
        yield {**env, "DATABASE_URL": f"sqlite:///{path}"}
    finally:
        engine().path = original


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Serve the app on a free port against a fresh database; yield its base URL."""
    with fresh_database(tmp_path_factory.mktemp("browser")) as env, served_app(**env) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if CHROMIUM is None:
        pytest.fail("REQUIRE_BROWSER=1 但未找到 chromium")
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def new_page(browser: Any, live_server: str) -> Iterator[Callable[..., Any]]:
    contexts: list[Any] = []
    # The Content-Security-Policy (core.security_headers) must block nothing the pages use.
    csp_violations: list[str] = []

    def factory(phone: bool = False) -> Any:
        context = browser.new_context(
            base_url=live_server,
            locale="zh-CN",
            viewport=PHONE if phone else None,
        )
        contexts.append(context)
        page = context.new_page()
        # Irreversible steps ask first (data-confirm): the user says yes, and the test can read
        # what was asked in ``page.confirmations``.
        page.confirmations = []

        def answer(dialog: Any) -> None:
            page.confirmations.append(dialog.message)
            dialog.accept()

        page.on("dialog", answer)
        page.on("console", lambda message: csp_violations.append(message.text)
                if "Content Security Policy" in message.text else None)
        return page

    yield factory
    for context in contexts:
        context.close()
    assert csp_violations == []


@pytest.fixture
def db_user(live_server: str) -> Callable[..., int]:
    """Create a user directly in the served database."""
    from core.accounts.services import NewUser, create_user
    from core.actor import Actor

    def factory(
        role: str, username: str, display_name: str = "测试用户", organisation_id: int | None = None
    ) -> int:
        return run_async(
            create_user(
                NewUser(username, PASSWORD, role, display_name, organisation_id),
                Actor.system("test"),
            )
        )

    return factory


def sign_in(page: Any, username: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()
