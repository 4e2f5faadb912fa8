"""The security headers on every kind of response (core.security_headers),
Retry-After on 429, WWW-Authenticate on API 401, Secure cookies behind an https address."""

from __future__ import annotations

from typing import Any

import pytest

from tests.certification.conftest import holder, issue_skill  # noqa: F401 - fixtures
from tests.conftest import api_token, hold_clock, post_form

KINDS = ["page", "api_json", "static", "pdf", "page_404", "api_404", "api_401", "api_429",
         "page_429", "page_403"]


def _pdf(client: Any, run: Any, holder: Any, issue_skill: Any) -> Any:  # noqa: F811
    from certification.jobs import run_pending_jobs

    cert = issue_skill(holder.id)
    run(run_pending_jobs)
    return client.get(f"/api/v1/certificates/{cert.id}/pdf", headers=api_token(client, "wangfang"))


def _too_many(client: Any, monkeypatch: pytest.MonkeyPatch, kind: str) -> Any:
    from core.settings import get_settings

    hold_clock()
    if kind == "api_429":
        monkeypatch.setenv("VERIFY_RATE_LIMIT_PER_MINUTE", "1")
        get_settings.cache_clear()
        path = "/api/v1/public/certificates/X0000001"
        client.get(path, params={"name": "王芳"})
        return client.get(path, params={"name": "王芳"})
    monkeypatch.setenv("LOGIN_MAX_FAILURES", "1")
    get_settings.cache_clear()
    for _ in range(3):
        response = post_form(client, "/login", {"username": "nobody", "password": "wrong-pass"})
    return response


def response_of(kind: str, client: Any, run: Any, make_user: Any, monkeypatch: Any,
                request: pytest.FixtureRequest) -> Any:
    if kind == "page":
        return client.get("/login")
    if kind == "api_json":
        return client.get("/health")
    if kind == "static":
        return client.get("/static/js/app.js")
    if kind == "pdf":
        return _pdf(client, run, request.getfixturevalue("holder"),
                    request.getfixturevalue("issue_skill"))
    if kind == "page_404":
        return client.get("/no-such-page")
    if kind == "api_404":
        return client.get("/api/v1/public/certificates/NOPE1234", params={"name": "王芳"})
    if kind == "api_401":
        return client.get("/api/v1/certificates/1")
    if kind == "page_403":
        make_user("trainee", "trainee403")
        post_form(client, "/login", {"username": "trainee403", "password": "Secret2026pass"})
        return client.get("/audit")
    return _too_many(client, monkeypatch, kind)


EXPECTED_STATUS = {"page": 200, "api_json": 200, "static": 200, "pdf": 200, "page_404": 404,
                   "api_404": 404, "api_401": 401, "api_429": 429, "page_429": 429,
                   "page_403": 403}


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_of_response_carries_the_security_headers(
        kind, client, run, make_user, monkeypatch, request) -> None:
    response = response_of(kind, client, run, make_user, monkeypatch, request)
    assert response.status_code == EXPECTED_STATUS[kind], response.text[:300]
    headers = response.headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"
    policy = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    if headers["content-type"].startswith("text/html"):
        assert "script-src 'self'" in policy and "object-src 'none'" in policy
    if kind.endswith("429"):
        assert int(headers["retry-after"]) > 0
    if kind == "api_401":
        assert headers["www-authenticate"].startswith("Bearer")


def test_page_401_redirects_to_login_without_a_bearer_challenge(client) -> None:
    response = client.get("/audit", follow_redirects=False)
    assert response.status_code in (302, 303) and "www-authenticate" not in response.headers
    assert response.headers["x-frame-options"] == "DENY"


def test_templates_have_no_inline_script_or_event_handler() -> None:
    """script-src / style-src 'self' would silently break an inline script, an on…= attribute
    or an inline style."""
    import re

    from core.settings import ROOT

    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        if "/pdf/" in path.as_posix():
            continue  # rendered by WeasyPrint, never by a browser
        text = path.read_text(encoding="utf-8")
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text, re.I):
            offenders.append(f"{path.name}: inline <script>")
        if re.search(r"\son[a-z]+\s*=", text, re.I) or "javascript:" in text.lower():
            offenders.append(f"{path.name}: event handler or javascript: URL")
        if re.search(r"<style|\sstyle\s*=", text, re.I):
            offenders.append(f"{path.name}: inline style (style-src 'self')")
    assert offenders == []


@pytest.mark.parametrize(("public", "flag", "secure"), [
    ("https://registry.ninghe.gov.cn", "0", True),
    ("http://127.0.0.1:8000", "0", False),
    ("http://127.0.0.1:8000", "1", True),
])
def test_cookies_are_secure_behind_an_https_address(database, monkeypatch, public, flag,
                                                    secure) -> None:
    from litestar.testing import TestClient

    from composition import create_app
    from core.accounts.services import NewUser, create_user
    from core.actor import Actor
    from core.settings import get_settings

    monkeypatch.setenv("PUBLIC_BASE_URL", public)
    monkeypatch.setenv("COOKIE_SECURE", flag)
    get_settings.cache_clear()
    try:
        with TestClient(app=create_app(), base_url="https://testserver.local") as client:
            async def user() -> None:  # in this app's loop, where its database pool lives
                await create_user(NewUser("securecookie", "Secret2026pass", "trainee", "测试用户",
                                          None), Actor.system("test"))

            client.blocking_portal.call(user)
            page = client.get("/login")
            token = next(c.value for c in client.cookies.jar if c.name == "csrftoken")
            signed_in = client.post("/login", follow_redirects=False, data={
                "username": "securecookie", "password": "Secret2026pass", "_csrf_token": token})
            assert signed_in.status_code in (302, 303), signed_in.text[:300]
            cookies = [v for k, v in [*page.headers.multi_items(),
                                      *signed_in.headers.multi_items()] if k == "set-cookie"]
            names = {c.split("=", 1)[0] for c in cookies}
            assert {"csrftoken", "registry_session"} <= names
            assert all(("; secure" in c.lower()) is secure for c in cookies), cookies
    finally:
        get_settings.cache_clear()


def test_only_the_api_documentation_pages_may_run_their_inline_script(client) -> None:
    from core.security_headers import DOCS_POLICY, HTML_POLICY

    assert client.get("/schema/swagger").headers["content-security-policy"] == DOCS_POLICY
    spec = client.get("/schema/openapi.json").headers["content-security-policy"]
    assert "unsafe-inline" not in spec and "frame-ancestors 'none'" in spec
    for path in ("/login", "/schemas-lookalike"):
        assert client.get(path).headers["content-security-policy"] == HTML_POLICY
