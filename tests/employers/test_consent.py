"""Consent both ways: a person refuses a request or withdraws a consent (in
their account, or a 人社局 officer on their written request); the employer's view ends at once,
the staff link stays ("本人已撤回授权"), the compliance rules fail with that reason, submitted
filings keep their snapshot; every check of an identified person is logged by organisation."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import openpyxl
import pytest

from tests.conftest import PASSWORD, api_token, login, post_form
from tests.employers.conftest import PDF, documents, link, register

WITHDRAWN = "本人已撤回授权"


@pytest.fixture
def bind(client: Any, run: Callable[..., Any]) -> Callable[..., dict[str, str]]:
    """A trainee account bound to an existing Person (as after a verified claim)."""
    from core.accounts.services import NewUser, create_user
    from core.actor import Actor

    def factory(person_id: int, username: str) -> dict[str, str]:
        run(create_user, NewUser(username, PASSWORD, "trainee", "学员", None, person_id),
            Actor.system("test"))
        return api_token(client, username)

    return factory


def _link_row(run: Callable, link_id: int) -> dict:
    from employers.tables import StaffLink

    return run(StaffLink.select(StaffLink.status, StaffLink.consent).where(
        StaffLink.id == link_id).first())


def _history(run: Callable, link_id: int) -> list[dict]:
    from employers.tables import StaffConsent

    return run(StaffConsent.select().where(StaffConsent.staff_link == link_id).order_by(
        StaffConsent.id))


def _log(run: Callable, person_id: int) -> list[dict]:
    from employers.tables import CredentialAccessLog

    return run(CredentialAccessLog.select(
        CredentialAccessLog.basis, CredentialAccessLog.via, CredentialAccessLog.shown,
        CredentialAccessLog.organisation, CredentialAccessLog.facility).where(
        CredentialAccessLog.person == person_id).order_by(CredentialAccessLog.id))


def test_refuse_a_request_through_api_and_page(client, operator, bind, run):
    fid = register(client, operator)
    first = link(client, operator, fid, "林晓", ["caregiver"], consent=False)
    trainee = bind(first["person_id"], "lin")
    stranger = bind(link(client, operator, fid, "路人", ["caregiver"],
                         consent=False)["person_id"], "lulu")

    # Someone else cannot refuse it; nothing changes.
    r = client.post(f"/api/v1/staff-links/{first['id']}/refuse", headers=stranger)
    assert r.status_code == 404
    assert _link_row(run, first["id"])["status"] == "pending_consent"
    assert _history(run, first["id"]) == []

    r = client.post(f"/api/v1/staff-links/{first['id']}/refuse", headers=trainee)
    assert r.status_code == 200, r.text
    assert _link_row(run, first["id"]) == {"status": "consent_refused", "consent": None}
    [row] = _history(run, first["id"])
    assert row["refused_at"] is not None and row["given_at"] is None
    # Refused is final for this request: neither refused again nor consented by a form.
    r = client.post(f"/api/v1/staff-links/{first['id']}/refuse", headers=trainee)
    assert r.status_code == 409 and r.json()["detail"] == "该关联不在待同意状态"
    r = client.post(f"/api/v1/staff-links/{first['id']}/consent-form", headers=operator,
                    files={"consent_form": ("c.pdf", PDF, "application/pdf")})
    assert r.status_code == 409
    assert len(_history(run, first["id"])) == 1
    staff = client.get(f"/api/v1/facilities/{fid}/staff", headers=operator).json()
    assert next(s for s in staff if s["id"] == first["id"])["status"] == "consent_refused"

    # On the page: another facility's request, refused with a confirmation.
    third_fid = register(client, operator)
    r = client.post(f"/api/v1/facilities/{third_fid}/staff", headers=operator, json={
        "id_type": "居民身份证", "id_number": _id_of(run, first["person_id"]), "name": "林晓",
        "positions": ["caregiver"], "employment": "full_time", "started_on": "2026-01-05",
        "management_years": 0})
    assert r.status_code == 201, r.text
    third = r.json()["id"]
    login(client, "lin")
    page = client.get("/employers/my")
    assert f'action="/employers/my/links/{third}/refuse"' in page.text
    assert "data-confirm=" in page.text.split(f"/links/{third}/refuse")[1].split("</form>")[0]
    r = post_form(client, f"/employers/my/links/{third}/refuse", {}, follow_redirects=True)
    assert r.status_code == 200 and "已拒绝关联" in r.text
    assert _link_row(run, third)["status"] == "consent_refused"
    assert "我的授权记录" in r.text and r.text.count("data-consent=") == 2


def _id_of(run: Callable, person_id: int) -> str:
    from core.tables import Person

    return run(Person.select(Person.id_number).where(Person.id == person_id).first())[
        "id_number"]


def test_withdrawal_ends_the_view_fails_rules_and_keeps_submitted_filing(
        client, operator, staffed, bind, make_credential, run):
    from certification.access import may_download
    from core.accounts.services import load_user
    from employers.tables import Filing

    facility = staffed()
    fid, s1 = facility["id"], facility["people"]["s1"]
    assert client.get(f"/api/v1/facilities/{fid}/compliance",
                      headers=operator).json()["compliant"] is True
    r = client.post(f"/api/v1/facilities/{fid}/filings", headers=operator, files=documents())
    assert r.status_code == 201, r.text
    filing_id = r.json()["id"]
    frozen = run(Filing.select(Filing.snapshot, Filing.report).where(
        Filing.id == filing_id).output(load_json=True).first())

    cert = make_credential(s1["person_id"], "CHILDCARE_WORKER", level=3,
                           number="S0601120000012640077")
    bind(s1["person_id"], "wangfang")
    login(client, "wangfang")
    page = client.get("/employers/my")
    form = page.text.split(f"/employers/my/links/{s1['id']}/withdraw")[1].split("</form>")[0]
    assert "撤回授权" in form and "data-confirm=" in form
    r = post_form(client, f"/employers/my/links/{s1['id']}/withdraw", {}, follow_redirects=True)
    assert r.status_code == 200 and "已撤回授权" in r.text
    assert _link_row(run, s1["id"])["status"] == "consent_withdrawn"
    [row] = _history(run, s1["id"])
    assert row["given_at"] is not None and row["how"] == "form_uploaded"
    assert row["withdrawn_at"] is not None and row["withdrawn_via"] == "person"

    # The operator's check shows only the public result, and is logged by organisation.
    body = {"id_number": _id_of(run, s1["person_id"]), "name": "王芳", "reason": "复核资质",
            "certificate_number": cert.number}
    r = client.post("/api/v1/credential-checks", json=body, headers=operator).json()
    assert r["basis"] == "public" and [c["number"] for c in r["credentials"]] == [cert.number]
    facility_name = client.get(f"/api/v1/facilities/{fid}", headers=operator).json()["name"]
    assert _log(run, s1["person_id"])[-1] == {
        "basis": "public", "via": "check", "shown": "public_result",
        "organisation": facility_name, "facility": fid}
    # Downloads and the staff page end too.
    operator_user = run(load_user, 1)
    assert run(may_download, operator_user, s1["person_id"]) is False

    # The person's log names the organisation and what was shown, never the username.
    page = client.get("/employers/my")
    log = page.text.split("谁查看过我的证书记录")[1]
    assert facility_name in log and "仅公开查验结果" in log and "op1" not in log

    login(client, "op1")
    page = client.get(f"/employers/facilities/{fid}")
    row_html = page.text.split(f'data-link="{s1["id"]}"')[1].split("</tr>")[0]
    assert WITHDRAWN in row_html and "重新请求本人同意" in row_html
    page = client.get(f"/employers/facilities/{fid}/staff/{s1['id']}")
    assert WITHDRAWN in page.text and cert.number not in page.text

    # The roster keeps her, without credentials; her rules fail with the reason.
    snapshot = client.get(f"/api/v1/facilities/{fid}/snapshot", headers=operator).json()
    member = next(s for s in snapshot["staff"] if s["id"] == f"s{s1['id']}")
    assert member["credentials"] == [] and member["credentials_withheld"] == "consent_withdrawn"
    assert member["health_check_on"] is None and member["background_check"] == "missing"
    report = client.get(f"/api/v1/facilities/{fid}/compliance", headers=operator).json()
    assert report["compliant"] is False
    rules = {r["code"]: r for r in report["rules"]}
    for code in ("CAREGIVER_QUALIFIED", "HEALTH_CHECK", "BACKGROUND"):
        assert rules[code]["status"] == "fail"
        assert rules[code]["subjects"] == [f"s{s1['id']}"]
        assert WITHDRAWN in rules[code]["message"], rules[code]["message"]
    assert "王芳" in rules["CAREGIVER_QUALIFIED"]["message"]
    assert "缺少" not in rules["CAREGIVER_QUALIFIED"]["message"].split("。")[0]

    # The filing submitted before keeps its frozen snapshot and report.
    assert run(Filing.select(Filing.snapshot, Filing.report).where(
        Filing.id == filing_id).output(load_json=True).first()) == frozen
    assert any(s["credentials"] for s in frozen["snapshot"]["staff"]
               if s["id"] == f"s{s1['id']}")


def test_withdraw_api_and_relink_needs_new_consent(client, operator, bind, run):
    fid = register(client, operator)
    staff = link(client, operator, fid, "赵雪", ["caregiver"], consent=False)
    trainee = bind(staff["person_id"], "zhao")
    r = client.post(f"/api/v1/staff-links/{staff['id']}/withdraw-consent", headers=trainee)
    assert r.status_code == 409 and r.json()["detail"] == "该关联当前没有有效的授权，无需撤回"
    assert client.post(f"/api/v1/staff-links/{staff['id']}/accept",
                       headers=trainee).status_code == 200
    r = client.post(f"/api/v1/staff-links/{staff['id']}/withdraw-consent", headers=trainee)
    assert r.status_code == 200, r.text
    assert _link_row(run, staff["id"])["status"] == "consent_withdrawn"
    body = {"id_number": _id_of(run, staff["person_id"]), "name": "赵雪", "reason": "核验"}
    assert client.post("/api/v1/credential-checks", json=body,
                       headers=operator).json()["basis"] == "public"

    # Re-linking is a new request that needs a new consent.
    r = client.post(f"/api/v1/staff-links/{staff['id']}/consent-request", headers=operator)
    assert r.status_code == 200, r.text
    assert _link_row(run, staff["id"]) == {"status": "pending_consent", "consent": None}
    assert client.post("/api/v1/credential-checks", json=body,
                       headers=operator).json()["basis"] == "public"
    assert client.post(f"/api/v1/staff-links/{staff['id']}/accept",
                       headers=trainee).status_code == 200
    assert client.post("/api/v1/credential-checks", json=body,
                       headers=operator).json()["basis"] == "consent"
    history = client.get("/api/v1/staff-links/my-consents", headers=trainee).json()
    assert [(h["how"], h["withdrawn_via"]) for h in history] == [
        ("trainee_accepted", None), ("trainee_accepted", "person")]
    assert {h["facility_id"] for h in history} == {fid}
    shown = [row["shown"] for row in _log(run, staff["person_id"])]
    assert shown == ["nothing", "nothing", "full"]


def test_officer_withdraws_paper_consent_on_written_request(client, operator, make_user, run):
    from core.tables import AuditLog

    fid = register(client, operator)
    staff = link(client, operator, fid, "钱红", ["caregiver"])  # signed paper form
    make_user("hrss_officer", "hr1")
    officer = api_token(client, "hr1")
    url = f"/api/v1/staff-links/{staff['id']}/officer-withdrawal"
    scan = {"scan": ("request.pdf", PDF, "application/pdf")}

    # The operator may not; a missing reference or scan writes nothing.
    assert client.post(url, headers=operator, data={"reference": "X"},
                       files=scan).status_code == 403
    r = client.post(url, headers=officer, data={"reference": "  "}, files=scan)
    assert r.status_code == 422 and r.json()["field"] == "reference"
    assert r.json()["detail"] == "请填写本人书面申请的编号"
    r = client.post(url, headers=officer, data={"reference": "宁人社收〔2026〕12号"},
                    files={"scan": ("request.txt", b"not a scan", "text/plain")})
    assert r.status_code == 422 and r.json()["field"] == "scan"
    assert _link_row(run, staff["id"])["status"] == "active"
    assert _history(run, staff["id"])[0]["withdrawn_at"] is None

    r = client.post(url, headers=officer, data={"reference": "宁人社收〔2026〕12号"}, files=scan)
    assert r.status_code == 200, r.text
    assert _link_row(run, staff["id"])["status"] == "consent_withdrawn"
    [row] = _history(run, staff["id"])
    assert row["withdrawn_via"] == "officer_written_request"
    assert row["withdrawal_reference"] == "宁人社收〔2026〕12号"
    assert row["withdrawal_file"] is not None and row["withdrawn_by_user"] is not None
    audit = run(AuditLog.select(AuditLog.actor_name, AuditLog.action).where(
        AuditLog.entity_type == "staff_link").where(
        AuditLog.action == "staff_link.consent_withdraw"))
    assert audit == [{"actor_name": "hr1", "action": "staff_link.consent_withdraw"}]
    assert client.post(url, headers=officer, data={"reference": "再次"},
                       files=scan).status_code == 409


def test_officer_withdrawal_page(client, operator, make_user, run):
    fid = register(client, operator)
    staff = link(client, operator, fid, "孙倩", ["caregiver"])
    make_user("hrss_officer", "hr1")
    login(client, "hr1")
    url = f"/employers/facilities/{fid}/staff/{staff['id']}"
    page = client.get(url)
    form = page.text.split("依本人书面申请撤回授权")[1].split("</form>")[0]
    assert 'name="reference"' in form and 'name="scan"' in form and "data-confirm=" in form
    r = post_form(client, f"{url}/officer-withdrawal", {"reference": ""},
                  files={"scan": ("r.pdf", PDF, "application/pdf")})
    assert r.status_code == 422 and "请填写本人书面申请的编号" in r.text
    assert _link_row(run, staff["id"])["status"] == "active"
    r = post_form(client, f"{url}/officer-withdrawal", {"reference": "收文 7 号"},
                  files={"scan": ("r.pdf", PDF, "application/pdf")}, follow_redirects=True)
    assert r.status_code == 200 and WITHDRAWN in r.text and "收文 7 号" in r.text
    assert _link_row(run, staff["id"])["status"] == "consent_withdrawn"


def test_every_identified_check_is_logged_single_and_bulk(client, operator, run):
    fid = register(client, operator)
    facility_name = client.get(f"/api/v1/facilities/{fid}", headers=operator).json()["name"]
    stranger = link(client, operator, register(client, operator), "路人甲", ["caregiver"],
                    consent=False)
    number = _id_of(run, stranger["person_id"])
    body = {"id_number": number, "name": "路人甲", "reason": "招聘核验"}
    r = client.post("/api/v1/credential-checks", json=body, headers=operator).json()
    assert r["basis"] == "public" and r["credentials"] == []
    # A wrong name identifies nobody: nothing to log.
    client.post("/api/v1/credential-checks", json={**body, "name": "别人"}, headers=operator)

    wb = openpyxl.Workbook()
    for row in (["证件类型", "证件号码", "姓名"], ["居民身份证", number, "路人甲"],
                ["居民身份证", "120221199001010011", "无此人"]):
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    r = client.post("/api/v1/credential-checks/bulk", headers=operator, data={"reason": "批量"},
                    files={"file": ("list.xlsx", buffer.getvalue(), "application/octet-stream")})
    assert r.status_code == 200, r.text
    log = _log(run, stranger["person_id"])
    # the operator runs two facilities: the log names both
    assert [(e["via"], e["basis"], e["shown"]) for e in log] == [
        ("check", "public", "nothing"), ("bulk", "public", "nothing")]
    assert facility_name in log[0]["organisation"] and log[0]["facility"] is None


def test_backfill_turns_existing_consents_into_history(client, operator, run):
    from datetime import UTC, datetime

    from employers.services.consents import backfill
    from employers.tables import CredentialAccessLog, StaffConsent, StaffLink

    fid = register(client, operator)
    given = link(client, operator, fid, "旧同意", ["caregiver"])
    pending = link(client, operator, fid, "未同意", ["caregiver"], consent=False)
    # As before the history existed: the link's consent only, a view without organisation.
    at = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    run(StaffConsent.delete(force=True))
    run(StaffLink.update({StaffLink.consent_at: at}).where(StaffLink.id == given["id"]))
    run(CredentialAccessLog(at=at, person=given["person_id"], viewer_id=1, viewer_name="op1",
                            facility=fid, reason="旧记录", basis="consent", via="check",
                            organisation="").save())
    assert run(backfill) == (1, 1)
    [row] = _history(run, given["id"])
    assert row["given_at"] == at and row["how"] == "form_uploaded" and row["file"] is not None
    assert row["person"] == given["person_id"] and row["facility"] == fid
    assert row["withdrawn_at"] is None and _history(run, pending["id"]) == []
    assert _log(run, given["person_id"])[0]["organisation"] != ""
    assert run(backfill) == (0, 0)  # once only


def test_engine_reports_withheld_credentials_with_the_reason():
    """Pure: a staff member listed with ``credentials_withheld`` fails the rules that need
    credentials, health and background checks with the reason from WITHHELD_REASONS."""
    from core.errors import ValidationError
    from employers.compliance.engine import evaluate_dict

    member = {"id": "s9", "name": "王芳", "positions": ["caregiver"], "employment": "full_time",
              "education": "associate", "management_years": 0, "health_check_on": None,
              "background_check": "missing", "credentials": [],
              "credentials_withheld": "consent_withdrawn"}
    snapshot = {"as_of": "2026-11-29",
                "facility": {"name": "示例托育园", "uscc": "91350100M000100Y43"},
                "classes": [], "staff": [member]}
    rules = {r["code"]: r for r in evaluate_dict(snapshot)["rules"]}
    assert rules["CAREGIVER_QUALIFIED"]["message"].startswith(
        f"保育人员 王芳（s9）不符合要求：{WITHDRAWN}。")
    assert rules["HEALTH_CHECK"]["message"].startswith(
        f"王芳（s9）的健康检查记录不可查看：{WITHDRAWN}")
    assert rules["BACKGROUND"]["message"].startswith(
        f"王芳（s9）的背景审查记录不可查看：{WITHDRAWN}")
    assert all(rules[c]["subjects"] == ["s9"]
               for c in ("CAREGIVER_QUALIFIED", "HEALTH_CHECK", "BACKGROUND"))
    with pytest.raises(ValidationError) as error:
        evaluate_dict({**snapshot, "staff": [{**member, "credentials_withheld": "other"}]})
    assert error.value.field == "staff[0].credentials_withheld"
    with pytest.raises(ValidationError) as error:
        evaluate_dict({**snapshot, "staff": [{**member, "credentials": [
            {"code": "CAREGIVER_TRAINING", "status": "valid", "issued_on": "2025-01-01",
             "expires_on": None}]}]})
    assert error.value.field == "staff[0].credentials"
    # Without the key the contract's output is unchanged (no extra key in the report's input).
    plain = {k: v for k, v in member.items() if k != "credentials_withheld"}
    rules = {r["code"]: r for r in evaluate_dict({**snapshot, "staff": [plain]})["rules"]}
    assert WITHDRAWN not in rules["CAREGIVER_QUALIFIED"]["message"]
