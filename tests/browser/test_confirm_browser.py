"""Revoking and suspending a certificate ask a question that names it (number, holder), in a
browser with JavaScript (the dialog, under the Content-Security-Policy: no inline script) and
without (the server's own confirmation page; nothing changes until it is answered). Over the
demo data."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import run_async

NUMBER = "S060212000101265000001"  # 周丽, valid (certification demo)
OTHER = "S060212000101265000002"  # 吴静, valid


@pytest.fixture(scope="module")
def demo(live_server: str) -> Iterator[str]:
    from core.demo import seed_demo

    assert run_async(seed_demo())
    yield live_server


def _sign_in(page: Any, username: str) -> None:
    from core.demo import DEMO_PASSWORD

    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def _open(page: Any, number: str) -> None:
    page.goto(f"/certification/certificates/?q={number}")
    page.click(f"a:has-text('{number}')")
    page.wait_for_load_state()


def _status(page: Any) -> str:
    return page.locator(".detail-list [data-status]").first.get_attribute("data-status")


def test_revoke_asks_naming_the_certificate_and_holder(demo, new_page):
    page = new_page(phone=True)
    _sign_in(page, "hrss")
    _open(page, NUMBER)
    page.fill("#revoke_public_reason", "以欺骗手段取得证书")
    page.click("button:has-text('撤销证书')")
    page.wait_for_load_state()
    asked = page.confirmations[-1]
    assert asked.startswith(f"撤销证书 {NUMBER}（持证人：周丽）？")
    assert "撤销不可恢复" in asked
    assert "证书已撤销" in page.content() and _status(page) == "revoked"


def test_without_javascript_the_server_asks_and_nothing_changes_until_yes(demo, browser):
    context = browser.new_context(base_url=demo, locale="zh-CN", java_script_enabled=False,
                                  viewport={"width": 390, "height": 700})
    try:
        page = context.new_page()
        _sign_in(page, "hrss")
        _open(page, OTHER)
        page.fill("#suspend_public_reason", "投诉调查中")
        page.click("button:has-text('暂停证书')")
        page.wait_for_load_state()
        question = page.locator("#confirm-question").inner_text()
        assert question.startswith(f"暂停证书 {OTHER}（持证人：吴静）？")
        assert "投诉调查中" in page.locator(".confirm-step").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.click("a:has-text('取消，返回')")  # the way back changes nothing
        assert _status(page) == "valid"

        page.fill("#suspend_public_reason", "投诉调查中")
        page.click("button:has-text('暂停证书')")
        page.click("button:has-text('确认暂停证书')")
        page.wait_for_load_state()
        assert "证书已暂停" in page.content() and _status(page) == "suspended"
    finally:
        context.close()
