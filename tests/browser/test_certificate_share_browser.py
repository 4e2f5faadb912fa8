"""The holder's certificate page in Chromium at 390 and 1280 px: the share section is on screen
with a QR code and the link, its buttons are readable (text colour differs from the button's
background and from the card's), the copy button copies the link and says so; /verify/<number>
without a code opens the form with the number filled in. Set POLISH_SHOTS=<dir> to keep
screenshots."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

from tests.browser.conftest import run_async, sign_in
from tests.conftest import PASSWORD

SHOTS = os.environ.get("POLISH_SHOTS", "")


async def _holder_with_certificate(username: str, name: str, first17: str) -> dict[str, Any]:
    """A trainee login for a new person holding one valid 保育师 四级 certificate."""
    from certification.services.issuance import NewCertificate, issue
    from core.accounts.services import NewUser, create_user
    from core.actor import Actor
    from core.identity import id_check_char
    from core.people import PersonInput, find_or_create_person
    from core.tables import Credential

    person = await find_or_create_person(
        PersonInput("居民身份证", first17 + id_check_char(first17), name, None),
        Actor.system("test"))
    await create_user(NewUser(username, PASSWORD, "trainee", name, None, person.id),
                      Actor.system("test"))
    [cid] = await issue([NewCertificate(
        person_id=person.id, kind="skill", qualification_code="CHILDCARE_WORKER",
        number_prefix="S123412000001264", issuer_name="宁河职业培训学校", issuer_code="S1234",
        issued_on=date(2026, 6, 1), origin_key=f"test:{username}", level=4,
    )], Actor.system("test"), job_title="测试")
    return await Credential.select(Credential.id, Credential.number,
                                   Credential.verification_code).where(
        Credential.id == cid).first()


def _shot(page: Any, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def _colours_differ(locator: Any) -> bool:
    """The element's text colour differs from its own background (or, when that is transparent,
    from the nearest painted ancestor's)."""
    return locator.evaluate("""el => {
        const text = getComputedStyle(el).color;
        let node = el, bg = 'rgba(0, 0, 0, 0)';
        while (node && (bg === 'rgba(0, 0, 0, 0)' || bg === 'transparent')) {
            bg = getComputedStyle(node).backgroundColor; node = node.parentElement;
        }
        return text !== bg;
    }""")


def test_share_section_is_visible_and_copies_the_link(new_page, live_server):
    cert = run_async(_holder_with_certificate("liuyang_share", "刘洋", "12022119900303123"))
    for phone, size in ((True, "390"), (False, "1280")):
        page = new_page(phone=phone)
        if not phone:
            page.set_viewport_size({"width": 1280, "height": 900})
        page.context.grant_permissions(["clipboard-read", "clipboard-write"],
                                       origin=live_server)
        sign_in(page, "liuyang_share")
        page.goto("/my/certificates/")
        share = page.locator(f"#share-{cert['id']}")
        page.click(f"a[href='#share-{cert['id']}']")
        assert share.is_visible()
        assert _colours_differ(page.locator(f"a[href='#share-{cert['id']}']"))
        qr = share.locator("img.cert-qr")
        assert qr.is_visible()
        assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
        box = qr.bounding_box()
        assert box and box["width"] >= 150 and box["x"] >= 0
        assert box["x"] + box["width"] <= page.viewport_size["width"]
        link = share.locator(".cert-share-url a")
        assert link.is_visible()
        expected = f"/verify/{cert['number']}?code={cert['verification_code']}"
        assert link.inner_text().endswith(expected)
        copy = share.get_by_role("button", name="复制链接")
        assert copy.is_visible() and _colours_differ(copy)
        _shot(page, f"holder-certificates-{size}")
        copy.click()
        status = share.locator("[role=status]")
        status.wait_for(state="visible")
        page.wait_for_function(
            "el => el.textContent.includes('链接已复制')", arg=status.element_handle())
        assert page.evaluate("navigator.clipboard.readText()") == link.inner_text()
        assert page.evaluate(
            "document.documentElement.scrollWidth - window.innerWidth") <= 0

        # the shared link without its code: the form, the number filled in
        page.goto(f"/verify/{cert['number']}")
        assert page.locator("#number").input_value() == cert["number"]
        assert page.locator("#name").is_visible()
        _shot(page, f"verify-without-code-{size}")
        page.fill("#name", "刘洋")
        page.click(".verify-form button[type=submit]")
        page.wait_for_load_state()
        assert "证书有效" in page.content()


def test_link_is_readable_without_javascript(browser, live_server):
    run_async(_holder_with_certificate("chenjing_nojs", "陈静", "12022119910404123"))
    context = browser.new_context(base_url=live_server, java_script_enabled=False,
                                  viewport={"width": 390, "height": 700})
    try:
        page = context.new_page()
        sign_in(page, "chenjing_nojs")
        page.goto("/my/certificates/")
        link = page.locator(".cert-share-url a").first
        assert link.is_visible() and "/verify/" in link.inner_text()
        assert page.locator("img.cert-qr").first.is_visible()
        # the copy button needs the script: hidden without it, nothing that does nothing
        assert not page.get_by_role("button", name="复制链接").first.is_visible()
    finally:
        context.close()
