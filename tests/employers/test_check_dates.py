"""A health or background check recorded for a staff member cannot be dated after today,
China date; nothing is written on a refusal."""

from __future__ import annotations

from datetime import date

from tests.employers.conftest import link, record_check, register


def test_future_check_date_is_refused_naming_the_field(client, run, clock, operator):
    from core.tables import AuditLog, Credential, StoredFile

    clock.set_today(date(2026, 6, 1))
    staff = link(client, operator, register(client, operator), "王芳", ["caregiver"])
    before = run(Credential.count()), run(StoredFile.count()), run(AuditLog.count())
    for code, outcome in (("HEALTH_CERT", "pass"), ("BACKGROUND_CHECK", "clear")):
        r = record_check(client, operator, staff["id"], code, outcome, checked_on="2026-06-02")
        assert r.status_code == 422, r.text
        assert r.json() == {"status_code": 422, "field": "checked_on",
                            "detail": "检查日期不能晚于今天（2026-06-01）：只能登记已经发生的事"}
    assert (run(Credential.count()), run(StoredFile.count()), run(AuditLog.count())) == before
    ok = record_check(client, operator, staff["id"], "HEALTH_CERT", "pass",
                      checked_on="2026-06-01")
    assert ok.status_code == 201, ok.text


def test_a_departure_cannot_be_dated_after_today(client, run, clock, operator):
    from core.tables import AuditLog
    from employers.tables import StaffLink

    clock.set_today(date(2026, 6, 1))
    staff = link(client, operator, register(client, operator), "王芳", ["caregiver"])
    audits = run(AuditLog.count())
    r = client.post(f"/api/v1/staff-links/{staff['id']}/end", headers=operator,
                    json={"ended_on": "2026-06-30", "reason": "合同到期"})
    assert r.status_code == 422 and r.json()["field"] == "ended_on"
    assert r.json()["detail"] == "离职日期不能晚于今天（2026-06-01）：只能登记已经发生的事"
    row = run(StaffLink.select(StaffLink.status, StaffLink.ended_on).where(
        StaffLink.id == staff["id"]).first)
    assert row == {"status": "active", "ended_on": None} and run(AuditLog.count()) == audits
    assert client.post(f"/api/v1/staff-links/{staff['id']}/end", headers=operator,
                       json={"ended_on": "2026-06-01", "reason": "合同到期"}).status_code == 200
