"""The audit log: written with the change, never without it, masked, browsable."""

import pytest

from core import audit, db
from core.actor import Actor
from core.errors import Conflict
from core.people import PersonInput, find_or_create_person
from core.tables import AuditLog, Person
from tests.conftest import api_token, login
from tests.core.test_accounts import ID_NUMBER


def test_audit_row_commits_with_the_change_and_masks_personal_data(client, run):
    async def create():
        async with db.transaction():
            await find_or_create_person(
                PersonInput("居民身份证", ID_NUMBER, "王芳", "13900001111"),
                Actor(7, "clerk", "hrss_officer", "10.1.2.3"),
            )

    run(create)
    rows = run(AuditLog.select().where(AuditLog.action == "person.create"))
    assert len(rows) == 1
    row = rows[0]
    assert (row["actor_id"], row["actor_name"], row["client_ip"]) == (7, "clerk", "10.1.2.3")
    text = str(row["summary"])
    assert ID_NUMBER not in text and ID_NUMBER[:4] + "*" in text


def test_failed_change_leaves_no_audit_row(client, run):
    async def create_then_fail():
        async with db.transaction():
            await find_or_create_person(
                PersonInput("居民身份证", ID_NUMBER, "王芳"), Actor.system("t")
            )
            raise Conflict("后续步骤失败")

    audited = run(AuditLog.count)  # the migrations' own examination of the data is audited
    with pytest.raises(Conflict):
        run(create_then_fail)
    assert run(Person.count) == 0
    assert run(AuditLog.count) == audited


def test_officer_filters_audit_log_in_page_and_api(client, make_user, run):
    make_user("admin", "boss")
    make_user("hrss_officer", "auditor")
    run(audit.record, Actor(1, "boss", "admin"), "thing.do", "thing", 5)
    headers = api_token(client, "auditor")
    r = client.get("/api/v1/audit", params={"actor": "boss", "action": "thing.do"}, headers=headers)
    assert r.status_code == 200
    body = r.json()
    assert body["total"] == 1 and body["items"][0]["entity_id"] == "5"
    r = client.get("/api/v1/audit", params={"entity_type": "user"}, headers=headers)
    assert r.json()["total"] == 2  # the two users created
    r = client.get("/api/v1/audit", params={"date_from": "not-a-date"}, headers=headers)
    assert r.status_code == 422 and r.json()["field"] == "date_from"
    login(client, "auditor")
    page = client.get("/audit", params={"action": "thing.do"})
    assert page.status_code == 200 and "thing #5" in page.text


def test_no_update_or_delete_route_for_audit(client, make_user):
    make_user("admin", "boss")
    headers = api_token(client, "boss")
    assert client.delete("/api/v1/audit", headers=headers).status_code == 405


def test_audit_date_filter_means_china_days(client, make_user, run, clock):
    # 2026-11-29 23:30 UTC is 2026-11-30 07:30 in China: the row belongs to 30 November.
    from datetime import UTC, datetime

    clock.set_now(datetime(2026, 11, 29, 23, 30, tzinfo=UTC))
    make_user("hrss_officer", "auditor")
    run(audit.record, Actor(1, "boss", "admin"), "thing.late", "thing", 9)

    def found(day_from: str, day_to: str) -> int:
        headers = api_token(client, "auditor")  # a fresh token at the frozen time
        r = client.get("/api/v1/audit", headers=headers, params={
            "action": "thing.late", "date_from": day_from, "date_to": day_to})
        assert r.status_code == 200, r.text
        return r.json()["total"]

    assert found("2026-11-30", "2026-11-30") == 1
    assert found("2026-11-29", "2026-11-29") == 0
    clock.set_now(datetime(2026, 11, 30, 15, 59, 59, tzinfo=UTC))  # 23:59:59 China, same day
    run(audit.record, Actor(1, "boss", "admin"), "thing.late", "thing", 10)
    clock.set_now(datetime(2026, 11, 30, 16, 0, tzinfo=UTC))  # 00:00 China on 1 December
    run(audit.record, Actor(1, "boss", "admin"), "thing.late", "thing", 11)
    assert found("2026-11-30", "2026-11-30") == 2
    assert found("2026-12-01", "2026-12-01") == 1
