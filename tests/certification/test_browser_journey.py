"""The main journey in a browser: an officer approves an exam session (certificates issued and
rendered by the worker pool), the holder downloads the PDF on a phone, and a phone-sized browser
verifies it by the share link (QR target) and by number + name."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tests.browser.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PHONE,
    fresh_database,
    run_async,
    sign_in,
)
from tests.conftest import PASSWORD
from tests.servers import served_app

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None and os.environ.get("REQUIRE_BROWSER") != "1",
                       reason="未找到 chromium：跳过浏览器测试（apt-get install chromium）"),
]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app with its certificate worker running (RUN_JOBS=1) on a fresh database."""
    with fresh_database(tmp_path_factory.mktemp("journey")) as env, \
            served_app(RUN_JOBS="1", **env) as base:
        yield base


async def _arrange() -> None:
    from core.accounts.services import NewUser, create_user
    from core.actor import Actor
    from core.identity import id_check_char
    from core.people import PersonInput, find_or_create_person
    from core.tables import User
    from training.tables import ExamRegistration, ExamResult, ExamSession, Provider

    actor = Actor.system("test")
    await create_user(NewUser("j_officer", PASSWORD, "hrss_officer", "人社局 审核员"), actor)
    trainee = await create_user(NewUser("j_trainee", PASSWORD, "trainee", "王芳"), actor)
    now = datetime.now(UTC)
    provider = Provider(name="宁河浏览器测试评价中心", uscc="91120221MA0JOURN1X", status="approved",
                        is_assessment_body=True, body_type="S", body_code="0777",
                        site_serial="000009", province_code="12", created_at=now, updated_at=now)
    await provider.save()
    session = ExamSession(provider=provider.id, qualification_code="CHILDCARE_WORKER", level=4,
                          exam_on=date(2026, 11, 1), state="submitted", submitted_at=now,
                          created_at=now, updated_at=now)
    await session.save()
    for name, first17, theory, practical in (("王芳", "12022119900101771", 88, 91),
                                             ("李娜", "12022119900101772", 40, 70)):
        person = await find_or_create_person(
            PersonInput("居民身份证", first17 + id_check_char(first17), name), actor)
        if name == "王芳":
            await User.update({User.person: person.id}).where(User.id == trainee)
        reg = ExamRegistration(session=session.id, person=person.id, route="course",
                               eligible=True, status="confirmed", created_at=now)
        await reg.save()
        await ExamResult(session=session.id, registration=reg.id, person=person.id,
                         theory=theory, practical=practical, passed=theory >= 60 <= practical,
                         created_at=now).save()


def test_officer_issues_holder_downloads_phone_verifies(served: str) -> None:
    from playwright.sync_api import sync_playwright

    run_async(_arrange())
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            desk = browser.new_context(base_url=served, locale="zh-CN").new_page()
            asked: list[str] = []  # irreversible steps ask first; the officer says yes
            desk.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
            sign_in(desk, "j_officer")
            desk.goto("/certification/sessions/")
            desk.click("text=保育师")
            assert "王芳" in desk.content() and "李娜" in desk.content()
            desk.click("button:has-text('审核通过并发证')")
            desk.wait_for_load_state()
            # The question names the session and the certificates it issues.
            assert asked and asked[-1].startswith("审核通过「保育师")
            assert "（宁河浏览器测试评价中心）" in asked[-1]
            assert "将为 1 名合格考生发放 1 本证书（不合格 1 人，不发证）" in asked[-1]
            assert "不可撤回" in asked[-1]
            assert "向 1 名合格考生发证" in desk.content()
            for _ in range(120):  # the worker pool renders and signs; the page shows progress
                if "已完成" in desk.content():
                    break
                time.sleep(0.5)
                desk.reload()
            assert "1/1" in desk.content()

            phone = browser.new_context(base_url=served, locale="zh-CN", viewport=PHONE,
                                        accept_downloads=True).new_page()
            sign_in(phone, "j_trainee")
            phone.goto("/my/certificates/")
            number = phone.locator(".cert-number").first.inner_text().strip()
            assert number.startswith("S077712000009")
            with phone.expect_download() as download:
                phone.click("text=下载 PDF")
            assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")
            phone.click("a:has-text('分享证书')")  # the share section: QR code and the link
            assert phone.locator(".cert-share img.cert-qr").first.is_visible()
            share = phone.locator(".cert-share-url a").first.get_attribute("href")

            public = browser.new_context(base_url=served, locale="zh-CN",
                                         viewport=PHONE).new_page()
            public.goto(share)
            assert "证书有效" in public.content() and "王*" in public.content()
            assert public.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            public.goto("/verify")
            public.fill("#number", number)
            public.fill("#name", "王芳")
            public.click("button[type=submit]")
            assert "证书有效" in public.content()
            public.fill("#number", number)
            public.fill("#name", "李娜")
            public.click("button[type=submit]")
            assert "未查到匹配的证书" in public.content()
        finally:
            browser.close()
