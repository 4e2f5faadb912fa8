"""The client address comes from X-Forwarded-For only when the direct peer is a configured
trusted proxy (TRUSTED_PROXIES, empty by default), so no client escapes the per-address lock."""

import httpx
import pytest
import uvicorn
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from core import clock
from core.manage import uvicorn_options
from core.settings import load_settings
from tests.browser.conftest import fresh_database
from tests.servers import served_app


def _options(monkeypatch, value: str | None) -> dict:
    if value is None:
        monkeypatch.delenv("TRUSTED_PROXIES", raising=False)
    else:
        monkeypatch.setenv("TRUSTED_PROXIES", value)
    return uvicorn_options(load_settings())


async def _app(scope, receive, send):  # a bare ASGI app for uvicorn.Config
    pass


def _proxy_middleware(options: dict) -> ProxyHeadersMiddleware | None:
    """The ProxyHeadersMiddleware in the app uvicorn would serve with these options, if any."""
    config = uvicorn.Config(_app, **{k: v for k, v in options.items() if k != "workers"})
    config.load()
    layer = config.loaded_app
    while layer is not None and not isinstance(layer, ProxyHeadersMiddleware):
        layer = getattr(layer, "app", None)
    return layer


def test_no_setting_means_no_proxy_headers_at_all(monkeypatch):
    for value in (None, "", " , "):
        options = _options(monkeypatch, value)
        assert options["proxy_headers"] is False and options["forwarded_allow_ips"] == []
        # not even uvicorn's default trust of 127.0.0.1
        assert _proxy_middleware(options) is None


def test_configured_proxies_are_the_forwarded_allow_list(monkeypatch):
    options = _options(monkeypatch, "10.0.0.1")
    assert options["proxy_headers"] is True and options["forwarded_allow_ips"] == ["10.0.0.1"]
    options = _options(monkeypatch, " 10.0.0.1, 10.1.0.0/16 ,::1")
    assert options["forwarded_allow_ips"] == ["10.0.0.1", "10.1.0.0/16", "::1"]
    middleware = _proxy_middleware(options)
    assert middleware is not None
    assert "10.1.2.3" in middleware.trusted_hosts and "127.0.0.1" not in middleware.trusted_hosts


@pytest.mark.parametrize("value", ["*", "proxy.internal", "10.0.0.300", "10.0.0.1,nginx"])
def test_anything_but_addresses_and_networks_is_refused_naming_the_setting(monkeypatch, value):
    monkeypatch.setenv("TRUSTED_PROXIES", value)
    with pytest.raises(ValueError, match="TRUSTED_PROXIES"):
        load_settings()


def test_workers_and_address_come_from_the_settings(monkeypatch):
    settings = load_settings().model_copy(update={"host": "0.0.0.0", "port": 8123})  # noqa: S104
    options = uvicorn_options(settings, workers=4)
    assert (options["host"], options["port"], options["workers"]) == ("0.0.0.0", 8123, 4)  # noqa: S104


def _fail(base: str, username: str, forwarded_for: str | None) -> int:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    response = httpx.post(
        base + "/api/v1/auth/token",
        json={"username": username, "password": "wrong-password1"},
        headers=headers,
        timeout=30,
    )
    return response.status_code


@pytest.fixture
def serve(tmp_path):
    """Start `python -m core.manage serve` (the production start) on a fresh database, its clock
    standing still so that the failures all count in one window."""

    def start(**env: str):
        return served_app(manage_serve=True, clock_at=clock.now(), LOGIN_IP_MAX_FAILURES="3",
                          **db_env, **env)

    with fresh_database(tmp_path) as db_env:
        yield start


def test_a_local_client_cannot_escape_the_address_lock_with_x_forwarded_for(serve):
    with serve() as base:
        # three different accounts from three claimed addresses: all one address, 127.0.0.1
        for n in range(3):
            assert _fail(base, f"nobody{n}", f"203.0.113.{n}") == 422
        assert _fail(base, "someone.else", "198.51.100.7") == 429
        assert _fail(base, "another.one", None) == 429


def test_behind_a_trusted_proxy_the_forwarded_address_is_locked(serve):
    with serve(TRUSTED_PROXIES="127.0.0.1") as base:
        for n in range(3):
            assert _fail(base, f"nobody{n}", "203.0.113.5") == 422
        assert _fail(base, "someone.else", "203.0.113.5") == 429
        # another client behind the same proxy is not locked out with the first
        assert _fail(base, "someone.else", "203.0.113.6") == 422


def test_serve_refuses_several_workers_on_sqlite(monkeypatch):
    from core import manage
    from core.settings import get_settings

    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: pytest.fail("must not start"))
    monkeypatch.setattr(manage, "migrate", lambda: pytest.fail("must not migrate"))
    if not get_settings().is_sqlite:
        pytest.skip("SQLite only")
    with pytest.raises(SystemExit, match="SQLite"):
        manage.serve(workers=2)
