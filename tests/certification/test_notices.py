"""Certificate notices to the holder go through the outbox: issued, suspended, reinstated,
revoked, by SMS to the phone on file, carrying the PUBLIC reason only (never the internal
note); a holder who opted out of reminders still gets them."""

from __future__ import annotations

from typing import Any

import pytest

from certification.notices import notice_text
from core.messages.tables import ReminderOptOut
from tests.conftest import api_token

PHONE = "13700001111"


@pytest.fixture
def officer(make_user: Any, client: Any) -> dict[str, str]:
    make_user("hrss_officer", "officer")
    return api_token(client, "officer")


def test_issued_certificate_is_announced(make_person: Any, issue_skill: Any,
                                         outbox: Any) -> None:
    person = make_person("王芳", phone=PHONE)
    cert = issue_skill(person.id)
    [message] = outbox.messages(to=PHONE)
    assert message["kind"] == "notice" and message["topic"] == "certificate.issued"
    assert message["idempotency_key"] == f"certificate:{cert.id}:issued"
    assert cert.number in message["body"] and "已颁发" in message["body"]
    assert message["person"] == person.id


def test_suspend_reinstate_revoke_carry_the_public_reason_only(
        client: Any, run: Any, make_person: Any, issue_skill: Any, officer: dict,
        outbox: Any) -> None:
    person = make_person("王芳", phone=PHONE)
    run(ReminderOptOut(person=person.id, created_at=person.created_at).save)  # not reminders
    cert = issue_skill(person.id)
    base = f"/api/v1/certification/certificates/{cert.id}"
    for step, reason in [("suspend", "投诉调查中"), ("reinstate", "调查结束"),
                         ("suspend", "再次投诉"), ("revoke", "考试舞弊")]:
        r = client.post(f"{base}/{step}", headers=officer,
                        json={"public_reason": reason, "internal_note": "举报人：张三 138"})
        assert r.status_code == 200, r.text
    rows = outbox.messages(to=PHONE)
    assert [m["topic"] for m in rows] == [
        "certificate.issued", "certificate.suspended", "certificate.reinstated",
        "certificate.suspended", "certificate.revoked"]
    assert "原因：投诉调查中" in rows[1]["body"] and "原因：再次投诉" in rows[3]["body"]
    assert "原因：考试舞弊" in rows[4]["body"]
    assert rows[4]["idempotency_key"] == f"certificate:{cert.id}:revoked"
    assert all("张三" not in m["body"] and "举报人" not in m["body"] for m in rows)


def test_no_phone_on_file_no_notice(make_person: Any, issue_skill: Any, outbox: Any) -> None:
    issue_skill(make_person("李娜").id)
    assert outbox.messages() == []


def test_recorded_credentials_are_not_announced(make_person: Any, make_credential: Any,
                                                outbox: Any) -> None:
    person = make_person("孙丽", phone=PHONE)
    make_credential(person.id, "HEALTH_CERT", outcome="pass", source="recorded")
    assert outbox.messages() == []


def test_notice_texts() -> None:
    assert notice_text("revoked", "保育师", "N1", "考试舞弊") == (
        "【托育从业人员平台】您的保育师证书（编号 N1）已撤销，原因：考试舞弊。"
        "如有疑问请联系发证机构。")
    assert notice_text("expired", "保育师", "N1") is None
