"""Each role reaches its own pages and API and is refused elsewhere (401/403/404)."""

import pytest

from core.roles import Role
from tests.conftest import api_token, login

PAGES = {
    "/audit": {"hrss_officer", "edu_officer", "health_reviewer", "admin"},
    "/admin/users": {"admin"},
    "/me": {"trainee"},
}


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_pages_by_role(client, make_user, role):
    make_user(role, "someone")
    login(client, "someone")
    home = client.get("/")
    assert home.status_code == 200 and 'class="page-title"' in home.text
    for path, allowed in PAGES.items():
        if role == "trainee" and path == "/me":
            continue  # needs a Person; covered in test_accounts
        status = client.get(path).status_code
        assert status == (200 if role in allowed else 403), (path, role)


def test_anonymous_pages_redirect_to_login_and_api_answers_401(client):
    r = client.get("/audit", follow_redirects=False)
    assert r.status_code in (302, 303) and r.headers["location"] == "/login?next=/audit"
    r = client.get("/api/v1/audit")
    assert r.status_code == 401 and r.json()["detail"] == "请先登录"


def test_api_role_refusal_is_403_in_chinese(client, make_user):
    make_user("trainee", "t001")
    r = client.get("/api/v1/audit", headers=api_token(client, "t001"))
    assert r.status_code == 403 and "无权" in r.json()["detail"]


def test_a_person_of_someone_else_is_404_not_403(client, make_user, outbox):
    from tests.conftest import complete_claim
    from tests.core.test_accounts import registration

    client.post("/api/v1/auth/register", json=registration())
    complete_claim(client, outbox, "wangfang", "13900001111")
    pid = client.get("/api/v1/auth/me", headers=api_token(client, "wangfang"))
    assert pid.status_code == 200
    make_user("trainee", "stranger")
    make_user("provider_staff", "prov")
    owner = api_token(client, "wangfang")
    own = client.get("/api/v1/people/1", headers=owner)
    assert own.status_code == 200 and own.json()["name"] == "王芳"
    for who in ("stranger", "prov"):
        r = client.get("/api/v1/people/1", headers=api_token(client, who))
        assert r.status_code == 404
        r_missing = client.get("/api/v1/people/999", headers=api_token(client, who))
        assert r_missing.json()["detail"] == r.json()["detail"]
    make_user("hrss_officer", "off")
    assert client.get("/api/v1/people/1", headers=api_token(client, "off")).status_code == 200


def test_bad_bearer_token_is_401(client):
    r = client.get("/api/v1/auth/me", headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401
