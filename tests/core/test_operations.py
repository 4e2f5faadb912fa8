"""Operations: health, OpenAPI, error pages, request log without personal data."""

import logging


def test_openapi_lists_models_for_api_routes(client):
    schema = client.get("/schema/openapi.json").json()
    assert "/api/v1/auth/token" in schema["paths"]
    token = schema["paths"]["/api/v1/auth/token"]["post"]
    assert "requestBody" in token and "200" in token["responses"]
    assert "TokenResponse" in schema["components"]["schemas"]


def test_unknown_page_is_a_chinese_404(client):
    r = client.get("/no/such/page")
    assert r.status_code == 404 and "不存在" in r.text and 'lang="zh-CN"' in r.text


def test_health_reports_503_when_database_unreachable(client, monkeypatch):
    import core.home

    async def down() -> bool:
        return False

    monkeypatch.setattr(core.home, "ping", down)
    r = client.get("/health")
    assert r.status_code == 503 and r.json()["database"] == "unreachable"


def test_request_log_line_has_no_query_string(client, caplog):
    logger = logging.getLogger("registry")
    logger.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.INFO, logger="registry.access"):
            client.get("/health?name=张三&id_number=120221199003150026")
    finally:
        logger.removeHandler(caplog.handler)
    records = [r for r in caplog.records if r.name == "registry.access"]
    assert records and records[-1].fields["path"] == "/health"
    ours = " ".join(
        f"{r.getMessage()} {getattr(r, 'fields', '')}"
        for r in caplog.records
        if r.name.startswith("registry")
    )
    assert "张三" not in ours and "1202211990" not in ours


def test_malformed_api_body_names_the_field_in_chinese(client):
    r = client.post("/api/v1/auth/token", json={"username": "someone"})
    assert r.status_code == 422
    assert r.json()["errors"] == [{"field": "password", "message": "必填"}]
    assert "password: 必填" in r.json()["detail"]
    r = client.post(
        "/api/v1/auth/token", content=b"{broken", headers={"content-type": "application/json"}
    )
    assert r.status_code == 400 and r.json()["detail"] == "请求格式不正确"


def test_housekeeping_drops_expired_sessions_and_keeps_live_ones(client, make_user, run):
    from core import housekeeping
    from tests.conftest import login

    make_user("hrss_officer", "keeps.session")
    login(client, "keeps.session")
    live = client.cookies.get("registry_session")
    sessions = client.app.stores.get("sessions")
    run(sessions.set, "stale-session", b"{}", expires_in=-1)  # written long ago, now expired
    run(housekeeping.run_once, client.app)
    assert not run(sessions.exists, "stale-session")
    assert run(sessions.exists, live)
    assert client.get("/audit").status_code == 200  # still signed in
