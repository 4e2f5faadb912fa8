"""Certificate downloads for consenting employers (certification's checker), officers' XLSX
export, editing a facility, and the demo data."""

from __future__ import annotations

import io

import openpyxl

from tests.conftest import login, post_form
from tests.employers.conftest import FACILITY, link, register


def test_download_checker_admits_consenting_employer_and_logs(client, operator, make_user, run):
    from certification.access import may_download
    from core.accounts.services import load_user
    from employers.tables import CredentialAccessLog

    fid = register(client, operator)
    staff = link(client, operator, fid, "王芳", ["caregiver"], consent=False)
    user = run(load_user, 1)
    assert user.username == "op1"
    assert run(may_download, user, staff["person_id"]) is False
    client.post(f"/api/v1/staff-links/{staff['id']}/consent-form", headers=operator,
                files={"consent_form": ("c.pdf", b"%PDF-1.7\n%%EOF\n", "application/pdf")})
    assert run(may_download, user, staff["person_id"]) is True
    rows = run(CredentialAccessLog.select(CredentialAccessLog.via, CredentialAccessLog.person))
    assert rows == [{"via": "download", "person": staff["person_id"]}]
    make_user("facility_operator", "other")
    other = run(load_user, 2)
    assert run(may_download, other, staff["person_id"]) is False


def test_officer_exports_facilities_and_operator_edits(client, operator, make_user):
    fid = register(client, operator)
    login(client, "op1")
    r = post_form(client, f"/employers/facilities/{fid}/edit", {
        **{k: v for k, v in FACILITY.items() if k not in ("service_types", "for_profit")},
        "uscc": client.get(f"/api/v1/facilities/{fid}", headers=operator).json()["uscc"],
        "service_types": ["temporary"], "capacity": "-1"})
    assert r.status_code == 422 and 'id="capacity-error"' in r.text
    r = post_form(client, f"/employers/facilities/{fid}/edit", {
        **{k: v for k, v in FACILITY.items() if k not in ("service_types", "for_profit")},
        "uscc": client.get(f"/api/v1/facilities/{fid}", headers=operator).json()["uscc"],
        "service_types": ["temporary"], "capacity": "80"}, follow_redirects=True)
    assert r.status_code == 200 and "临时托" in r.text
    assert client.get("/employers/facilities/export.xlsx").status_code == 403
    make_user("edu_officer", "edux")
    login(client, "edux")
    r = client.get("/employers/facilities/export.xlsx")
    assert r.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert rows[1][0] == FACILITY["name"] and rows[1][5] == 80 and rows[1][8] == "未备案"


def test_demo_data(client, run):
    from core.demo import seed_demo
    from employers.tables import ComplianceState, Facility, StaffLink

    assert run(seed_demo) is True
    facilities = run(Facility.select(Facility.name, Facility.filing_status).order_by(Facility.id))
    assert facilities[:2] == [{"name": "宁河区芦台街示例托育园", "filing_status": "accepted"},
                          {"name": "宁河区桥北街童心托育中心", "filing_status": "none"}]
    states = run(ComplianceState.select(ComplianceState.compliant).where(
        ComplianceState.facility.is_in([1, 2])).order_by(ComplianceState.facility))
    assert [s["compliant"] for s in states] == [True, False]
    pending = run(StaffLink.select(StaffLink.person.name.as_alias("name")).where(
        (StaffLink.status == "pending_consent") & (StaffLink.facility == 1)))
    assert pending == [{"name": "李娜"}]
    login(client, "operator", "Demo2026pass")
    page = client.get("/employers/facilities/1")
    assert "健康检查过期" in page.text  # the forecast of the lapsing check
    login(client, "trainee", "Demo2026pass")
    assert "同意关联" in client.get("/employers/my").text


def test_demo_pages_for_each_role(client, run):
    from core.demo import seed_demo

    run(seed_demo)
    pages = {"operator": ["/", "/employers/facilities", "/employers/facilities/1",
                          "/employers/facilities/2", "/employers/checks",
                          "/employers/facilities/1/staff/1", "/employers/facilities/new"],
             "health": ["/", "/employers/filings", "/employers/filings/1", "/employers/calendar",
                        "/employers/facilities/2"],
             "edu": ["/employers/facilities"],
             "trainee": ["/", "/employers/my"]}
    for username, paths in pages.items():
        login(client, username, "Demo2026pass")
        for path in paths:
            r = client.get(path)
            assert r.status_code == 200, (username, path, r.status_code)
    assert "宁河区芦台街示例托育园" in client.get("/facilities/public").text
