"""The identity journey in a browser: a person registers, reads the code
from the embedded outbox, binds her record, withdraws consent; the operator sees 本人已撤回授权,
and a check shows only the public verification result and is logged.

The story: 托育园's operator linked 刘晓梅 as a caregiver with her phone, and uploaded the consent
form she signed on paper; she holds a 保育师 certificate issued here and a health check the
operator recorded. She registers on her phone with her real name and ID number but a new phone
number; the code still goes to the phone on file (read by an admin from the demo outbox). Bound,
she sees her certificate and the facility's link, and withdraws her consent. The operator's
staff list says so at once, and a check by number + name shows only what public verification
shows (the certificate, not the health check), written to her access log under the facility's
name, never the operator's username.

Screenshots go to /tmp/journey-shots/ (390 px for the person, 1280 px for admin and operator)."""

from __future__ import annotations

import os
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from core import clock
from tests.browser.conftest import (  # noqa: F401 — fixtures used by name
    CHROMIUM,
    browser,
    live_server,
    new_page,
    run_async,
    sign_in,
)
from tests.conftest import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None and os.environ.get("REQUIRE_BROWSER") != "1",
                       reason="未找到 chromium：跳过浏览器测试（apt-get install chromium）"),
]

SHOTS = Path("/tmp/journey-shots")
FACILITY = "宁河区晓星托育园"
NAME = "刘晓梅"
ON_FILE = "13900001111"  # what the operator recorded
TYPED = "13722228888"  # what she types when registering (a new phone)
PDF = b"%PDF-1.7\n1 0 obj\n<< >>\nendobj\ntrailer\n<< >>\n%%EOF\n"


def _id(first17: str) -> str:
    from core.identity import id_check_char

    return first17 + id_check_char(first17)


ID_NUMBER = _id("12022119960308042")


async def _arrange() -> dict:
    """The operator's facility, her staff link (the Person created by it, phone on file) with a
    signed paper consent, a certificate issued here and a recorded health check; an admin."""
    from certification.services.issuance import NewCertificate, issue
    from core import db
    from core.accounts.services import NewUser, create_user
    from core.actor import Actor
    from core.credentials import CredentialInput, create_credential
    from core.identity import uscc_check_char
    from core.people import PersonInput
    from core.tables import Credential
    from employers.facilities import FacilityInput, StaffTerms
    from employers.services import facilities, staff
    from tests.certification.conftest import SKILL_PREFIX

    system = Actor.system("test")
    op_id = await create_user(NewUser("xm_operator", PASSWORD, "facility_operator", "王园长"),
                              system)
    await create_user(NewUser("xm_admin", PASSWORD, "admin", "平台管理员"), system)
    op = Actor(op_id, "xm_operator", "facility_operator")
    async with db.transaction():
        first17 = "91120221MA9007001"
        facility = await facilities.register_facility(FacilityInput(
            FACILITY, first17 + uscc_check_char(first17), False, "civil_affairs", "芦台街道8号",
            "芦台街道", ["full_day"], 30), op)
        link = await staff.link_person(
            facility.id, PersonInput("居民身份证", ID_NUMBER, NAME, ON_FILE, "associate"),
            StaffTerms(["caregiver"], "full_time", "full_time", date(2026, 3, 2), 0), op)
        await staff.upload_consent(link.id, PDF, "刘晓梅同意书.pdf", op)
        await create_credential(CredentialInput(
            person_id=link.person, code="HEALTH_CERT", number="TJHC2026001",
            issued_on=clock.today() - timedelta(days=40), outcome="pass",
            issuer_name="宁河区妇幼保健院", source="recorded"), op)
    [cert_id] = await issue([NewCertificate(
        person_id=link.person, kind="skill", qualification_code="CHILDCARE_WORKER",
        number_prefix=f"{SKILL_PREFIX}264", issuer_name="宁河职业培训学校",
        issuer_code="S1234", issued_on=date(2026, 6, 1), origin_key="journey:liu", level=4,
    )], system, job_title="测试")
    cert = await Credential.select(Credential.number).where(Credential.id == cert_id).first()
    return {"facility": facility.id, "link": link.id, "person": link.person,
            "certificate": cert["number"]}


async def _claim_sms() -> list[dict]:
    from core.messages.tables import Message

    return list(await Message.select(Message.recipient, Message.body).where(
        Message.topic == "otp.claim"))


def click(page, selector: str) -> None:
    page.click(selector)
    page.wait_for_load_state()


def shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def fits_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 390


