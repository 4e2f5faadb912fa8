"""The holder's page (certificates, downloads, share link, photo) and external credentials."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.conftest import api_token, csrf_token, login


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 80), (200, 180, 160)).save(out, format="PNG")
    return out.getvalue()


def pdf_scan() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_holder_page_lists_certificates_with_history(client, run, holder, issue_skill):
    from certification.jobs import run_pending_jobs
    from certification.services.lifecycle import suspend
    from core.actor import Actor

    cert = issue_skill(holder.id)
    other = issue_skill(holder.id, level=3)
    run(run_pending_jobs)
    run(suspend, other.id, "调查中", Actor.system("t"))
    login(client, "wangfang")
    page = client.get("/my/certificates/")
    assert page.status_code == 200
    assert cert.number in page.text and cert.verification_code in page.text
    assert f"/certificates/{cert.id}/pdf" in page.text
    assert f"/verify/{cert.number}?code={cert.verification_code}" in page.text
    assert "调查中" in page.text
    api = client.get("/api/v1/me/certificates/", headers=api_token(client, "wangfang")).json()
    assert {c["number"] for c in api} == {cert.number, other.number}


def test_photo_upload_rerenders_and_keeps_hashes(client, run, holder, issue_skill):
    from certification.jobs import run_pending_jobs
    from certification.tables import CertificatePdf, HolderPhoto

    issue_skill(holder.id)
    run(run_pending_jobs)
    login(client, "wangfang")
    bad = client.post("/my/certificates/photo", data={"_csrf_token": csrf_token(client)},
                      files={"photo": ("photo.png", pdf_scan(), "image/png")})
    assert bad.status_code == 422 and "照片 只接受 JPEG、PNG 文件" in bad.text
    assert run(HolderPhoto.count()) == 0
    ok = client.post("/my/certificates/photo", data={"_csrf_token": csrf_token(client)},
                     files={"photo": ("photo.bin", png(), "application/octet-stream")},
                     follow_redirects=False)
    assert ok.status_code in (302, 303)
    assert run(run_pending_jobs) == 1
    hashes = run(CertificatePdf.select(CertificatePdf.sha256, CertificatePdf.reason))
    assert [h["reason"] for h in hashes] == ["issue", "photo"]
    assert hashes[0]["sha256"] != hashes[1]["sha256"]


def test_trainee_without_certificates_sees_empty_state(client, holder):
    login(client, "wangfang")
    assert "您还没有证书" in client.get("/my/certificates/").text


def _external(client, headers, **over):
    data = {"id_type": "居民身份证", "id_number": over.pop("id_number"), "name": "周强",
            "code": "SECURITY_LICENSE", "number": "津保1234567", "issuer_name": "天津市公安局",
            "issued_on": "2024-01-10"} | over
    scan = over.pop("scan", pdf_scan())
    data.pop("scan", None)
    return client.post("/api/v1/certification/external/", data=data,
                       files={"scan": ("scan.pdf", scan, "application/pdf")}, headers=headers)


def test_operator_records_external_credentials(client, run, make_user, make_person):
    from core.tables import Credential

    person = make_person("周强")
    make_user("facility_operator", "operator1")
    make_user("facility_operator", "operator2")
    headers = api_token(client, "operator1")
    response = _external(client, headers, id_number=person.id_number)
    assert response.status_code == 201, response.text
    row = run(Credential.objects().where(Credential.id == response.json()["id"]).first())
    assert row.source == "recorded" and row.scan is not None and row.person == person.id
    health = _external(client, headers, id_number=person.id_number, code="HEALTH_CERT",
                       number="TJ-HC-2026-1", issued_on="2026-02-29".replace("29", "28"),
                       outcome="pass")
    assert health.status_code == 201
    expires = run(Credential.select(Credential.expires_on).where(
        Credential.id == health.json()["id"]).first())["expires_on"]
    assert str(expires) == "2027-02-27"
    leap = _external(client, headers, id_number=person.id_number, code="HEALTH_CERT",
                     number="TJ-HC-2024-1", issued_on="2024-02-29", outcome="pass")
    assert leap.status_code == 201, leap.text
    assert run(Credential.select(Credential.expires_on).where(  # anniversary: 2025-03-01
        Credential.id == leap.json()["id"]).first())["expires_on"].isoformat() == "2025-02-28"
    background = _external(client, headers, id_number=person.id_number, code="BACKGROUND_CHECK",
                           number="TJ-BG-2026-1", issued_on="2026-01-05", outcome="clear")
    assert background.status_code == 201, background.text
    assert run(Credential.select(Credential.expires_on).where(
        Credential.id == background.json()["id"]).first())["expires_on"] is None
    mine = client.get("/api/v1/certification/external/", headers=headers).json()
    assert len(mine) == 4
    other = client.get("/api/v1/certification/external/",
                       headers=api_token(client, "operator2")).json()
    assert other == []
    login(client, "operator2")
    assert client.get(f"/certification/external/{row.id}/scan").status_code == 404


@pytest.mark.parametrize("over,field,message", [
    ({"scan": b"MZ\x90\x00 not a pdf"}, "scan", "扫描件 只接受 PDF、JPEG、PNG 文件"),
    ({"scan": b"%PDF-" + b"0" * (5 * 1024 * 1024)}, "scan", "扫描件 文件过大，最大 5 MB"),
    ({"code": "HEALTH_CERT", "number": "HC-1"}, "outcome", "请选择检查结论"),
    ({"code": "CHILDCARE_WORKER"}, "code", "请选择证件类别"),
    ({"issued_on": ""}, "issued_on", "请填写发证（检查）日期"),
    ({"id_number": "120221199001010000"}, "id_number", None),
    ({"code": "BACKGROUND_CHECK", "number": "BG-1", "outcome": "clear",
      "expires_on": "2027-01-01"}, "expires_on",
     "无犯罪及无虐童记录证明没有有效期，请勿填写有效期至"),
    ({"code": "HEALTH_CERT", "number": "HC-2", "outcome": "pass", "issued_on": "2024-02-29",
      "expires_on": "2025-02-27"}, "expires_on",
     "有效期至按检查（发证）日期计算为 2025-02-28（周年日的前一日），请留空或填写该日期"),
])
def test_external_bad_input_writes_nothing(client, run, make_user, make_person, over, field,
                                           message):
    from core.tables import Credential, StoredFile

    person = make_person("周强")
    make_user("hrss_officer", "officer")
    over.setdefault("id_number", person.id_number)
    response = _external(client, api_token(client, "officer"), **over)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field
    if message:
        assert response.json()["detail"] == message
    assert run(Credential.count()) == 0
    assert run(StoredFile.count()) == 0


def test_external_page_for_officer(client, make_user, make_person):
    make_user("health_reviewer", "reviewer")
    make_user("trainee", "someone")
    login(client, "someone")
    assert client.get("/certification/external/").status_code == 403
    client.cookies.clear()
    login(client, "reviewer")
    page = client.get("/certification/external/")
    assert page.status_code == 200 and "保安员证" in page.text
