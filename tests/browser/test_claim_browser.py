"""A person registers on a phone, reads the code the embedded outbox keeps, and binds her
record; until then every page leads to the verify page."""

from __future__ import annotations

import re

from core.identity import id_check_char
from tests.browser.conftest import run_async
from tests.conftest import PASSWORD

FIRST17 = "12022119850303222"
ID_NUMBER = FIRST17 + id_check_char(FIRST17)
ON_FILE = "13822223333"


async def _record_person() -> int:
    from core.actor import Actor
    from core.people import PersonInput, find_or_create_person

    person = await find_or_create_person(PersonInput("居民身份证", ID_NUMBER, "周敏", ON_FILE),
                                         Actor(None, "provider", "provider_staff"))
    return person.id


async def _last_code() -> str:
    from core.messages.tables import Message

    row = await (Message.select(Message.body).where(Message.recipient == ON_FILE)
                 .order_by(Message.id, ascending=False).first())
    return re.search(r"验证码为 (\d{6})", row["body"]).group(1)


def test_register_then_bind_the_record_with_the_code_on_a_phone(new_page):
    run_async(_record_person())
    page = new_page(phone=True)
    page.goto("/register")
    page.fill("#name", "周敏")
    page.fill("#id_number", ID_NUMBER)
    page.fill("#phone", "13900007777")  # not the phone on file
    page.fill("#username", "zhoumin_b")
    page.fill("#password", PASSWORD)
    page.fill("#password_confirm", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith("/account/verify")
    text = page.content()
    assert "验证码已发送至登记的手机号码" in text and "3333" not in text and "7777" not in text
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.goto("/me")
    assert page.url.endswith("/account/verify")
    page.fill("#code", run_async(_last_code()))
    page.click("form[action='/account/verify'] button[type=submit]")
    page.wait_for_load_state()
    assert "身份核验成功" in page.content()
    page.goto("/me")
    assert "周敏" in page.content()
