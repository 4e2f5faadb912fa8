"""The kernel's admin pages read typed rows from the services (core.accounts.lifecycle:
UserListRow, UserDetail; core.messages.services: OutboxRow), and their controller modules
query no table."""

from __future__ import annotations

import re
from pathlib import Path

from core.roles import Role

ROOT = Path(__file__).resolve().parents[2]
CONTROLLER_MODULES = (ROOT / "core" / "admin_controllers.py",
                      ROOT / "core" / "messages" / "pages.py")
QUERY = re.compile(r"""\.(select|objects|count|exists)\(|from core\.(messages\.)?tables import""")


def test_the_admin_controllers_query_no_table():
    found = [f"{path.name}: {match.group(0)}" for path in CONTROLLER_MODULES
             for match in QUERY.finditer(path.read_text(encoding="utf-8"))]
    assert found == []


def test_the_check_finds_a_query():
    for text in ("await User.select(User.id)", "Message.count()", "from core.tables import User",
                 "from core.messages.tables import Message"):
        assert QUERY.search(text), text
    assert not QUERY.search("await lifecycle.list_users(q, 1, 50)")


def test_user_rows_are_typed(run, make_user):
    from core.accounts.lifecycle import UserDetail, UserListRow, list_users, user_detail

    user_id = make_user("admin", "typedadmin", display_name="类型管理员")
    found = run(list_users, "typedadmin", 1, 50)
    assert found.total == 1
    (row,) = found.items
    assert isinstance(row, UserListRow) and row.id == user_id and row.role is Role.ADMIN
    assert row.display_name == "类型管理员" and row.is_active and row.last_login_at is None
    detail = run(user_detail, user_id)
    assert isinstance(detail, UserDetail) and detail.role is Role.ADMIN
    assert detail.live_tokens == 0 and detail.open_reset is False


def test_outbox_rows_are_typed_and_masked(run):
    from core.messages.outbox import enqueue
    from core.messages.services import OutboxRow, list_messages
    from core.messages.tables import MessageState

    run(enqueue, "sms", "13800001234", "正文", kind="notice", topic="claim.rejected")
    (row,) = run(list_messages, "pending", 1, 50, with_bodies=False).items
    assert isinstance(row, OutboxRow) and row.state is MessageState.PENDING
    assert row.recipient == "138****1234" and row.subject is None and row.body is None
    (row,) = run(list_messages, "", 1, 50, with_bodies=True).items
    assert row.body == "正文"
    assert run(list_messages, "sent", 1, 50, with_bodies=True).items == []
