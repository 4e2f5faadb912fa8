"""Lifecycle: suspend, reinstate, revoke, re-issue (lost / name change), expiry — audited, shown
on the holder's and the officer's pages, reflected by verification at once; permissions."""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import api_token, login, post_form


@pytest.fixture
def officer(make_user):
    make_user("hrss_officer", "officer")
    return "officer"


def public(client, number, name):
    return client.get(f"/api/v1/public/certificates/{number}", params={"name": name})


def test_suspend_reinstate_revoke_via_api(client, run, make_person, issue_skill, officer):
    from core.tables import AuditLog, CredentialEvent

    cert = issue_skill(make_person("王芳").id)
    headers = api_token(client, officer)
    base = f"/api/v1/certification/certificates/{cert.id}"
    response = client.post(f"{base}/suspend", json={"public_reason": "投诉调查中"},
                           headers=headers)
    assert response.status_code == 200 and response.json()["status"] == "suspended"
    body = public(client, cert.number, "王芳").json()
    assert body["status"] == "suspended" and body["status_reason"] == "投诉调查中"
    assert body["status_date"] is not None
    assert client.post(f"{base}/reinstate", json={"public_reason": "调查结束"},
                       headers=headers).json()["status"] == "valid"
    assert public(client, cert.number, "王芳").json()["status"] == "valid"
    revoked = client.post(f"{base}/revoke", json={"public_reason": "考试舞弊"},
                          headers=headers)
    assert revoked.json()["status"] == "revoked"
    assert [h["to_status"] for h in revoked.json()["history"]] == [
        "valid", "suspended", "valid", "revoked"]
    assert public(client, cert.number, "王芳").json()["status_reason"] == "考试舞弊"
    again = client.post(f"{base}/reinstate", json={"public_reason": "x"}, headers=headers)
    assert again.status_code == 409
    actions = {r["action"] for r in run(AuditLog.select(AuditLog.action))}
    assert {"credential.suspended", "credential.valid", "credential.revoked"} <= actions
    assert run(CredentialEvent.count().where(CredentialEvent.credential == cert.id)) == 4


@pytest.mark.parametrize("action", ["suspend", "revoke"])
def test_reason_required_and_nothing_written(client, run, make_person, issue_skill, officer,
                                             action):
    from core.tables import CredentialStatusChange

    cert = issue_skill(make_person("王芳").id)
    headers = api_token(client, officer)
    response = client.post(f"/api/v1/certification/certificates/{cert.id}/{action}",
                           json={"public_reason": "  "}, headers=headers)
    assert response.status_code == 422
    assert response.json()["field"] == "public_reason" and "公开原因" in response.json()["detail"]
    assert run(CredentialStatusChange.count().where(
        CredentialStatusChange.credential == cert.id)) == 1
    assert public(client, cert.number, "王芳").json()["status"] == "valid"


def test_reissue_after_loss_supersedes_and_points_to_new(client, run, make_person, issue_skill,
                                                        officer):
    cert = issue_skill(make_person("王芳").id)
    headers = api_token(client, officer)
    response = client.post(f"/api/v1/certification/certificates/{cert.id}/reissue",
                           json={"kind": "lost", "evidence": "遗失声明 2026-11-01"},
                           headers=headers)
    assert response.status_code == 201, response.text
    new_number = response.json()["number"]
    assert new_number != cert.number and new_number[:13] == cert.number[:13]
    old = public(client, cert.number, "王芳").json()
    assert old["status"] == "superseded" and old["superseded_by"] == new_number
    assert public(client, new_number, "王芳").json()["status"] == "valid"
    twice = client.post(f"/api/v1/certification/certificates/{cert.id}/reissue",
                        json={"kind": "lost", "evidence": "再次"}, headers=headers)
    assert twice.status_code == 409


def test_name_change_reissue_keeps_old_name(client, run, make_person, issue_skill, officer):
    from core.people import former_names

    person = make_person("王芳")
    cert = issue_skill(person.id)
    headers = api_token(client, officer)
    missing = client.post(f"/api/v1/certification/certificates/{cert.id}/reissue",
                          json={"kind": "name_change", "evidence": "户籍证明 123"},
                          headers=headers)
    assert missing.status_code == 422 and missing.json()["field"] == "new_name"
    response = client.post(f"/api/v1/certification/certificates/{cert.id}/reissue",
                           json={"kind": "name_change", "evidence": "户籍证明 123",
                                 "new_name": "王芳菲"}, headers=headers)
    assert response.status_code == 201
    new_number = response.json()["number"]
    assert public(client, new_number, "王芳菲").json()["holder_name"] == "王**"
    assert public(client, cert.number, "王芳").json()["status"] == "superseded"
    names = run(former_names, person.id)
    assert names[0].name == "王芳" and names[0].evidence == "户籍证明 123"


