"""On a phone (390 px) the person's 我的任职与查询记录 reads without sideways scrolling: the
consent history and the access log become one card per row, withdrawals and what was shown in
view; dates do not break. The admins' outbox names topics in Chinese; the verify page sets
"收不到验证码？" apart from the resend button. Set POLISH_SHOTS=<dir> to keep screenshots."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.identity import id_check_char
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, run_async, sign_in
from tests.conftest import PASSWORD, api_token
from tests.employers.conftest import link, register

FIRST17 = "12022119880302123"
ID_NUMBER = FIRST17 + id_check_char(FIRST17)
SHOTS = os.environ.get("POLISH_SHOTS", "")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium with a Chinese UI (file pickers read 选择文件), as a user here has it."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM,
                                     args=[*CHROMIUM_ARGS, "--lang=zh-CN"])
        yield instance
        instance.close()


def _shot(page: Any, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


async def _trainee(username: str, person_id: int) -> None:
    from core.accounts.services import NewUser, create_user
    from core.actor import Actor

    await create_user(NewUser(username, PASSWORD, "trainee", "学员", None, person_id),
                      Actor.system("test"))


async def _messages() -> None:
    from core.messages.outbox import enqueue
    from core.messages.pages import TOPIC_LABELS

    for n, topic in enumerate(TOPIC_LABELS):
        await enqueue("sms", "13812345678", f"【托育从业人员平台】演示消息 {n}", kind="notice",
                      topic=topic)


def _overflow(page: Any) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_my_page_and_outbox_read_on_a_phone(new_page, db_user, live_server):
    db_user("facility_operator", "op_phone")
    db_user("admin", "root_phone")
    with httpx.Client(base_url=live_server, timeout=30) as client:
        operator = api_token(client, "op_phone")
        first = register(client, operator, name="宁河区芦台街阳光托育园")
        second = register(client, operator, name="宁河区东棘坨镇小星星托育中心")
        one = link(client, operator, first, "周敏", ["caregiver"], number=ID_NUMBER,
                   consent=False)
        link(client, operator, second, "周敏", ["caregiver"], number=ID_NUMBER, consent=False)
        run_async(_trainee("zhoumin_p", one["person_id"]))
        trainee = api_token(client, "zhoumin_p")
        staff = client.get("/api/v1/staff-links/my", headers=trainee)
        links = [s["id"] for s in staff.json()] if staff.status_code == 200 else []
        for link_id in links or [one["id"]]:
            assert client.post(f"/api/v1/staff-links/{link_id}/accept",
                               headers=trainee).status_code == 200
        assert client.post(f"/api/v1/staff-links/{one['id']}/withdraw-consent",
                           headers=trainee).status_code == 200
        for reason in ("入职前核验", "年度备案前核查人员资质"):
            assert client.post("/api/v1/credential-checks", headers=operator, json={
                "id_number": ID_NUMBER, "name": "周敏", "reason": reason}).status_code == 200
    run_async(_messages())

    for phone, size in ((True, "390"), (False, "1280")):
        page = new_page(phone=phone)
        if not phone:
            page.set_viewport_size({"width": 1280, "height": 900})
        sign_in(page, "zhoumin_p")
        page.goto("/employers/my")
        assert "我的任职与查询记录" in page.content()
        _shot(page, f"employers-my-{size}")
        if phone:
            assert _overflow(page) <= 0
            for table in page.query_selector_all(".table-wrap"):
                assert table.evaluate("t => t.scrollWidth - t.clientWidth") <= 0
            withdrawn = page.locator("td[data-label='撤回']:not(.is-empty)").first
            box = withdrawn.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390
            assert withdrawn.is_visible() and "本人在账户中撤回" in withdrawn.inner_text()
            shown = page.locator("td[data-label='看到的内容']").first
            box = shown.bounding_box()
            assert box and box["x"] + box["width"] <= 390
            started = page.locator(".card .nowrap").first
            assert started.inner_text().startswith("入职 ")
            line = started.evaluate("e => e.getClientRects().length")
            assert line == 1  # "入职 2026-01-05" on one line

        admin = new_page(phone=phone)
        if not phone:
            admin.set_viewport_size({"width": 1280, "height": 900})
        sign_in(admin, "root_phone")
        admin.goto("/admin/messages")
        text = admin.content()
        assert "机构请求授权" in text and "consent.requested" not in text
        _shot(admin, f"admin-messages-{size}")


async def _on_record(number: str) -> None:
    from core.actor import Actor
    from core.people import PersonInput, find_or_create_person

    await find_or_create_person(PersonInput("居民身份证", number, "吴桐", "13822224444"),
                                Actor(None, "provider", "provider_staff"))


def test_verify_page_sets_the_document_way_apart_from_resend(new_page):
    first17 = "12022119900707456"
    run_async(_on_record(first17 + id_check_char(first17)))  # a record: the document way shows
    page = new_page(phone=True)
    page.goto("/register")
    page.fill("#name", "吴桐")
    page.fill("#id_number", first17 + id_check_char(first17))
    page.fill("#phone", "13900008888")
    page.fill("#username", "wutong_p")
    page.fill("#password", PASSWORD)
    page.fill("#password_confirm", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith("/account/verify")
    resend = page.locator("form[action='/account/verify/resend'] button").bounding_box()
    heading = page.locator("h2", has_text="收不到验证码？")
    box = heading.bounding_box()
    assert resend and box
    assert box["y"] - (resend["y"] + resend["height"]) >= 24
    _shot(page, "account-verify-390")
