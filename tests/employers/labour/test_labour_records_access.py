"""Who may enter and correct labour records; every change audited; failures write nothing."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook

from tests.conftest import api_token, login, post_form

WAGE = {"month": "2026-01", "gross_fen": 300000, "countable_fen": 280000}


def _audit_rows(run, action: str) -> list[dict]:
    from core.tables import AuditLog

    return run(AuditLog.select().where(AuditLog.action == action))


def _count(run, table) -> int:  # type: ignore[no-untyped-def]
    return run(table.count())


def test_operator_of_another_facility_gets_404_and_nothing_is_written(
        client, run, labour_world) -> None:
    from employers.labour.tables import WageEntry

    world = labour_world()
    other = labour_world(operator="op_other")
    headers = api_token(client, other.operator)
    assert client.get(f"/api/v1/labour/staff/{world.link_id}", headers=headers).status_code == 404
    response = client.post(f"/api/v1/labour/staff/{world.link_id}/wages", headers=headers,
                           json=WAGE)
    assert response.status_code == 404
    assert _count(run, WageEntry) == 0
    facility = client.get(f"/api/v1/labour/facilities/{world.facility_id}/findings",
                          headers=headers)
    assert facility.status_code == 404
    login(client, other.operator)
    assert client.get(f"/labour/staff/{world.link_id}").status_code == 404
    assert client.get(f"/labour/facilities/{world.facility_id}/register").status_code == 404


def test_trainee_and_other_bureaus_cannot_use_labour_records(client, make_user,
                                                             labour_world) -> None:
    world = labour_world()
    make_user("trainee", "tr1")
    make_user("edu_officer", "edu1")
    for username in ("tr1", "edu1"):
        headers = api_token(client, username)
        assert client.get(f"/api/v1/labour/staff/{world.link_id}",
                          headers=headers).status_code == 403
        assert client.get("/api/v1/labour/findings", headers=headers).status_code == 403


def test_write_is_audited_in_the_same_transaction(client, run, labour_world) -> None:
    world = labour_world()
    headers = api_token(client, world.operator)
    response = client.post(f"/api/v1/labour/staff/{world.link_id}/wages", headers=headers,
                           json=WAGE)
    assert response.status_code == 201
    rows = _audit_rows(run, "labour.wage.create")
    assert len(rows) == 1 and rows[0]["actor_name"] == world.operator
    assert rows[0]["entity_id"] == str(response.json()["id"])


def test_bad_input_names_the_field_and_writes_nothing(client, run, labour_world) -> None:
    from employers.labour.tables import LabourContract, WageEntry

    world = labour_world()
    headers = api_token(client, world.operator)
    bad = client.post(f"/api/v1/labour/staff/{world.link_id}/wages", headers=headers,
                      json={**WAGE, "countable_fen": 400000})
    assert bad.status_code == 422 and bad.json()["field"] == "countable_fen"
    bad = client.post(f"/api/v1/labour/staff/{world.link_id}/wages", headers=headers,
                      json={**WAGE, "month": "2026-13"})
    assert bad.status_code == 422 and bad.json()["field"] == "month"
    bad = client.post(f"/api/v1/labour/staff/{world.link_id}/contracts", headers=headers,
                      json={"type": "fixed", "signed_on": "2026-01-01", "start": "2026-01-01"})
    assert bad.status_code == 422 and bad.json()["field"] == "end"
    assert _count(run, WageEntry) == 0 and _count(run, LabourContract) == 0
    assert _audit_rows(run, "labour.wage.create") == []


def test_officer_correction_needs_a_reason_and_is_audited(client, run, make_user,
                                                           labour_world) -> None:
    world = labour_world()
    operator = api_token(client, world.operator)
    wage_id = client.post(f"/api/v1/labour/staff/{world.link_id}/wages", headers=operator,
                          json=WAGE).json()["id"]
    make_user("hrss_officer", "hrss1")
    officer = api_token(client, "hrss1")
    refused = client.put(f"/api/v1/labour/wages/{wage_id}", headers=officer,
                         json={**WAGE, "countable_fen": 200000})
    assert refused.status_code == 422 and refused.json()["field"] == "reason"
    done = client.put(f"/api/v1/labour/wages/{wage_id}", headers=officer,
                      json={**WAGE, "countable_fen": 200000, "reason": "核对工资单后更正"})
    assert done.status_code == 200
    rows = _audit_rows(run, "labour.wage.update")
    assert len(rows) == 1
    summary = rows[0]["summary"]
    summary = summary if isinstance(summary, dict) else __import__("json").loads(summary)
    assert "核对工资单后更正" in summary["note"]
    assert summary["before"]["countable_fen"] == 280000
    assert summary["after"]["countable_fen"] == 200000
    file = client.get(f"/api/v1/labour/staff/{world.link_id}", headers=officer).json()
    assert file["wages"][0]["countable_fen"] == 200000


def test_operator_records_wages_through_the_page(client, run, labour_world) -> None:
    from employers.labour.tables import WageEntry

    world = labour_world()
    login(client, world.operator)
    page = client.get(f"/labour/staff/{world.link_id}")
    assert page.status_code == 200 and "工资记录" in page.text
    bad = post_form(client, f"/labour/staff/{world.link_id}/wages",
                    {"month": "2026-01", "gross": "3000.123", "countable": "2800"})
    assert bad.status_code == 422
    assert 'id="gross-error"' in bad.text
    assert _count(run, WageEntry) == 0
    ok = post_form(client, f"/labour/staff/{world.link_id}/wages",
                   {"month": "2026-01", "gross": "3,000", "countable": "2800.50",
                    "pay_date": "2026-02-10"}, follow_redirects=False)
    assert ok.status_code in (302, 303)
    rows = run(WageEntry.select())
    assert rows[0]["gross_fen"] == 300000 and rows[0]["countable_fen"] == 280050


def test_register_shows_full_id_to_operator_and_exports_with_chinese_headers(
        client, labour_world) -> None:
    world = labour_world()
    headers = api_token(client, world.operator)
    client.put(f"/api/v1/labour/staff/{world.link_id}/record", headers=headers, json={
        "form": "full_time", "registered_address": "天津市宁河区芦台镇",
        "current_address": "光明路1号",
        "contact": "13820001234"})
    rows = client.get(f"/api/v1/labour/facilities/{world.facility_id}/register",
                      headers=headers).json()
    assert rows[0]["id_number"] == world.id_number
    login(client, world.operator)
    export = client.get(f"/labour/facilities/{world.facility_id}/register.xlsx")
    assert export.status_code == 200
    ws = load_workbook(io.BytesIO(export.content)).active
    assert [c.value for c in ws[1]][:4] == ["姓名", "性别", "证件号码", "户籍地址"]
    assert ws["C2"].value == world.id_number and ws["A2"].value == world.name


def test_minimum_wage_is_maintained_by_officers(client, run, make_user, labour_world) -> None:
    world = labour_world()
    make_user("hrss_officer", "hrss1")
    refused = client.post("/api/v1/labour/minimum-wages", headers=api_token(client, world.operator),
                          json={"effective_from": "2027-01-01", "monthly_fen": 260000,
                                "hourly_fen": 2800, "source": "测试通知"})
    assert refused.status_code == 403
    officer = api_token(client, "hrss1")
    created = client.post("/api/v1/labour/minimum-wages", headers=officer,
                          json={"effective_from": "2027-01-01", "monthly_fen": 260000,
                                "hourly_fen": 2800, "source": "测试通知"})
    assert created.status_code == 201
    rates = client.get("/api/v1/labour/minimum-wages", headers=officer).json()
    assert rates[0]["effective_from"] == "2027-01-01"
    assert len(_audit_rows(run, "labour.minimum_wage.save")) == 1
    again = client.post("/api/v1/labour/minimum-wages", headers=officer,
                        json={"effective_from": "2025-09-01", "monthly_fen": 1,
                              "hourly_fen": 1, "source": "x"})
    assert again.status_code == 409


def test_openapi_still_builds(client) -> None:
    schema = client.get("/schema/openapi.json")
    assert schema.status_code == 200
    assert "/api/v1/labour/staff/{link_id}/wages" in schema.json()["paths"]


def test_today_is_a_date() -> None:
    from core.clock import today

    assert isinstance(today(), date)


def test_contact_phone_is_masked_in_the_audit_log(client, run, labour_world) -> None:
    world = labour_world()
    headers = api_token(client, world.operator)
    response = client.put(f"/api/v1/labour/staff/{world.link_id}/record", headers=headers,
                          json={"form": "full_time", "contact": "13820001234"})
    assert response.status_code == 200
    row = _audit_rows(run, "labour.record.save")[0]
    assert "13820001234" not in str(row["summary"])
