"""The daily reminder pass (employers.labour.notices, the labour package's ``reminders`` task):
an SMS to the person before a certificate or health check expires or a labour contract ends,
once per item, not to a person who opted out or has no phone, and written by the hourly
housekeeping the composition runs."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from core import housekeeping, wiring
from core.messages.tables import Message, ReminderOptOut
from employers.labour import notices
from employers.labour.tables import LabourContract
from tests.employers.conftest import id_number, link, register

PHONE = "13912345678"


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


def test_the_hourly_housekeeping_sends_the_reminders_once(run: Any, clock: Any,
                                                          make_person: Any,
                                                          make_credential: Any,
                                                          client: Any) -> None:
    today = date(2026, 9, 1)
    clock.set_today(today)
    person = make_person("陈静", phone=PHONE)
    make_credential(person.id, "CHILDCARE_WORKER", level=4, issued_on=date(2023, 9, 20),
                    expires_on=today + timedelta(days=3), number="ZS20230002")
    assert [t.name for t in wiring.current().tasks].count("reminders") == 1
    notices._last_run = None
    run(housekeeping.run_once, client.app)  # what the worker runs every hour
    run(housekeeping.run_once, client.app)
    [row] = _reminders(run)
    assert row["topic"] == "reminder.credential" and "ZS20230002" in row["body"]
    assert row["recipient"] == PHONE and row["person"] == person.id
