"""Attack review (issue 11 point 3): starting an admin password reset ends the user's live
sessions and tokens at once. Before, a session or token held by whoever had taken the account
over lived on and, with the old password, could change it and spend the owner's reset link."""

from __future__ import annotations

from tests.conftest import api_token, login


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
