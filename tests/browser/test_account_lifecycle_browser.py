"""On a phone: an admin resets a user's password (asked first), hands over the link, and the
user sets a new password through it; the change-password page is one tap from the user menu."""

from __future__ import annotations

import re

from tests.browser.conftest import sign_in

NEW_PASSWORD = "Lantern-Quietly-47"


def test_admin_reset_link_on_a_phone(new_page, db_user):
    db_user("admin", "b_boss")
    user_id = db_user("hrss_officer", "b_clerk", "刘科员")
    admin = new_page(phone=True)
    sign_in(admin, "b_boss")
    admin.goto(f"/admin/users/{user_id}")
    admin.click("text=重置密码 >> nth=-1")
    admin.wait_for_load_state()
    assert any("重置密码" in asked for asked in admin.confirmations)
    link = admin.locator("code.reset-link").inner_text()
    assert re.search(r"/account/reset/[\w-]+$", link)
    assert admin.evaluate("document.documentElement.scrollWidth") <= 390

    user = new_page(phone=True)
    user.goto(link[link.index("/account/reset/"):])
    user.fill("#password", NEW_PASSWORD)
    user.fill("#password_confirm", NEW_PASSWORD)
    user.click("button[type=submit]")
    user.wait_for_load_state()
    assert "请用新密码登录" in user.content()
    sign_in(user, "b_clerk", NEW_PASSWORD)
    user.click("label[for=nav-toggle]")  # the phone menu
    user.click("a[href=\"/account/password\"]")
    user.wait_for_load_state()
    assert user.url.endswith("/account/password")
    assert user.evaluate("document.documentElement.scrollWidth") <= 390
