"""Notices and reminders of the employers package go through the outbox: a consent request by
SMS to the person, a filing returned / accepted to the facility's operators (e-mail when their
account has one), and the daily reminder pass (certificates and health checks expiring,
contracts ending), once per item and not to a person who opted out."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from core.messages.tables import Message, ReminderOptOut
from core.tables import User
from employers import notices
from employers.labour.tables import LabourContract
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


def _reminders(run: Any) -> list[dict]:
    return run(Message.select().where(Message.kind == "reminder").order_by(Message.id))


def test_daily_pass_reminds_once_per_item(client: Any, run: Any, clock: Any, operator: dict,
                                          make_person: Any, make_credential: Any) -> None:
    today = date(2026, 9, 1)
    clock.set_today(today)
    number = id_number()
    person = make_person("郑丽", number, phone=PHONE)
    make_credential(person.id, "CHILDCARE_WORKER", level=4, issued_on=date(2023, 9, 20),
                    expires_on=today + timedelta(days=20), number="ZS20230001")
    make_credential(person.id, "CAREGIVER_TRAINING", issued_on=date(2025, 1, 1),
                    expires_on=today + timedelta(days=200))  # not yet
    fid = register(client, operator)
    staff = link(client, operator, fid, "郑丽", ["caregiver"], number=number)
    run(LabourContract(staff_link=staff["id"], type="fixed", signed_on=date(2025, 9, 1),
                       start=date(2025, 9, 1), end=today + timedelta(days=10),
                       created_at=clock.now()).save)
    assert run(notices.send_due_reminders, today) == 2
    rows = _reminders(run)
    topics = sorted(r["topic"] for r in rows)
    assert topics == ["reminder.contract", "reminder.credential"]
    credential = next(r for r in rows if r["topic"] == "reminder.credential")
    assert "ZS20230001" in credential["body"] and "20 天后（2026-09-21）" in credential["body"]
    assert all(r["recipient"] == PHONE and r["person"] == person.id for r in rows)
    # the next day's pass (and another worker's) writes nothing new
    assert run(notices.send_due_reminders, today + timedelta(days=1)) == 0
    assert run(notices.send_due_reminders, today + timedelta(days=1)) == 0
    assert len(_reminders(run)) == 2


def test_health_check_expiry_is_reminded(client: Any, run: Any, clock: Any,
                                         make_person: Any, make_credential: Any) -> None:
    from employers.compliance.qualifications import health_check_valid_through
    from employers.compliance.rules import rules_in_force

    checked = date(2025, 9, 10)
    through = health_check_valid_through(checked, rules_in_force(checked))
    today = through - timedelta(days=15)
    clock.set_today(today)
    person = make_person("钱红", phone=PHONE)
    make_credential(person.id, "HEALTH_CERT", issued_on=checked, outcome="pass",
                    source="recorded")
    assert run(notices.send_due_reminders, today) == 1
    [row] = _reminders(run)
    assert row["topic"] == "reminder.health_check" and "健康检查" in row["body"]


def test_opted_out_person_gets_no_reminders(run: Any, clock: Any, make_person: Any,
                                            make_credential: Any) -> None:
    today = date(2026, 9, 1)
    clock.set_today(today)
    person = make_person("吴静", phone=PHONE)
    make_credential(person.id, "CHILDCARE_WORKER", level=4, issued_on=date(2023, 9, 20),
                    expires_on=today + timedelta(days=5))
    run(ReminderOptOut(person=person.id, created_at=clock.now()).save)
    assert run(notices.send_due_reminders, today) == 0
    assert _reminders(run) == []


def test_no_phone_no_reminder_and_far_items_wait(run: Any, clock: Any, make_person: Any,
                                                 make_credential: Any) -> None:
    today = date(2026, 9, 1)
    clock.set_today(today)
    silent = make_person("周慧")
    make_credential(silent.id, "CHILDCARE_WORKER", level=4, issued_on=date(2023, 9, 20),
                    expires_on=today + timedelta(days=5))
    later = make_person("冯敏", phone=PHONE)
    make_credential(later.id, "CHILDCARE_WORKER", level=4, issued_on=date(2023, 9, 20),
                    expires_on=today + timedelta(days=45))
    assert run(notices.send_due_reminders, today) == 0
    assert run(notices.send_due_reminders, today + timedelta(days=15)) == 1  # 30 days ahead


def test_daily_task_runs_once_per_day(run: Any, clock: Any) -> None:
    clock.set_today(date(2026, 9, 1))
    notices._last_run = None
    run(notices.daily_reminders)
    assert notices._last_run == date(2026, 9, 1)
    clock.set_today(date(2026, 9, 2))
    run(notices.daily_reminders)
    assert notices._last_run == date(2026, 9, 2)