def test_register_bind_withdraw_and_the_check_is_public_and_logged(new_page):  # noqa: F811
    ids = run_async(_arrange())
    fid, link_id, cert_number = ids["facility"], ids["link"], ids["certificate"]

    # 1. She registers on her phone with her real name and number, and a new phone.
    person = new_page(phone=True)
    person.goto("/register")
    person.fill("#name", NAME)
    person.fill("#id_number", ID_NUMBER.lower())
    person.fill("#phone", TYPED)
    person.fill("#username", "liuxiaomei")
    person.fill("#password", PASSWORD)
    person.fill("#password_confirm", PASSWORD)
    shot(person, "01-person-register")
    assert fits_phone(person)
    click(person, "button:has-text('注册')")
    assert person.url.endswith("/account/verify")
    text = person.inner_text("main")
    assert "注册申请已受理" in text and "验证码已发送至登记的手机号码" in text
    assert TYPED not in text and ON_FILE not in text  # neither phone is revealed
    shot(person, "02-person-verify")
    assert fits_phone(person)
    person.goto("/my/certificates/")  # nothing of the record before the code
    assert person.url.endswith("/account/verify")

    # 2. An admin reads the code from the embedded outbox: it went to the phone ON FILE.
    admin = new_page()
    sign_in(admin, "xm_admin")
    admin.goto("/admin/messages")
    assert "当前为内置演示模式" in admin.content()
    shot(admin, "03-admin-outbox")
    codes = admin.locator("tr[data-message-id]", has_text="验证码")
    assert codes.count() == 1
    row = codes.first
    assert row.locator("td.nowrap").first.inner_text() == "139****1111"
    assert admin.locator("tr[data-message-id]", has_text="137****8888").count() == 0
    code = re.search(r"验证码为 (\d{6})", row.locator("td.message-body").inner_text()).group(1)
    # the stored recipient is the phone on file, not the one she typed
    assert [m["recipient"] for m in run_async(_claim_sms())] == [ON_FILE]

    # 3. She enters the code: bound, she sees her certificate and the facility's link.
    person.fill("#code", code)
    click(person, "button:has-text('验证')")
    assert not person.url.endswith("/account/verify")
    assert "身份核验成功" in person.content()
    shot(person, "04-person-home")
    assert fits_phone(person)
    person.goto("/my/certificates/")
    assert cert_number in person.content()
    shot(person, "05-person-certificates")
    assert fits_phone(person)
    person.goto("/employers/my")
    card = person.locator(f"[data-link='{link_id}']")
    assert FACILITY in card.inner_text() and "在职" in card.inner_text()
    history = person.locator("#consents tr[data-consent]")
    assert history.count() == 1  # her paper consent, given when the operator uploaded it
    assert FACILITY in history.inner_text() and "上传签字同意书" in history.inner_text()
    shot(person, "06-person-links")
    assert fits_phone(person)

    # 4. She withdraws; the dialog asked first.
    click(person, f"[data-link='{link_id}'] button:has-text('撤回授权')")
    assert FACILITY in person.confirmations[-1] and "确定撤回" in person.confirmations[-1]
    assert "已撤回授权" in person.content()
    assert "本人已撤回授权" in person.locator(f"[data-link='{link_id}']").inner_text()
    assert person.locator(f"[data-link='{link_id}'] button:has-text('撤回授权')").count() == 0
    shot(person, "07-person-withdrawn")
    assert fits_phone(person)

    # 5. The operator sees it in the staff list ...
    operator = new_page()
    sign_in(operator, "xm_operator")
    operator.goto(f"/employers/facilities/{fid}")
    assert "本人已撤回授权" in operator.locator(f"tr[data-link='{link_id}']").inner_text()
    shot(operator, "08-operator-staff")

    # ... and a check by number + name shows only the public verification result.
    operator.goto("/employers/checks")
    operator.fill("#id_number", ID_NUMBER)
    operator.fill("#name", NAME)
    operator.fill("#certificate_number", cert_number)
    operator.fill("#reason", "续签劳动合同前核验")
    click(operator, "form[action='/employers/checks'] button[type=submit]")
    result = operator.locator("#results [data-basis]")
    assert result.count() == 1 and result.get_attribute("data-basis") == "public"
    shown = result.inner_text()
    assert "仅显示公开查验结果" in shown and cert_number in shown
    assert "TJHC2026001" not in shown and "健康" not in shown  # the full view is gone
    assert "已授权" not in shown and NAME not in shown  # the name comes back masked
    shot(operator, "09-operator-check")

    # 6. Her access log names the facility and what it saw, never the operator's username.
    person.goto("/employers/my")
    log = person.locator("section:has(h2:has-text('谁查看过我的证书记录')) tbody tr")
    assert log.count() == 1
    entry = log.first.inner_text()
    assert FACILITY in entry and "仅公开查验结果" in entry and "续签劳动合同前核验" in entry
    assert "xm_operator" not in person.content() and "王园长" not in person.content()
    shot(person, "10-person-access-log")
    assert fits_phone(person)
