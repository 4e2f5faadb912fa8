"""Login throttling cannot be sidestepped: one key per account however the username is spelt,
and the address is the direct peer's (X-Forwarded-For is not read by the app)."""

import pytest

from core.tables import AuditLog, Person, User
from tests.conftest import PASSWORD, hold_clock, login

SPELLINGS = ["edu", "edu ", " EDU", "Edu", "ｅｄｕ", "ＥＤＵ　", "\tedu\n"]


def token(client, username, password=PASSWORD, **headers):
    return client.post(
        "/api/v1/auth/token", json={"username": username, "password": password}, headers=headers
    )


@pytest.fixture
def locked_edu(client, make_user):
    """'edu' exists and has just failed LOGIN_MAX_FAILURES (5) times through the API."""
    make_user("trainee", "edu")
    hold_clock()
    for _ in range(5):
        assert token(client, "edu", "bad-password1").status_code == 422


def test_any_spelling_of_the_username_signs_in_to_the_one_account(client, make_user):
    make_user("trainee", "edu")
    for spelling in SPELLINGS:
        r = token(client, spelling)
        assert r.status_code == 200, (spelling, r.text)
    r = login(client, "ＥＤＵ ")
    assert r.status_code in (302, 303) and not r.headers["location"].startswith("/login")
    assert "欢迎，测试用户" in client.get(r.headers["location"]).text


def test_locked_account_is_refused_through_the_api_however_it_is_spelt(client, locked_edu):
    for spelling in SPELLINGS:
        r = token(client, spelling)
        assert r.status_code == 429, spelling
        assert "登录失败次数过多" in r.json()["detail"] and int(r.headers["Retry-After"]) > 0


def test_locked_account_is_refused_on_the_login_page_however_it_is_spelt(client, locked_edu):
    for spelling in SPELLINGS:
        r = login(client, spelling)
        assert r.status_code == 429, spelling
        assert "登录失败次数过多" in r.text
    assert client.get("/me", follow_redirects=False).status_code in (302, 303, 401)


def test_failures_spelt_differently_add_up_to_one_lock(client, make_user):
    make_user("trainee", "edu")
    hold_clock()
    for spelling in ["EDU", "edu ", "ｅｄｕ", "Edu", " edu"]:
        assert login(client, spelling, "bad-password1").status_code == 422
    assert login(client, "edu").status_code == 429
    assert token(client, "edu").status_code == 429


def test_username_key_is_stored_on_creation(client, make_user, run):
    make_user("hrss_officer", "Li.Na")
    row = run(User.select(User.username, User.username_key).first)
    assert row == {"username": "Li.Na", "username_key": "li.na"}


def test_a_username_differing_only_in_case_cannot_be_registered(client, make_user, run):
    from tests.core.test_accounts import registration

    make_user("hrss_officer", "edu")
    audit_rows = run(AuditLog.count)
    r = client.post("/api/v1/auth/register", json=registration(username="Edu"))
    assert r.status_code == 409
    assert r.json() == {"status_code": 409, "detail": "该用户名已被使用", "field": "username"}
    assert run(User.count) == 1 and run(Person.count) == 0 and run(AuditLog.count) == audit_rows


def test_create_user_refuses_a_username_differing_only_in_case(client, make_user, run):
    from core.errors import Conflict

    make_user("hrss_officer", "edu")
    with pytest.raises(Conflict) as refused:
        make_user("trainee", "EDU")
    assert (refused.value.message, refused.value.field) == ("该用户名已被使用", "username")
    assert run(User.count) == 1


def test_the_app_does_not_take_the_address_from_x_forwarded_for(client, make_user, monkeypatch):
    """The in-process client is one address: claiming others in X-Forwarded-For changes nothing."""
    from core.settings import get_settings

    monkeypatch.setenv("LOGIN_IP_MAX_FAILURES", "3")
    get_settings.cache_clear()
    hold_clock()
    for n in range(3):  # three different accounts, so only the address limit applies
        forwarded = {"X-Forwarded-For": f"203.0.113.{n}"}
        assert token(client, f"nobody{n}", "bad-password1", **forwarded).status_code == 422
    r = token(client, "someone.else", "bad-password1", **{"X-Forwarded-For": "198.51.100.7"})
    assert r.status_code == 429
    get_settings.cache_clear()


def test_client_ip_is_the_direct_peer():
    from core.accounts.auth import client_ip

    class Connection:
        scope = {
            "client": ("127.0.0.1", 50123),
            "headers": [(b"x-forwarded-for", b"203.0.113.9")],
        }

    assert client_ip(Connection()) == "127.0.0.1"  # type: ignore[arg-type]
