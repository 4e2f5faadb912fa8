"""What is published is chosen: suspending, reinstating and revoking take a
public reason (shown on verification and to the holder) and an internal note (人社局 only).

The internal note never reaches the verification page, the QR landing page, the public
verification API, the status lists, the PDFs, the holder's page and API, or 教育局 officers;
the public reason does reach the public. Bad input answers 422 naming every field at fault and
writes nothing."""

from __future__ import annotations

import json
import shutil
from datetime import date
from urllib.parse import urlparse

import pytest

from tests.conftest import api_token, login, post_form

OFFICER = "officer"
PUBLIC = "经核查，考核材料不实"
INTERNAL = "举报人李某（电话 138 0000 0000）提供的考场录像显示替考"


@pytest.fixture
def world(client, run, clock, holder, issue_skill, make_user):
    """王芳's certificate, rendered (PDF and signed credential), and a 人社局 officer."""
    from certification.jobs import run_pending_jobs

    make_user("hrss_officer", OFFICER)
    clock.set_today(date(2026, 6, 1))
    cert = issue_skill(holder.id)
    assert run(run_pending_jobs) == 1
    return cert


def _base(cert) -> str:
    return f"/api/v1/certification/certificates/{cert.id}"


def _written(run, cert) -> tuple:
    """What a refused request must not change."""
    from core.tables import AuditLog, Credential, CredentialEvent, CredentialStatusChange

    status = run(Credential.select(Credential.status, Credential.status_reason).where(
        Credential.id == cert.id).first())
    return (status, run(CredentialStatusChange.count()), run(AuditLog.count()),
            run(CredentialEvent.count()))


def _public_surfaces(client, run, cert) -> dict[str, str]:
    """Everything the public (or the holder) reads about the certificate, as text."""
    from certification.tables import CertificateRecord

    texts = {
        "api": client.get(f"/api/v1/public/certificates/{cert.number}",
                          params={"name": "王芳"}).text,
        "verify page": post_form(client, "/verify", {"number": cert.number, "name": "王芳"}).text,
        "qr landing": client.get(f"/verify/{cert.number}",
                                 params={"code": cert.verification_code}).text,
    }
    vc = json.loads(run(CertificateRecord.select(CertificateRecord.vc_json).where(
        CertificateRecord.credential == cert.id).first())["vc_json"])
    texts["credential"] = json.dumps(vc, ensure_ascii=False)
    for entry in vc["credentialStatus"]:
        url = entry["statusListCredential"]
        listed = client.get(urlparse(url).path)
        assert listed.status_code == 200, url
        texts[f"status list {entry['statusPurpose']}"] = listed.text
    login(client, "wangfang")
    texts["holder page"] = client.get("/my/certificates/").text
    client.cookies.clear()
    mine = api_token(client, "wangfang")
    texts["holder api"] = client.get("/api/v1/me/certificates/", headers=mine).text
    texts["certificate api (holder)"] = client.get(f"/api/v1/certificates/{cert.id}",
                                                   headers=mine).text
    pdf = client.get(f"/api/v1/certificates/{cert.id}/pdf", headers=mine)
    assert pdf.status_code == 200
    if shutil.which("pdftotext"):
        from tests.certification.test_stamped_copies import pdf_text

        texts["pdf"] = pdf_text(pdf.content)
    texts["pdf bytes"] = pdf.content.decode("latin-1")
    return texts


@pytest.mark.parametrize(("action", "status"), [("suspend", "suspended"),
                                                 ("revoke", "revoked")])
def test_public_reason_is_published_and_internal_note_is_not(client, run, world, action,
                                                             status):
    from core.tables import AuditLog, CredentialStatusChange

    cert = world
    officer = api_token(client, OFFICER)
    response = client.post(f"{_base(cert)}/{action}", headers=officer,
                           json={"public_reason": PUBLIC, "internal_note": INTERNAL})
    assert response.status_code == 200, response.text
    last = response.json()["history"][-1]
    assert (last["to_status"], last["reason"], last["internal_note"]) == (status, PUBLIC,
                                                                          INTERNAL)
    body = client.get(f"/api/v1/public/certificates/{cert.number}",
                      params={"name": "王芳"}).json()
    assert body["status"] == status and body["status_reason"] == PUBLIC

    for where, text in _public_surfaces(client, run, cert).items():
        assert INTERNAL not in text and "替考" not in text, where
        if where in ("api", "verify page", "qr landing", "holder page", "holder api"):
            assert PUBLIC in text, where
    mine = api_token(client, "wangfang")
    history = client.get(f"/api/v1/certificates/{cert.id}", headers=mine).json()["history"]
    assert history[-1]["reason"] == PUBLIC and history[-1]["internal_note"] is None

    row = run(CredentialStatusChange.select().where(
        CredentialStatusChange.credential == cert.id).order_by(
        CredentialStatusChange.id, ascending=False).first())
    assert (row["reason"], row["internal_note"]) == (PUBLIC, INTERNAL)
    audit = run(AuditLog.select().where(AuditLog.action == f"credential.{status}").first())
    summary = audit["summary"] if isinstance(audit["summary"], dict) else json.loads(
        audit["summary"])
    assert summary["after"] == {"status": status, "public_reason": PUBLIC,
                                "internal_note": INTERNAL}


