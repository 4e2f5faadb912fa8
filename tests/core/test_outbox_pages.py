"""The admins' outbox page (bodies only with the embedded gateways, status only with a real
one) and a trainee's choice about reminders on 我的信息."""

from __future__ import annotations

import re
from typing import Any

import pytest

from core import otp
from core.messages import gateways
from core.messages.outbox import enqueue
from core.messages.tables import ReminderOptOut
from core.tables import AuditLog, User
from tests.conftest import login, post_form

PHONE = "13812345678"


def ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-message-id="(\d+)"', html)]


def reminders_ticked(html: str) -> bool:
    tag = re.search(r'<input[^>]*name="reminders"[^>]*>', html)
    assert tag is not None
    return " checked" in tag.group(0)


class RealGateway:
    local = False

    async def send(self, message: Any) -> str:
        return f"real-{message.id}"


@pytest.fixture
def admin(client: Any, make_user: Any) -> Any:
    make_user("admin", "root1")
    assert login(client, "root1").status_code in (302, 303)
    return client


def test_embedded_outbox_page_shows_codes(admin: Any, run: Any, outbox: Any) -> None:
    run(otp.send_code, "claim", "user:1", PHONE)
    code = outbox.last_code(PHONE)
    outbox.deliver()
    response = admin.get("/admin/messages")
    assert response.status_code == 200
    assert "<th>内容</th>" in response.text and "消息不会离开本机" in response.text
    assert f"验证码为 {code}" in response.text
    assert "138****5678" in response.text and PHONE not in response.text
    assert "已发送" in response.text and 'href="/admin/messages"' in response.text  # in the nav


def test_with_a_real_gateway_the_page_shows_status_only(admin: Any, run: Any,
                                                        outbox: Any) -> None:
    run(otp.send_code, "claim", "user:1", PHONE)
    code = outbox.last_code(PHONE)
    gateways.use_gateway("sms", RealGateway())
    try:
        response = admin.get("/admin/messages")
    finally:
        gateways.use_gateway("sms", None)
    assert "只显示发送状态，不显示正文" in response.text and "<th>内容</th>" not in response.text
    assert code not in response.text and "验证码为" not in response.text
    assert "138****5678" in response.text and "待发送" in response.text


def test_outbox_page_filters_by_state_newest_first_and_pages(admin: Any, run: Any,
                                                            outbox: Any) -> None:
    for n in range(55):
        run(enqueue, "sms", PHONE, f"通知{n}", kind="notice")
    outbox.deliver()  # 50 sent, 5 pending
    sent = ids(admin.get("/admin/messages?state=sent").text)
    assert len(sent) == 50 and sent == sorted(sent, reverse=True)  # newest first
    pending = admin.get("/admin/messages?state=pending").text
    assert len(ids(pending)) == 5 and "已发送</td>" not in pending
    assert ids(pending) == sorted(ids(pending), reverse=True)
    everything = ids(admin.get("/admin/messages").text) + ids(
        admin.get("/admin/messages?page=2").text)
    assert everything == sorted(everything, reverse=True) and len(set(everything)) == 55


@pytest.mark.parametrize("role", ["trainee", "hrss_officer", "facility_operator"])
def test_outbox_page_is_for_admins_only(client: Any, make_user: Any, role: str) -> None:
    make_user(role, "someone")
    login(client, "someone")
    assert client.get("/admin/messages").status_code in (401, 403)


def test_outbox_page_needs_a_login(client: Any) -> None:
    response = client.get("/admin/messages", follow_redirects=False)
    assert response.status_code in (302, 303, 401)


@pytest.fixture
def trainee(client: Any, make_user: Any, make_person: Any, run: Any) -> Any:
    person = make_person(phone=PHONE)
    user_id = make_user("trainee", "learner")
    changes: dict[Any, Any] = {User.person: person.id}
    if hasattr(User, "identity_verified_at"):  # the record is shown once the claim is proven
        changes[User.identity_verified_at] = person.created_at
    run(User.update(changes).where(User.id == user_id))
    login(client, "learner")
    return person


def test_trainee_opts_out_of_reminders_but_not_notices(client: Any, run: Any,
                                                       trainee: Any) -> None:
    page = client.get("/me")
    assert page.status_code == 200 and "接收到期提醒短信" in page.text
    assert reminders_ticked(page.text)
    response = post_form(client, "/me/reminder-sms", {}, follow_redirects=False)  # box unticked
    assert response.status_code in (302, 303)
    assert run(ReminderOptOut.exists().where(ReminderOptOut.person == trainee.id))
    assert not reminders_ticked(client.get("/me").text)
    audit = run(AuditLog.select().where(AuditLog.action == "person.reminders"))
    assert len(audit) == 1
    assert run(enqueue, "sms", PHONE, "证书将到期", kind="reminder", person_id=trainee.id) is None
    assert run(enqueue, "sms", PHONE, "证书已暂停", kind="notice", person_id=trainee.id)
    # and back on
    post_form(client, "/me/reminder-sms", {"reminders": "on"})
    assert not run(ReminderOptOut.exists().where(ReminderOptOut.person == trainee.id))
    assert run(enqueue, "sms", PHONE, "证书将到期", kind="reminder", person_id=trainee.id)
    # the same choice again changes (and audits) nothing
    post_form(client, "/me/reminder-sms", {"reminders": "on"})
    assert len(run(AuditLog.select().where(AuditLog.action == "person.reminders"))) == 2


