"""Accounts over time: users change their password; admins disable and
re-enable users, change role and organisation, and start one-time password resets; a password
set by an admin must be replaced at next sign-in. Through the API and the pages."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from core.tables import ApiToken, AuditLog, PasswordReset, User
from tests.conftest import PASSWORD, api_token, login, post_form

NEW_PASSWORD = "Lantern-Quietly-47"


def _audit(run, action):
    rows = run(AuditLog.select().where(AuditLog.action == action).order_by(AuditLog.id))
    for row in rows:  # JSON comes back as text on SQLite
        if isinstance(row["summary"], str):
            row["summary"] = json.loads(row["summary"])
    return rows


def _user(run, user_id):
    return run(User.select().where(User.id == user_id).first)


@pytest.fixture
def provider_id(run):
    from core import clock
    from training.tables import Provider

    row = Provider(name="测试培训学校", uscc="12120221MB0000001X", created_at=clock.now(),
                   updated_at=clock.now())
    run(row.save)
    return row.id


def _use_session(client, cookie):
    """Act as another device: present that session cookie (None: no session)."""
    client.cookies.delete("registry_session")
    if cookie:
        client.cookies.set("registry_session", cookie, domain="testserver.local")


@pytest.fixture
def admin(client, make_user):
    make_user("admin", "boss")
    return api_token(client, "boss")


# --- change one's own password -------------------------------------------------------------

def test_user_changes_password_on_the_page_other_sessions_and_tokens_end(
    client, make_user, run
):
    user_id = make_user("hrss_officer", "liu")
    token = api_token(client, "liu")
    login(client, "liu")  # another device
    other_device = client.cookies.get("registry_session")
    assert client.get("/audit").status_code == 200
    _use_session(client, None)
    login(client, "liu")
    this_device = client.cookies.get("registry_session")
    assert "修改密码" in client.get("/").text  # linked from the user menu
    r = post_form(client, "/account/password", {
        "current_password": PASSWORD, "password": NEW_PASSWORD,
        "password_confirm": NEW_PASSWORD}, follow_redirects=False)
    assert r.status_code in (302, 303)
    # this session continues under a renewed id; the other device is signed out
    assert client.cookies.get("registry_session") not in (this_device, None)
    assert client.get("/audit").status_code == 200
    _use_session(client, other_device)
    r = client.get("/audit", follow_redirects=False)
    assert r.status_code in (302, 303) and r.headers["location"].startswith("/login")
    assert client.get("/api/v1/auth/me", headers=token).status_code == 401
    assert login(client, "liu", PASSWORD).status_code == 422
    assert login(client, "liu", NEW_PASSWORD).status_code in (302, 303)
    [row] = _audit(run, "user.password_change")
    assert row["entity_id"] == str(user_id) and row["actor_id"] == user_id
    assert PASSWORD not in str(row["summary"]) and NEW_PASSWORD not in str(row["summary"])


@pytest.mark.parametrize(("current", "new", "confirm", "field", "message"), [
    ("wrong-Password-9", NEW_PASSWORD, NEW_PASSWORD, "current_password", "当前密码不正确"),
    (PASSWORD, "short1A", "short1A", "password", "至少 10 位"),
    (PASSWORD, "password123", "password123", "password", "常见"),
    (PASSWORD, "zhoulin2026", "zhoulin2026", "password", "用户名"),
    (PASSWORD, "aaaaaaaaaaaa", "aaaaaaaaaaaa", "password", "简单"),
    (PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x", "password_confirm", "不一致"),
    (PASSWORD, PASSWORD, PASSWORD, "password", "不能与当前密码相同"),
])
def test_bad_password_changes_are_refused_naming_the_field(
    client, make_user, run, current, new, confirm, field, message
):
    user_id = make_user("trainee", "zhoulin")
    before = _user(run, user_id)["password_hash"]
    headers = api_token(client, "zhoulin")
    r = client.post("/api/v1/auth/password", headers=headers, json={
        "current_password": current, "password": new, "password_confirm": confirm})
    assert r.status_code == 422, r.text
    assert r.json()["field"] == field and message in r.json()["detail"]
    assert _user(run, user_id)["password_hash"] == before
    assert _audit(run, "user.password_change") == []
    login(client, "zhoulin")
    page = post_form(client, "/account/password", {
        "current_password": current, "password": new, "password_confirm": confirm})
    assert page.status_code == 422 and message in page.text
    assert f'id="{field}-error"' in page.text


def test_api_password_change_keeps_the_calling_token_and_ends_the_others(client, make_user):
    make_user("edu_officer", "chen")
    mine, other = api_token(client, "chen"), api_token(client, "chen")
    r = client.post("/api/v1/auth/password", headers=mine, json={
        "current_password": PASSWORD, "password": NEW_PASSWORD,
        "password_confirm": NEW_PASSWORD})
    assert r.status_code == 204
    assert client.get("/api/v1/auth/me", headers=mine).status_code == 200
    assert client.get("/api/v1/auth/me", headers=other).status_code == 401


def test_guessing_the_current_password_is_locked_like_sign_in(client, make_user, run):
    from tests.conftest import hold_clock

    user_id = make_user("trainee", "guessed")
    headers = api_token(client, "guessed")
    hold_clock()
    body = {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    for attempt in range(5):
        r = client.post("/api/v1/auth/password", headers=headers,
                        json={**body, "current_password": f"Guess-{attempt}-wrong"})
        assert r.status_code == 422
    r = client.post("/api/v1/auth/password", headers=headers,
                    json={**body, "current_password": PASSWORD})  # even the right one waits
    assert r.status_code == 429 and "错误次数过多" in r.json()["detail"]
    assert r.headers["retry-after"]
    login(client, "guessed")
    page = post_form(client, "/account/password", {**body, "current_password": PASSWORD})
    assert page.status_code == 429 and "错误次数过多" in page.text
    assert _audit(run, "user.password_change") == []
    assert _user(run, user_id)["must_change_password"] is False


def test_existing_weak_passwords_still_sign_in(client, make_user, run):
    """The policy judges new passwords only: a stored weak one is never re-judged at login."""
    from core.accounts.passwords import hasher

    user_id = make_user("trainee", "oldtimer")
    run(User.update({User.password_hash: hasher().hash("abc12345")}).where(User.id == user_id))
    assert login(client, "oldtimer", "abc12345").status_code in (302, 303)


# --- disable and re-enable -----------------------------------------------------------------

def test_disabled_user_loses_cookie_and_token_on_the_very_next_request(
    client, admin, make_user, run
):
    user_id = make_user("hrss_officer", "gone")
    login(client, "gone")
    cookie = client.cookies.get("registry_session")
    token = api_token(client, "gone")
    assert client.get("/audit").status_code == 200
    _use_session(client, None)
    r = client.post(f"/api/v1/admin/users/{user_id}/disable", headers=admin)
    assert r.status_code == 200 and r.json()["is_active"] is False
    _use_session(client, cookie)
    r = client.get("/audit", follow_redirects=False)
    assert r.status_code in (302, 303) and r.headers["location"].startswith("/login")
    assert client.get("/api/v1/auth/me", headers=token).status_code == 401
    # the server-side session is gone from the store, not only refused
    assert run(client.app.stores.get("sessions").get, cookie) is None
    assert login(client, "gone").status_code == 422
    tokens = run(ApiToken.select(ApiToken.revoked_at).where(ApiToken.user == user_id))
    assert tokens and all(t["revoked_at"] is not None for t in tokens)
    [row] = _audit(run, "user.disable")
    assert row["actor_name"] == "boss" and row["summary"]["after"]["is_active"] is False
    r = client.post(f"/api/v1/admin/users/{user_id}/enable", headers=admin)
    assert r.status_code == 200 and r.json()["is_active"] is True
    assert login(client, "gone").status_code in (302, 303)
    assert len(_audit(run, "user.enable")) == 1


def test_admin_disables_and_enables_on_the_page_with_confirmation(client, make_user, run):
    make_user("admin", "boss")
    user_id = make_user("facility_operator", "zhao")
    login(client, "boss")
    page = client.get(f"/admin/users/{user_id}")
    assert page.status_code == 200
    assert re.search(r'data-confirm="[^"]*停用[^"]*"[^>]*>停用账号', page.text)
    assert re.search(r'data-confirm="[^"]*重置密码[^"]*"[^>]*>重置密码', page.text)
    assert f'href="/admin/users/{user_id}"' in client.get("/admin/users").text
    r = post_form(client, f"/admin/users/{user_id}/disable", {}, follow_redirects=False)
    assert r.status_code in (302, 303)
    assert _user(run, user_id)["is_active"] is False
    assert "重新启用" in client.get(f"/admin/users/{user_id}").text
    post_form(client, f"/admin/users/{user_id}/enable", {})
    assert _user(run, user_id)["is_active"] is True


def test_admin_cannot_disable_themselves(client, make_user, run):
    boss = make_user("admin", "boss")
    r = client.post(f"/api/v1/admin/users/{boss}/disable", headers=api_token(client, "boss"))
    assert r.status_code == 409 and r.json()["detail"] == "不能停用自己的账号"
    assert _user(run, boss)["is_active"] is True and _audit(run, "user.disable") == []


def test_only_admins_manage_users(client, make_user):
    target = make_user("trainee", "tt1")
    make_user("hrss_officer", "officer")
    headers = api_token(client, "officer")
    for action in ("disable", "enable", "password-reset"):
        r = client.post(f"/api/v1/admin/users/{target}/{action}", headers=headers)
        assert r.status_code == 403
    assert client.post(f"/api/v1/admin/users/{target}/disable").status_code == 401


# --- role and organisation -----------------------------------------------------------------

def test_admin_changes_role_and_organisation(client, admin, make_user, run, provider_id):
    user_id = make_user("hrss_officer", "moved")
    r = client.post(f"/api/v1/admin/users/{user_id}/role", headers=admin,
                    json={"role": "provider_staff", "organisation_id": provider_id})
    assert r.status_code == 200, r.text
    assert r.json()["role"] == "provider_staff" and r.json()["organisation_id"] == provider_id
    me = client.get("/api/v1/auth/me", headers=api_token(client, "moved")).json()
    assert me["role"] == "provider_staff"
    [row] = _audit(run, "user.role_change")
    assert row["summary"]["before"]["role"] == "hrss_officer"
    assert row["summary"]["after"] == {"role": "provider_staff", "organisation_id": provider_id}


@pytest.mark.parametrize(("body", "field", "message"), [
    ({"role": "provider_staff"}, "organisation_id", "须填写所属培训机构编号"),
    ({"role": "provider_staff", "organisation_id": 999}, "organisation_id", "不存在"),
    ({"role": "edu_officer", "organisation_id": 1}, "organisation_id", "不隶属任何机构"),
    ({"role": "wizard"}, "role", "角色取值无效"),
    ({"role": "trainee"}, "role", "学员账号须由本人注册"),
])
def test_bad_role_changes_are_refused_and_write_nothing(
    client, admin, make_user, run, provider_id, body, field, message
):
    user_id = make_user("hrss_officer", "stay")
    r = client.post(f"/api/v1/admin/users/{user_id}/role", headers=admin, json=body)
    assert r.status_code == 422, r.text
    assert r.json()["field"] == field and message in r.json()["detail"]
    row = _user(run, user_id)
    assert row["role"] == "hrss_officer" and row["organisation_id"] is None
    assert _audit(run, "user.role_change") == []


def test_role_change_on_the_page_shows_the_error_next_to_the_field(client, make_user, run):
    make_user("admin", "boss")
    user_id = make_user("hrss_officer", "stay")
    login(client, "boss")
    r = post_form(client, f"/admin/users/{user_id}/role", {"role": "provider_staff"})
    assert r.status_code == 422 and 'id="organisation_id-error"' in r.text
    assert "须填写所属培训机构编号" in r.text
    assert _user(run, user_id)["role"] == "hrss_officer"


def test_admin_created_staff_needs_an_existing_organisation(client, admin, run, provider_id):
    body = {"username": "newstaff", "password": NEW_PASSWORD, "role": "provider_staff",
            "display_name": "新老师"}
    r = client.post("/api/v1/admin/users", headers=admin, json=body)
    assert r.status_code == 422 and r.json()["field"] == "organisation_id"
    r = client.post("/api/v1/admin/users", headers=admin,
                    json={**body, "organisation_id": provider_id})
    assert r.status_code == 201
    assert _user(run, r.json()["id"])["must_change_password"] is True


# --- a password an admin set must be replaced ----------------------------------------------

def test_admin_created_account_must_choose_its_own_password_first(client, admin, run):
    r = client.post("/api/v1/admin/users", headers=admin, json={
        "username": "fresh", "password": NEW_PASSWORD, "role": "hrss_officer",
        "display_name": "新同事"})
    assert r.status_code == 201
    r = login(client, "fresh", NEW_PASSWORD)
    assert r.headers["location"] == "/account/password"
    for path in ("/", "/audit", "/courses"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code in (302, 303) and r.headers["location"] == "/account/password"
    assert "管理员设置" in client.get("/account/password").text
    token = api_token(client, "fresh", NEW_PASSWORD)
    r = client.get("/api/v1/audit", headers=token)
    assert r.status_code == 403 and "请先修改密码" in r.json()["detail"]
    r = client.post("/api/v1/auth/password", headers=token, json={
        "current_password": NEW_PASSWORD, "password": "Orchard-Falcon-2031",
        "password_confirm": "Orchard-Falcon-2031"})
    assert r.status_code == 204
    assert client.get("/api/v1/audit", headers=token).status_code == 200
    assert run(User.select(User.must_change_password).where(User.username == "fresh").first) \
        == {"must_change_password": False}


def test_admin_reset_link_is_shown_once_single_use_and_expires(client, make_user, run, clock):
    make_user("admin", "boss")
    user_id = make_user("health_reviewer", "wang", display_name="王审核")
    victim_token = api_token(client, "wang")
    login(client, "boss")
    page = post_form(client, f"/admin/users/{user_id}/password-reset", {})
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    link = re.search(r"https?://[^<\s]+/account/reset/[\w-]+", page.text).group(0)
    path = link[link.index("/account/reset/"):]
    token = path.rsplit("/", 1)[1]
    stored = run(PasswordReset.select().where(PasswordReset.user == user_id))
    assert len(stored) == 1 and token not in str(stored)  # only its hash is kept
    [audit_row] = _audit(run, "user.password_reset_start")
    assert token not in str(audit_row)
    assert _user(run, user_id)["must_change_password"] is True
    assert token not in client.get(f"/admin/users/{user_id}").text  # shown once
    post_form(client, "/logout", {})

    assert "账号：<strong>wang</strong>" in client.get(path).text
    r = post_form(client, path, {"password": "wang12345678", "password_confirm": "wang12345678"})
    assert r.status_code == 422 and "用户名" in r.text  # policy applied
    r = post_form(client, path, {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
                  follow_redirects=False)
    assert r.status_code in (302, 303) and r.headers["location"] == "/login"
    row = _user(run, user_id)
    assert row["must_change_password"] is False
    assert client.get("/api/v1/auth/me", headers=victim_token).status_code == 401
    assert login(client, "wang", NEW_PASSWORD).headers["location"] == "/"
    # single use
    post_form(client, "/logout", {})
    r = post_form(client, path, {"password": "Another-Horse-88", "password_confirm":
                                 "Another-Horse-88"})
    assert r.status_code == 404 and "已使用或已过期" in r.text
    assert len(_audit(run, "user.password_reset_complete")) == 1

    # a new link expires after 30 minutes
    admin = api_token(client, "boss")
    r = client.post(f"/api/v1/admin/users/{user_id}/password-reset", headers=admin)
    assert r.status_code == 201 and r.headers["cache-control"] == "no-store"
    later = r.json()["reset_url"]
    clock.set_now(clock.now() + timedelta(minutes=31))
    path = later[later.index("/account/reset/"):]
    assert client.get(path).status_code == 404
    r = post_form(client, path, {"password": "Another-Horse-88",
                                 "password_confirm": "Another-Horse-88"})
    assert r.status_code == 404
    # the reset stopped the password at once; after an expired link only a new one helps
    assert login(client, "wang", NEW_PASSWORD).status_code == 422


def test_reset_of_a_disabled_user_is_refused(client, admin, make_user, run):
    user_id = make_user("trainee", "off")
    client.post(f"/api/v1/admin/users/{user_id}/disable", headers=admin)
    r = client.post(f"/api/v1/admin/users/{user_id}/password-reset", headers=admin)
    assert r.status_code == 409 and "已停用" in r.json()["detail"]
    assert run(PasswordReset.count) == 0


def test_unknown_user_is_404(client, admin):
    for action in ("disable", "enable", "password-reset"):
        assert client.post(f"/api/v1/admin/users/9999/{action}", headers=admin).status_code == 404
