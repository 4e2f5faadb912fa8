"""Attack review: starting an admin password reset ends the user's live
sessions and tokens at once. Before, a session or token held by whoever had taken the account
over lived on and, with the old password, could change it and spend the owner's reset link."""

from __future__ import annotations

from tests.conftest import api_token, login, post_form


def test_starting_a_reset_ends_every_session_and_token(client, make_user, run):
    from core.tables import ApiToken

    make_user("admin", "boss")
    admin = api_token(client, "boss")
    user_id = make_user("hrss_officer", "taken")
    login(client, "taken")
    cookie = client.cookies.get("registry_session")
    token = api_token(client, "taken")
    assert client.get("/audit").status_code == 200

    client.cookies.delete("registry_session")
    r = client.post(f"/api/v1/admin/users/{user_id}/password-reset", headers=admin)
    assert r.status_code == 201, r.text

    assert client.get("/api/v1/auth/me", headers=token).status_code == 401
    client.cookies.set("registry_session", cookie, domain="testserver.local")
    r = client.get("/account/password", follow_redirects=False)
    assert r.status_code in (302, 303) and r.headers["location"].startswith("/login")
    tokens = run(ApiToken.select(ApiToken.revoked_at).where(ApiToken.user == user_id))
    assert tokens and all(t["revoked_at"] is not None for t in tokens)


def test_the_old_password_stops_working_when_a_reset_starts(client, make_user, run):
    """Attack review: until the link was used the old password still signed in, so whoever
    knew it could sign in, change the password and spend the owner's link. Now sign-in with it
    answers exactly like a wrong password, and counts towards the lock like one."""
    from core.tables import User
    from tests.conftest import PASSWORD, hold_clock

    make_user("admin", "boss")
    admin = api_token(client, "boss")
    user_id = make_user("hrss_officer", "taken")
    wrong = login(client, "taken", "Not-The-Password-1")
    assert wrong.status_code == 422
    r = client.post(f"/api/v1/admin/users/{user_id}/password-reset", headers=admin)
    assert r.status_code == 201, r.text

    hold_clock()
    page = login(client, "taken", PASSWORD)
    assert page.status_code == 422 and "用户名或密码错误" in page.text
    r = client.post("/api/v1/auth/token", json={"username": "taken", "password": PASSWORD})
    assert r.status_code == 422 and r.json()["detail"] == wrong_detail(client)
    stored = run(User.select(User.password_hash).where(User.id == user_id).first)
    assert not stored["password_hash"].startswith("$argon2")
    for _ in range(3):  # 1 wrong + 2 above + 3 = 6 failures: locked like any wrong password
        login(client, "taken", PASSWORD)
    r = client.post("/api/v1/auth/token", json={"username": "taken", "password": PASSWORD})
    assert r.status_code == 429

    # the owner's link still works, and then the new password signs in
    path = client.post(f"/api/v1/admin/users/{user_id}/password-reset",
                       headers=admin).json()["reset_url"].split("testserver.local")[-1]
    path = path[path.index("/account/reset/"):]
    new = "Lantern-Quietly-47"
    r = post_form(client, path, {"password": new, "password_confirm": new})
    assert r.status_code == 200 and "请用新密码登录" in r.text


def wrong_detail(client) -> str:
    r = client.post("/api/v1/auth/token", json={"username": "nobody-here", "password": "x" * 12})
    return r.json()["detail"]


def test_reset_password_by_command_also_stops_the_old_password(run, client, make_user):
    import argparse

    from core import manage_users
    from tests.conftest import PASSWORD

    make_user("provider_staff", "teacher")
    assert login(client, "teacher").status_code in (302, 303)
    parser = argparse.ArgumentParser()
    manage_users.add_parser(parser.add_subparsers(dest="command"))
    run(manage_users.run, parser.parse_args(["user", "reset-password", "teacher"]))
    r = login(client, "teacher", PASSWORD)
    assert r.status_code == 422 and "用户名或密码错误" in r.text
