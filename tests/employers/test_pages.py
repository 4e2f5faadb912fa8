"""Pages: registration form errors, the facility page with its live report and what-if,
credential checks (consent vs public, bulk, the person's access log), the trainee accepting a
link, the reviewer's queue, the officers' calendar."""

from __future__ import annotations

import io

import openpyxl

from core import clock
from tests.conftest import api_token, login, post_form
from tests.employers.conftest import FACILITY, documents, id_number, link, register, uscc


def test_register_page_shows_errors_next_to_fields(client, make_user):
    make_user("facility_operator", "opp")
    login(client, "opp")
    r = post_form(client, "/employers/facilities/new", {
        **{k: v for k, v in FACILITY.items() if k != "service_types"},
        "service_types": "full_day", "uscc": "91350100M000100Y44", "for_profit": "1"})
    assert r.status_code == 422
    assert 'id="uscc-error"' in r.text and "统一社会信用代码校验位不正确，请核对" in r.text
    r = post_form(client, "/employers/facilities/new", {
        **{k: v for k, v in FACILITY.items() if k != "service_types"}, "uscc": uscc()})
    assert r.status_code == 422 and "请至少选择一种服务类型" in r.text
    r = post_form(client, "/employers/facilities/new", {
        **{k: v for k, v in FACILITY.items() if k != "service_types"},
        "service_types": ["full_day", "hourly"], "uscc": uscc(), "for_profit": "1"},
        follow_redirects=True)
    assert r.status_code == 200 and FACILITY["name"] in r.text
    assert "全日托、计时托" in r.text


def test_facility_page_report_and_what_if(client, staffed, make_user):
    facility = staffed(children=9)
    login(client, "op1")
    r = client.get(f"/employers/facilities/{facility['id']}")
    assert r.status_code == 200
    assert 'data-status="non_compliant"' in r.text
    assert "需要至少 3 名合格保育人员，现有 2 名" in r.text
    r = post_form(client, f"/employers/facilities/{facility['id']}/what-if",
                  {"children_A1": "6"})
    result = r.text.split('id="what-if-result"')[1]
    assert r.status_code == 200 and 'data-status="compliant"' in result
    # Move a caregiver out: 6 infants with one caregiver fails.
    s1 = facility["people"]["s1"]["snapshot_id"]
    r = post_form(client, f"/employers/facilities/{facility['id']}/what-if",
                  {"children_A1": "6", "move_staff": s1, "move_to": ""})
    assert 'data-status="non_compliant"' in r.text.split('id="what-if-result"')[1]
    # Class change through the page re-evaluates.
    r = post_form(client, f"/employers/facilities/{facility['id']}/classes/{facility['class_id']}",
                  {"code": "A1", "type": "infant", "children": "6"}, follow_redirects=True)
    assert 'data-status="compliant"' in r.text.split('id="what-if-result"')[0]
    r = post_form(client, f"/employers/facilities/{facility['id']}/classes",
                  {"code": "", "type": "infant", "children": "3"})
    assert r.status_code == 422 and 'id="code-error"' in r.text and "请填写班级编号" in r.text