def test_only_trainees_choose_reminders(client: Any, make_user: Any) -> None:
    make_user("admin", "root2")
    login(client, "root2")
    assert post_form(client, "/me/reminder-sms", {}).status_code in (401, 403)


@pytest.fixture
def operator_page(client: Any, make_user: Any) -> Any:
    make_user("facility_operator", "op9")
    login(client, "op9")
    return client


def _email_of(run: Any, username: str) -> str:
    return run(User.select(User.email).where(User.username == username).first)["email"]


def test_operator_sets_the_notice_email(operator_page: Any, run: Any) -> None:
    page = operator_page.get("/account/notice-email")
    assert page.status_code == 200 and 'href="/account/notice-email"' in page.text
    saved = post_form(operator_page, "/account/notice-email", {"email": " op9@example.com "})
    assert saved.status_code == 200 and "通知邮箱已保存" in saved.text
    assert _email_of(run, "op9") == "op9@example.com"
    [row] = run(AuditLog.select().where(AuditLog.action == "user.notice_email"))
    assert "op9@example.com" not in str(row)  # masked in the audit log
    post_form(operator_page, "/account/notice-email", {"email": ""})
    assert _email_of(run, "op9") == ""


@pytest.mark.parametrize("bad", ["op9", "op9@", "@example.com", "张三@example.com",
                                 "a b@example.com", "x@example", "a" * 250 + "@example.com"])
def test_bad_notice_email_is_refused_and_nothing_written(operator_page: Any, run: Any,
                                                         bad: str) -> None:
    response = post_form(operator_page, "/account/notice-email", {"email": bad})
    assert response.status_code == 422
    assert "邮箱地址格式不正确" in response.text
    assert _email_of(run, "op9") == ""
    assert not run(AuditLog.exists().where(AuditLog.action == "user.notice_email"))


def test_notice_email_page_is_for_operators(client: Any, make_user: Any) -> None:
    make_user("trainee", "trainee9")
    login(client, "trainee9")
    assert client.get("/account/notice-email").status_code in (401, 403)


def test_outbox_page_names_every_topic_in_chinese(admin: Any, run: Any) -> None:
    """类别 shows a label, never a raw topic key, for every topic the code enqueues; a topic
    nobody labelled reads 其他通知."""
    from core.messages.pages import OTHER_TOPIC, TOPIC_LABELS

    for n, topic in enumerate([*TOPIC_LABELS, "something.new"]):
        run(enqueue, "sms", PHONE, f"正文{n}", kind="notice", topic=topic)
    html = admin.get("/admin/messages").text
    cells = re.findall(r"<small>([^<]*)</small>", html)
    assert set(cells) >= set(TOPIC_LABELS.values()) | {OTHER_TOPIC}
    for topic in [*TOPIC_LABELS, "something.new"]:
        assert topic not in html
    assert not [c for c in cells if re.fullmatch(r"[a-z_]+\.[a-z_.]+", c)]


def test_every_enqueued_topic_has_a_label() -> None:
    """The label map covers what the code writes: literal topics, each family of
    ``topic=f"family.{...}"`` and the one-time-code purposes (``otp.{PURPOSE}``)."""
    from pathlib import Path

    from core.messages.pages import TOPIC_LABELS

    root = Path(__file__).resolve().parents[2]
    sources = [p for d in ("core", "training", "certification", "employers")
               for p in (root / d).rglob("*.py")]
    literal, families, purposes = set(), set(), set()
    for path in sources:
        text = path.read_text(encoding="utf-8")
        if "enqueue(" in text:
            literal |= set(re.findall(r'topic="([a-z_]+\.[a-z_.]+)"', text))
            families |= set(re.findall(r'topic=f"([a-z_]+)\.\{', text))
        if "otp.send_code(" in text:
            purposes |= set(re.findall(r'^PURPOSE = "([a-z_]+)"', text, re.M))
    assert literal and families and purposes
    assert literal <= set(TOPIC_LABELS)
    assert {f"otp.{p}" for p in purposes} <= set(TOPIC_LABELS)
    for family in families:
        assert any(t.startswith(f"{family}.") for t in TOPIC_LABELS), family
