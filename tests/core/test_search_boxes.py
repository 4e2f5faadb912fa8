"""What a person types in a search box is matched as words, on both databases alike: case does
not matter, and ``%`` or ``_`` are never wildcards (core.db.contains, used by every search box:
users, providers, courses, facilities)."""

from __future__ import annotations

import warnings


def test_user_search_ignores_case_and_wildcards(run, make_user):
    from core.accounts.lifecycle import list_users

    make_user("admin", "searchadmin", display_name="检索管理员")
    make_user("admin", "searchxadmin", display_name="另一位管理员")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # SQLite has no ILIKE: no fallback warning either
        assert [r.username for r in run(list_users, "SEARCHADMIN", 1, 50).items] == [
            "searchadmin"]
        # "_" would match any one character as a LIKE wildcard: it is dropped instead
        assert [r.username for r in run(list_users, "search_admin", 1, 50).items] == [
            "searchadmin"]
        assert run(list_users, "检索", 1, 50).total == 1

