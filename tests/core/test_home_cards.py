"""Home cards offer a role only what it can do."""

from __future__ import annotations

import pytest

from tests.conftest import login


@pytest.mark.parametrize(("role", "acts"), [
    ("hrss_officer", True), ("edu_officer", False), ("health_reviewer", False),
])
def test_registry_card_promises_lifecycle_actions_only_to_the_issuing_bureau(
        client, make_user, role, acts):
    make_user(role, "user1")
    login(client, "user1")
    home = client.get("/").text
    assert "证书登记簿" in home
    assert ("办理暂停、恢复、撤销、补发" in home) is acts
    if not acts:
        assert "查看状态与状态记录" in home