def test_only_hrss_officers_see_the_internal_note(client, run, world, make_user):
    cert = world
    client.post(f"{_base(cert)}/suspend", headers=api_token(client, OFFICER),
                json={"public_reason": PUBLIC, "internal_note": INTERNAL})
    login(client, OFFICER)
    page = client.get(f"/certification/certificates/{cert.id}")
    assert PUBLIC in page.text and INTERNAL in page.text and "内部备注（仅人社局可见）" in page.text
    client.cookies.clear()
    make_user("edu_officer", "edu1")
    login(client, "edu1")
    page = client.get(f"/certification/certificates/{cert.id}")
    assert page.status_code == 200 and PUBLIC in page.text and INTERNAL not in page.text
    client.cookies.clear()
    edu = api_token(client, "edu1")
    detail = client.get(f"/api/v1/certificates/{cert.id}", headers=edu)
    assert detail.status_code == 200 and INTERNAL not in detail.text
    hrss = client.get(f"/api/v1/certificates/{cert.id}", headers=api_token(client, OFFICER))
    assert hrss.json()["history"][-1]["internal_note"] == INTERNAL


def test_audit_log_withholds_the_internal_note_from_other_bureaus(client, world, make_user):
    cert = world
    client.post(f"{_base(cert)}/revoke", headers=api_token(client, OFFICER),
                json={"public_reason": PUBLIC, "internal_note": INTERNAL})
    make_user("edu_officer", "edu1")
    make_user("health_reviewer", "health1")
    for user, note in (("edu1", "（仅人社局可见）"), ("health1", "（仅人社局可见）"),
                       (OFFICER, INTERNAL)):
        found = client.get("/api/v1/audit", params={"action": "credential.revoked"},
                           headers=api_token(client, user))
        assert found.status_code == 200, found.text
        after = found.json()["items"][0]["summary"]["after"]
        assert (after["public_reason"], after["internal_note"]) == (PUBLIC, note), user
        login(client, user)
        listed = client.get("/audit", params={"action": "credential.revoked"})
        assert (INTERNAL in listed.text) == (user == OFFICER), user
        client.cookies.clear()


def test_reinstatement_splits_too_and_internal_note_is_optional(client, run, world):
    cert = world
    officer = api_token(client, OFFICER)
    assert client.post(f"{_base(cert)}/suspend", headers=officer,
                       json={"public_reason": "核查期间暂停"}).status_code == 200
    missing = client.post(f"{_base(cert)}/reinstate", headers=officer,
                          json={"internal_note": "投诉已撤回"})
    assert missing.status_code == 422
    assert [e["field"] for e in missing.json()["errors"]] == ["public_reason"]
    done = client.post(f"{_base(cert)}/reinstate", headers=officer,
                       json={"public_reason": "核查完毕，恢复有效", "internal_note": "投诉已撤回"})
    assert done.status_code == 200, done.text
    last = done.json()["history"][-1]
    assert (last["to_status"], last["reason"], last["internal_note"]) == (
        "valid", "核查完毕，恢复有效", "投诉已撤回")
    for where, text in _public_surfaces(client, run, cert).items():
        assert "投诉已撤回" not in text, where


