"""Notices of the employers package go through the outbox: a consent request by SMS to the
person, and a filing returned / accepted to the facility's operators (e-mail when their account
has one). The daily reminders are the labour package's (tests/employers/labour)."""

from __future__ import annotations

from typing import Any

from core.tables import User
from tests.employers.conftest import documents, id_number, link, register

PHONE = "13912345678"


def test_a_staff_link_asks_the_person_for_consent_by_sms(client: Any, operator: dict,
                                                         make_person: Any, outbox: Any) -> None:
    number = id_number()
    person = make_person("刘洋", number, phone=PHONE)
    fid = register(client, operator, name="宁河区测试托育园")
    row = link(client, operator, fid, "刘洋", ["caregiver"], consent=False, number=number)
    [message] = outbox.messages(to=PHONE)
    assert message["kind"] == "notice" and message["topic"] == "consent.requested"
    assert message["idempotency_key"] == f"consent:{row['id']}:requested"
    assert "机构“宁河区测试托育园”请求查看您的从业资质" in message["body"]
    assert "在“我的任职与查询记录”中同意或拒绝" in message["body"]
    assert message["person"] == person.id


def test_no_phone_no_consent_sms(client: Any, operator: dict, outbox: Any) -> None:
    fid = register(client, operator)
    link(client, operator, fid, "无手机", ["caregiver"], consent=False)
    assert outbox.messages() == []


def test_filing_returned_and_accepted_are_mailed_to_operators(
        client: Any, run: Any, operator: dict, reviewer: dict, staffed: Any,
        outbox: Any) -> None:
    run(User.update({User.email: "op1@example.com"}).where(User.username == "op1"))
    fid = staffed()["id"]
    first = client.post(f"/api/v1/facilities/{fid}/filings", headers=operator,
                        files=documents()).json()
    r = client.post(f"/api/v1/filings/{first['id']}/return", headers=reviewer,
                    json={"reasons": "消防证明已过期，请补充"})
    assert r.status_code == 200
    [returned] = outbox.messages(to="op1@example.com")
    assert returned["channel"] == "email" and returned["topic"] == "filing.returned"
    assert "退回原因：消防证明已过期，请补充" in returned["body"]
    assert returned["subject"].startswith("备案被退回")
    second = client.post(f"/api/v1/facilities/{fid}/filings", headers=operator,
                         files=documents()).json()
    receipt = client.post(f"/api/v1/filings/{second['id']}/accept",
                          headers=reviewer).json()["receipt_number"]
    accepted = outbox.messages(to="op1@example.com")[-1]
    assert accepted["topic"] == "filing.accepted" and receipt in accepted["body"]
    assert accepted["idempotency_key"] == f"filing:{second['id']}:accepted:0"


def test_filing_notice_without_an_address_writes_nothing(client: Any, operator: dict,
                                                         reviewer: dict, staffed: Any,
                                                         outbox: Any) -> None:
    fid = staffed()["id"]
    filing = client.post(f"/api/v1/facilities/{fid}/filings", headers=operator,
                         files=documents()).json()
    assert client.post(f"/api/v1/filings/{filing['id']}/accept",
                       headers=reviewer).status_code == 200
    assert [m for m in outbox.messages() if m["topic"].startswith("filing.")] == []
