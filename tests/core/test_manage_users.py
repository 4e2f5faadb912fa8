"""``python -m core.manage user …``: the admin's account operations from the command line, with
the same validation and audit as the pages."""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys

from core import manage_users
from core.tables import ApiToken, AuditLog, User
from tests.conftest import PASSWORD, api_token, login, post_form

NEW_PASSWORD = "Lantern-Quietly-47"


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    manage_users.add_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(["user", *argv])


def _refused(run, *argv: str) -> str:
    """Run a command expected to stop; its message. (SystemExit must not cross the portal.)"""

    async def attempt() -> str:
        try:
            await manage_users.run(_args(*argv))
        except SystemExit as stopped:
            return str(stopped)
        raise AssertionError("the command did not stop")

    return run(attempt)


def _audit(run, action):
    rows = run(AuditLog.select().where(AuditLog.action == action))
    return [{**r, "summary": json.loads(r["summary"]) if isinstance(r["summary"], str)
             else r["summary"]} for r in rows]


def test_disable_by_command_ends_sessions_and_tokens_at_once(database, run, client, make_user):
    """End to end: the real command in its own process."""
    from core.db import engine

    user_id = make_user("hrss_officer", "clerk")
    token = api_token(client, "clerk")
    login(client, "clerk")
    env = {**os.environ}
    if hasattr(engine(), "path"):
        env["DATABASE_URL"] = f"sqlite:///{engine().path}"
    result = subprocess.run([sys.executable, "-m", "core.manage", "user", "disable", "clerk"],
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "用户 clerk 已停用" in result.stdout
    assert client.get("/api/v1/auth/me", headers=token).status_code == 401
    assert client.get("/audit", follow_redirects=False).status_code in (302, 303)
    [row] = _audit(run, "user.disable")
    assert row["actor_name"].startswith("manage:") and row["entity_id"] == str(user_id)


def test_enable_and_set_role_by_command_with_the_admin_as_actor(run, make_user, capsys):
    boss = make_user("admin", "boss")
    user_id = make_user("edu_officer", "chen")
    run(manage_users.run, _args("disable", "chen", "--by", "boss"))
    run(manage_users.run, _args("enable", " CHEN ", "--by", "boss"))  # as sign-in spells it
    run(manage_users.run, _args("set-role", "chen", "--role", "health_reviewer", "--by", "boss"))
    row = run(User.select(User.role, User.is_active).where(User.id == user_id).first)
    assert row == {"role": "health_reviewer", "is_active": True}
    for action in ("user.disable", "user.enable", "user.role_change"):
        [audit_row] = _audit(run, action)
        assert audit_row["actor_id"] == boss and audit_row["actor_name"] == "boss"
    assert "卫健委审核人员" in capsys.readouterr().out


def test_refused_commands_exit_with_the_message_and_write_nothing(run, make_user):
    make_user("trainee", "someone")
    make_user("hrss_officer", "notadmin")
    cases = [
        (("set-role", "someone", "--role", "provider_staff"), "须填写所属培训机构编号"),
        (("disable", "nobody"), "用户 nobody 不存在"),
        (("disable", "someone", "--by", "notadmin"), "不是启用中的系统管理员账号"),
    ]
    for argv, message in cases:
        assert message in _refused(run, *argv)
    changes = AuditLog.action.is_in(["user.disable", "user.role_change"])
    assert run(AuditLog.count().where(changes)) == 0


def test_reset_password_prints_a_one_time_link(run, client, make_user, capsys):
    make_user("provider_staff", "teacher", display_name="张老师")
    run(manage_users.run, _args("reset-password", "teacher"))
    out = capsys.readouterr().out
    path = re.search(r"/account/reset/[\w-]+", out).group(0)
    assert "只显示这一次" in out
    r = post_form(client, path, {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert r.status_code == 200 and "请用新密码登录" in r.text
    assert login(client, "teacher", NEW_PASSWORD).headers["location"] == "/"
    [row] = _audit(run, "user.password_reset_start")
    assert path.rsplit("/", 1)[1] not in json.dumps(row, default=str)


def test_set_password_by_command_requires_a_change_at_next_login(run, client, make_user,
                                                                   monkeypatch):
    user_id = make_user("health_reviewer", "wang")
    token = api_token(client, "wang")
    monkeypatch.setenv("NEW_USER_PASSWORD", "weak")
    assert "密码至少 10 位" in _refused(run, "set-password", "wang")
    monkeypatch.setenv("NEW_USER_PASSWORD", NEW_PASSWORD)
    run(manage_users.run, _args("set-password", "wang"))
    assert login(client, "wang", PASSWORD).status_code == 422
    assert login(client, "wang", NEW_PASSWORD).headers["location"] == "/account/password"
    assert client.get("/api/v1/auth/me", headers=token).status_code == 401
    tokens = run(ApiToken.select(ApiToken.revoked_at).where(ApiToken.user == user_id))
    assert all(t["revoked_at"] is not None for t in tokens)
    [row] = _audit(run, "user.password_set")
    assert NEW_PASSWORD not in json.dumps(row, default=str)
    assert row["summary"]["after"]["change_required_at_login"] is True  # readable, not masked
    run(manage_users.run, _args("set-password", "wang", "--no-must-change"))
    assert run(User.select(User.must_change_password).where(User.id == user_id).first) == {
        "must_change_password": False}