@pytest.mark.parametrize(("payload", "fields"), [
    ({}, ["public_reason"]),
    ({"public_reason": "   "}, ["public_reason"]),
    ({"public_reason": "x" * 201}, ["public_reason"]),
    ({"public_reason": "第一行\n第二行"}, ["public_reason"]),
    ({"public_reason": "原因\u202e反转"}, ["public_reason"]),
    ({"public_reason": "原因\u200b"}, ["public_reason"]),
    ({"public_reason": "原因\x00"}, ["public_reason"]),
    ({"public_reason": "原因", "internal_note": "y" * 1001}, ["internal_note"]),
    ({"public_reason": "原因", "internal_note": "备注\x00"}, ["internal_note"]),
    ({"internal_note": "y" * 1001}, ["public_reason", "internal_note"]),  # schema: both at once
    ({"public_reason": " ", "internal_note": "备注\x07"}, ["public_reason", "internal_note"]),
])
@pytest.mark.parametrize("action", ["suspend", "revoke"])
def test_bad_reasons_answer_422_naming_every_field_and_write_nothing(client, run, world, action,
                                                                    payload, fields):
    cert = world
    officer = api_token(client, OFFICER)
    before = _written(run, cert)
    response = client.post(f"{_base(cert)}/{action}", headers=officer, json=payload)
    assert response.status_code == 422, response.text
    body = response.json()
    assert [e["field"] for e in body["errors"]] == fields
    if "field" in body:  # the service's own check (schema errors name the field in detail)
        assert ("公开原因" if fields[0] == "public_reason" else "内部备注") in body["detail"]
    else:
        assert all(field in body["detail"] for field in fields)
    assert _written(run, cert) == before
    assert client.get(f"/api/v1/public/certificates/{cert.number}",
                      params={"name": "王芳"}).json()["status"] == "valid"


def test_missing_public_reason_names_the_field_in_chinese(client, run, world):
    cert = world
    officer = api_token(client, OFFICER)
    before = _written(run, cert)
    response = client.post(f"{_base(cert)}/revoke", headers=officer,
                           json={"public_reason": "", "internal_note": INTERNAL})
    assert response.status_code == 422
    assert response.json()["field"] == "public_reason"
    assert response.json()["detail"] == "请填写公开原因（将在公开查验页面显示）"
    assert _written(run, cert) == before


def test_page_form_says_which_is_which_and_shows_every_error(client, run, world):
    cert = world
    login(client, OFFICER)
    page = client.get(f"/certification/certificates/{cert.id}")
    for label in ("公开原因（将在公开查验页面显示）", "内部备注（仅人社局可见，不公开）"):
        assert page.text.count(label) == 2  # the suspend and revoke forms
    assert 'id="suspend_public_reason"' in page.text and 'id="revoke_internal_note"' in page.text
    before = _written(run, cert)
    bad = post_form(client, f"/certification/certificates/{cert.id}/revoke",
                    {"revoke_public_reason": "", "revoke_internal_note": "y" * 1001})
    assert bad.status_code == 422
    assert "请填写公开原因" in bad.text and "内部备注最多 1000 个字符" in bad.text
    assert 'id="revoke_public_reason-error"' in bad.text
    assert 'id="revoke_internal_note-error"' in bad.text
    assert "y" * 1001 in bad.text  # what was typed is kept
    assert _written(run, cert) == before
    done = post_form(client, f"/certification/certificates/{cert.id}/revoke",
                     {"revoke_public_reason": PUBLIC, "revoke_internal_note": INTERNAL,
                      "confirm": "1"}, follow_redirects=True)
    assert done.status_code == 200 and "证书已撤销" in done.text and INTERNAL in done.text
    client.cookies.clear()
    verify = post_form(client, "/verify", {"number": cert.number, "name": "王芳"})
    assert PUBLIC in verify.text and INTERNAL not in verify.text


def test_review_queue_asks_for_a_public_reason_and_keeps_its_note_internal(client, run, world):
    from certification.services.reviews import enqueue
    from core.tables import CredentialStatusChange

    cert = world
    item = run(enqueue, cert.id, "hours_flagged", "所依据的学时记录存疑", f"t:{cert.id}")
    officer = api_token(client, OFFICER)
    url = f"/api/v1/certification/reviews/{item}/decision"
    before = _written(run, cert)
    missing = client.post(url, headers=officer, json={"action": "suspend", "note": ""})
    assert missing.status_code == 422
    assert [e["field"] for e in missing.json()["errors"]] == ["note", "public_reason"]
    assert _written(run, cert) == before
    done = client.post(url, headers=officer, json={
        "action": "suspend", "note": "机构学时记录与监控不符", "public_reason": "核查期间暂停"})
    assert done.status_code == 200, done.text
    row = run(CredentialStatusChange.select().where(
        CredentialStatusChange.credential == cert.id).order_by(
        CredentialStatusChange.id, ascending=False).first())
    assert row["reason"] == "核查期间暂停"
    assert row["internal_note"] == "核查（所依据的学时记录存疑）：机构学时记录与监控不符"
    for where, text in _public_surfaces(client, run, cert).items():
        assert "监控不符" not in text and "学时记录存疑" not in text, where
    # Confirming lifts the queue's own suspension, with a plain public reason.
    confirmed = client.post(url, headers=officer, json={"action": "confirm", "note": "已核实"})
    assert confirmed.status_code == 200 and confirmed.json()["certificate_status"] == "valid"


