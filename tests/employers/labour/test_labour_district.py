"""Officers' district view of findings (stored, refreshed), exports, reminders."""

from __future__ import annotations

import io
from datetime import timedelta

from openpyxl import load_workbook

from tests.conftest import api_token, login


def test_officer_sees_an_operators_finding_filters_and_exports(client, make_user,
                                                               labour_world) -> None:
    from core.clock import today

    day = today()
    world = labour_world(start=day - timedelta(days=90), street="芦台街道")
    labour_world(start=day - timedelta(days=90), street="丰台镇", operator="op2")
    headers = api_token(client, world.operator)
    month = (day.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    client.post(f"/api/v1/labour/staff/{world.link_id}/wages", headers=headers, json={
        "month": month, "gross_fen": 200000, "countable_fen": 200000})
    make_user("hrss_officer", "hrss1")
    officer = api_token(client, "hrss1")
    page = client.get("/api/v1/labour/findings", headers=officer,
                      params={"code": "WAGE_BELOW_MINIMUM"}).json()
    assert page["total"] == 1
    assert page["items"][0]["facility_id"] == world.facility_id
    assert page["tally"]["WAGE_BELOW_MINIMUM"] == 1
    assert page["tally"]["NO_WRITTEN_CONTRACT"] == 2  # both links, 90 days without a contract
    street = client.get("/api/v1/labour/findings", headers=officer,
                        params={"street": "丰台镇"}).json()
    assert street["total"] >= 1
    assert all(item["facility_id"] != world.facility_id for item in street["items"])

    login(client, "hrss1")
    html = client.get("/labour/findings", params={"code": "WAGE_BELOW_MINIMUM"})
    assert html.status_code == 200 and "工资低于最低工资标准" in html.text
    export = client.get("/labour/findings.xlsx", params={"code": "WAGE_BELOW_MINIMUM"})
    assert export.status_code == 200
    assert export.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml")
    ws = load_workbook(io.BytesIO(export.content)).active
    assert [c.value for c in ws[1]][:4] == ["街镇", "托育机构", "从业人员", "问题类型"]
    assert ws.max_row == 2 and ws["D2"].value == "工资低于最低工资标准"
    facility = client.get(f"/labour/facilities/{world.facility_id}")
    assert facility.status_code == 200 and "工资低于最低工资标准" in facility.text
    sheet = client.get(f"/labour/facilities/{world.facility_id}/findings.xlsx")
    assert load_workbook(io.BytesIO(sheet.content)).active["A1"].value == "街镇"


def test_stored_findings_follow_a_change_of_the_staff_link(client, run, make_user,
                                                           labour_world) -> None:
    from core.clock import today

    day = today()
    world = labour_world(start=day - timedelta(days=5))
    make_user("hrss_officer", "hrss1")
    officer = api_token(client, "hrss1")
    first = client.get("/api/v1/labour/findings", headers=officer).json()
    assert "NO_WRITTEN_CONTRACT" not in first["tally"]
    world.move_start(day - timedelta(days=100))
    second = client.get("/api/v1/labour/findings", headers=officer).json()
    assert second["tally"].get("NO_WRITTEN_CONTRACT") == 1


def test_operator_reminders_list_credentials_health_checks_and_contracts(
        client, make_credential, labour_world) -> None:
    from core.clock import today

    day = today()
    world = labour_world(start=day - timedelta(days=200))
    make_credential(world.person_id, "SECURITY_LICENSE", issued_on=day - timedelta(days=300),
                    expires_on=day + timedelta(days=20))
    make_credential(world.person_id, "HEALTH_CERT", issued_on=day - timedelta(days=330),
                    outcome="pass", source="recorded")
    headers = api_token(client, world.operator)
    client.post(f"/api/v1/labour/staff/{world.link_id}/contracts", headers=headers, json={
        "type": "fixed", "signed_on": (day - timedelta(days=200)).isoformat(),
        "start": (day - timedelta(days=200)).isoformat(),
        "end": (day + timedelta(days=45)).isoformat()})
    login(client, world.operator)
    page = client.get("/labour/reminders")
    assert page.status_code == 200
    assert "保安员证" in page.text or "SECURITY_LICENSE" in page.text
    assert "健康检查" in page.text and "劳动合同" in page.text
    assert "30 天内" in page.text and "60 天内" in page.text
    assert client.get("/labour").status_code == 200


def test_trainee_sees_own_reminders(client, make_credential, labour_world) -> None:
    from core.clock import today

    day = today()
    world = labour_world(start=day - timedelta(days=30), trainee="tr_self")
    make_credential(world.person_id, "HEALTH_CERT", issued_on=day - timedelta(days=350),
                    outcome="pass", source="recorded")
    login(client, "tr_self")
    page = client.get("/me/reminders")
    assert page.status_code == 200 and "健康检查" in page.text