def test_expiry_job_marks_expired(client, run, make_person, issue_skill):
    from certification.services.lifecycle import expire_due
    from core.tables import Credential

    cert = issue_skill(make_person("王芳").id)
    run(Credential.update({Credential.expires_on: date(2026, 6, 30)}).where(
        Credential.id == cert.id))
    assert run(expire_due, date(2026, 7, 1)) == 1
    assert run(expire_due, date(2026, 7, 1)) == 0
    body = public(client, cert.number, "王芳").json()
    assert body["status"] == "expired" and body["status_reason"] == "有效期届满"


@pytest.mark.parametrize(("issued", "expires"), [
    (date(2026, 3, 1), date(2029, 2, 28)),
    (date(2024, 2, 29), date(2027, 2, 28)),  # the anniversary of Feb 29 is Mar 1 (core.validity)
])
def test_catalogue_validity_sets_expiry(run, client, make_person, issued, expires):
    from certification.services.issuance import NewCertificate, issue
    from core.actor import Actor
    from core.tables import Credential, Qualification

    run(Qualification.update({Qualification.validity_months: 36}).where(
        Qualification.code == "CHILDCARE_WORKER"))
    person = make_person("王芳")
    [cid] = run(issue, [NewCertificate(
        person_id=person.id, kind="skill", qualification_code="CHILDCARE_WORKER",
        number_prefix="S123412000001265", issuer_name="X", issued_on=issued,
        origin_key="t:1", level=5)], Actor.system("t"), job_title="t")
    row = run(Credential.select(Credential.expires_on).where(Credential.id == cid).first())
    assert row["expires_on"] == expires


def test_officer_pages_and_permissions(client, run, make_person, issue_skill, officer, make_user):
    cert = issue_skill(make_person("王芳").id)
    make_user("edu_officer", "eduofficer")
    make_user("provider_staff", "providerx")
    login(client, "providerx")
    assert client.get("/certification/certificates/").status_code == 403
    client.cookies.clear()
    login(client, "eduofficer")
    assert client.get(f"/certification/certificates/{cert.id}").status_code == 200
    denied = post_form(client, f"/certification/certificates/{cert.id}/suspend",
                       {"suspend_public_reason": "x"})
    assert denied.status_code == 403
    client.cookies.clear()
    login(client, officer)
    page = client.get("/certification/certificates/", params={"q": "王芳"})
    assert page.status_code == 200 and cert.number in page.text
    empty = post_form(client, f"/certification/certificates/{cert.id}/revoke",
                      {"revoke_public_reason": ""})
    assert empty.status_code == 422 and "请填写公开原因" in empty.text
    done = post_form(client, f"/certification/certificates/{cert.id}/suspend",
                     {"suspend_public_reason": "调查", "confirm": "1"}, follow_redirects=True)
    assert done.status_code == 200 and "证书已暂停" in done.text


def test_registry_search_export_and_stats(client, run, make_person, issue_skill, officer):
    from io import BytesIO

    from openpyxl import load_workbook

    a = make_person("王芳")
    issue_skill(a.id, level=4)
    issue_skill(make_person("李娜").id, level=3, issued_on=date(2026, 7, 2))
    headers = api_token(client, officer)
    by_id = client.get("/api/v1/certification/certificates/", params={"q": a.id_number},
                       headers=headers).json()
    assert by_id["total"] == 1 and by_id["items"][0]["holder_name"] == "王芳"
    by_level = client.get("/api/v1/certification/certificates/", params={"level": 3},
                          headers=headers).json()
    assert [i["holder_name"] for i in by_level["items"]] == ["李娜"]
    by_date = client.get("/api/v1/certification/certificates/",
                         params={"date_from": "2026-07-01"}, headers=headers).json()
    assert by_date["total"] == 1
    login(client, officer)
    xlsx = client.get("/certification/certificates/export.xlsx", params={"status": "valid"})
    assert xlsx.status_code == 200
    rows = list(load_workbook(BytesIO(xlsx.content)).active.values)
    assert len(rows) == 3 and a.id_number not in str(rows)
    stats = client.get("/certification/certificates/stats")
    assert stats.status_code == 200 and "2026-07" in stats.text and "四级/中级工" in stats.text