def test_checks_consent_public_and_access_log(client, operator, make_user, make_credential, run):
    from core.actor import Actor
    from core.claims.services import TraineeRegistration
    from tests.conftest import register_verified

    fid = register(client, operator)
    number = id_number()
    run(register_verified, TraineeRegistration("林晓", "居民身份证", number, "13900001111",
                                               "lin", "Secret2026pass", "Secret2026pass"),
        Actor.system("test"))
    staff = link(client, operator, fid, "林晓", ["caregiver"], consent=False, number=number,
                 phone="13900001111")  # the phone she registered with: corroborated
    cert = make_credential(staff["person_id"], "CHILDCARE_WORKER", level=4,
                           number="S0601120000012640001")
    body = {"id_number": number, "name": "林晓", "reason": "招聘核验"}
    # Pending consent: only public verification.
    r = client.post("/api/v1/credential-checks", json=body, headers=operator).json()
    assert r["basis"] == "public" and r["credentials"] == [] and r["name"] == "林*"
    r = client.post("/api/v1/credential-checks", headers=operator,
                    json={**body, "certificate_number": cert.number}).json()
    assert r["basis"] == "public" and [c["number"] for c in r["credentials"]] == [cert.number]

    # The trainee accepts on their own page.
    trainee = api_token(client, "lin")
    login(client, "lin")
    page = client.get("/employers/my")
    assert "同意关联" in page.text
    r = post_form(client, f"/employers/my/links/{staff['id']}/accept", {}, follow_redirects=True)
    assert r.status_code == 200 and "已同意关联" in r.text
    assert trainee  # token usable for the API too

    r = client.post("/api/v1/credential-checks", json=body, headers=operator).json()
    assert r["basis"] == "consent"
    assert [(c["code"], c["counts_today"]) for c in r["credentials"]] == [
        ("CHILDCARE_WORKER", True)]
    page = client.get("/employers/my")
    # the log names the organisation and what was shown, not the operator's username
    log = page.text.split("谁查看过我的证书记录")[1]
    assert "招聘核验" in log and FACILITY["name"] in log and "op1" not in log
    assert "全部证书记录" in log and "未显示任何证书" in log and "仅公开查验结果" in log

    # Bulk: one consenting, one stranger, one malformed.
    wb = openpyxl.Workbook()
    for row in (["证件类型", "证件号码", "姓名"], ["居民身份证", number, "林晓"],
                ["居民身份证", id_number(), "路人"], ["居民身份证", "123", "错号"]):
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    r = client.post("/api/v1/credential-checks/bulk", headers=operator, data={"reason": "批量核验"},
                    files={"file": ("list.xlsx", out.getvalue(), "application/octet-stream")})
    assert r.status_code == 200, r.text
    assert [(x["row"], x["basis"]) for x in r.json()] == [(2, "consent"), (3, "public"),
                                                          (4, "invalid")]
    csv_data = f"居民身份证,{number},林晓\n".encode("gbk")
    r = client.post("/api/v1/credential-checks/bulk", headers=operator, data={"reason": "x"},
                    files={"file": ("list.csv", csv_data, "text/csv")})
    assert [x["basis"] for x in r.json()] == ["consent"]

    # Leaving ends access.
    r = client.post(f"/api/v1/staff-links/{staff['id']}/end", headers=operator,
                    json={"ended_on": clock.today().isoformat(), "reason": "合同到期"})
    assert r.status_code == 200
    r = client.post("/api/v1/credential-checks", json=body, headers=operator).json()
    assert r["basis"] == "public"
    history = client.get(f"/api/v1/facilities/{fid}/staff?history=true", headers=operator).json()
    assert [s["status"] for s in history] == ["ended"]


def test_reviewer_queue_and_decision_pages(client, operator, staffed, make_user):
    facility = staffed()
    r = client.post(f"/api/v1/facilities/{facility['id']}/filings", headers=operator,
                    files=documents())
    filing_id = r.json()["id"]
    make_user("health_reviewer", "hrev")
    login(client, "hrev")
    page = client.get("/employers/filings")
    assert page.status_code == 200 and f'data-filing="{filing_id}"' in page.text
    detail = client.get(f"/employers/filings/{filing_id}")
    assert "摘要、签名与文件均一致" in detail.text
    r = post_form(client, f"/employers/filings/{filing_id}/decision",
                  {"decision": "return", "reasons": ""})
    assert r.status_code == 422 and 'id="reasons-error"' in r.text
    r = post_form(client, f"/employers/filings/{filing_id}/decision",
                  {"decision": "accept", "confirm": "1"}, follow_redirects=True)
    assert "已予备案" in r.text
    import re

    receipt = re.search(r'href="(/employers/filings/\d+/files/\d+)">下载回执', r.text).group(1)
    pdf = client.get(receipt)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_officers_maintain_the_calendar(client, make_user, operator, reviewer):
    make_user("health_reviewer", "cal")
    login(client, "cal")
    page = client.get("/employers/calendar?year=2026")
    assert "春节" in page.text
    r = post_form(client, "/employers/calendar", {"day": "2026-12-07", "kind": "makeup_workday",
                                                  "name": "调休", "source": "测试通知"})
    assert r.status_code == 422 and "调休上班日应为周六或周日" in r.text
    r = post_form(client, "/employers/calendar", {"day": "2026-12-07", "kind": "holiday",
                                                  "name": "临时放假", "source": "测试通知"},
                  follow_redirects=True)
    assert r.status_code == 200 and "2026-12-07" in r.text and "临时放假" in r.text


def test_operator_cannot_open_other_facility_pages(client, operator, make_user):
    fid = register(client, operator)
    make_user("facility_operator", "opx")
    login(client, "opx")
    assert client.get(f"/employers/facilities/{fid}").status_code == 404
    r = post_form(client, f"/employers/facilities/{fid}/classes",
                  {"code": "Z", "type": "infant", "children": "1"})
    assert r.status_code == 404


def test_openapi_still_valid(client):
    assert client.get("/schema/openapi.json").status_code == 200