def test_review_page_form_labels_and_errors(client, run, world):
    from certification.services.reviews import enqueue

    cert = world
    item = run(enqueue, cert.id, "hours_flagged", "所依据的学时记录存疑", f"t:{cert.id}")
    login(client, OFFICER)
    page = client.get("/certification/reviews/")
    assert "公开原因（暂停、撤销必填，将在公开查验页面显示）" in page.text
    assert "核查意见（内部备注，仅人社局可见，不公开）" in page.text
    before = _written(run, cert)
    bad = post_form(client, f"/certification/reviews/{item}",
                    {"action": "revoke", "note": "", "public_reason": ""})
    assert bad.status_code == 422
    assert "请填写核查意见" in bad.text and "请填写公开原因" in bad.text
    assert _written(run, cert) == before


def test_a_legacy_review_suspension_is_still_recognised_as_its_own(client, run, world):
    """Before the split, the queue wrote "核查（…）：note" as the (public) reason."""
    from certification.services.reviews import enqueue
    from certification.tables import CertificateReview
    from core.actor import Actor
    from core.credentials import change_status

    cert = world
    item = run(enqueue, cert.id, "hours_flagged", "所依据的学时记录存疑", f"t:{cert.id}")

    async def legacy():
        await change_status(cert.id, "suspended", "核查（所依据的学时记录存疑）：待核实",
                            Actor.system("t"))
        await CertificateReview.update({CertificateReview.state: "suspended",
                                        CertificateReview.decision_note: "待核实"}).where(
            CertificateReview.id == item)

    run(legacy)
    response = client.post(f"/api/v1/certification/reviews/{item}/decision",
                           headers=api_token(client, OFFICER),
                           json={"action": "confirm", "note": "已核实"})
    assert response.status_code == 200 and response.json()["certificate_status"] == "valid"


def test_expired_before_the_nightly_job_shows_expiry_not_an_old_reinstatement(
        client, run, clock, world):
    from core.tables import Credential

    cert = world
    officer = api_token(client, OFFICER)
    client.post(f"{_base(cert)}/suspend", headers=officer, json={"public_reason": "核查期间暂停"})
    client.post(f"{_base(cert)}/reinstate", headers=officer,
                json={"public_reason": "核查完毕，恢复有效"})
    run(Credential.update({Credential.expires_on: date(2026, 7, 1)}).where(
        Credential.id == cert.id))
    clock.set_today(date(2026, 7, 2))
    body = client.get(f"/api/v1/public/certificates/{cert.number}",
                      params={"name": "王芳"}).json()
    assert (body["status"], body["status_reason"]) == ("expired", "有效期届满")


def test_notices_read_only_the_public_reason(client, run, world):
    """core.credentials.public_status: what a notice to the holder may say."""
    from core.credentials import public_status

    cert = world
    client.post(f"{_base(cert)}/revoke", headers=api_token(client, OFFICER),
                json={"public_reason": PUBLIC, "internal_note": INTERNAL})
    status = run(public_status, cert.id)
    assert (status.status, status.status_label, status.public_reason) == ("revoked", "已撤销",
                                                                         PUBLIC)
    assert INTERNAL not in repr(status)


def test_openapi_documents_both_fields_in_chinese(client):
    schema = client.get("/schema/openapi.json").json()
    props = schema["components"]["schemas"]["LifecycleIn"]["properties"]
    assert "公开查验" in props["public_reason"]["description"]
    assert props["public_reason"]["maxLength"] == 200
    assert "仅人社局可见" in props["internal_note"]["description"]
    assert props["internal_note"]["maxLength"] == 1000
    assert "public_reason" in schema["components"]["schemas"]["LifecycleIn"]["required"]
