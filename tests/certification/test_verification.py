"""Public verification: page, QR target, JSON API; enumeration and rate-limit cases."""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import hold_clock, post_form


def test_api_by_number_and_name(client, make_person, issue_skill):
    person = make_person("王芳")
    cert = issue_skill(person.id)
    response = client.get(f"/api/v1/public/certificates/{cert.number}", params={"name": "王芳"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["number"] == cert.number
    assert body["holder_name"] == "王*"
    assert body["qualification"] == "保育师"
    assert body["level_name"] == "四级/中级工"
    assert body["status"] == "valid"
    assert body["issuer"] == "宁河职业培训学校"
    assert "verification_code" not in body and person.id_number not in response.text


def test_unknown_number_and_wrong_name_are_identical(client, make_person, issue_skill):
    cert = issue_skill(make_person("王芳").id)
    wrong_name = client.get(f"/api/v1/public/certificates/{cert.number}", params={"name": "李娜"})
    unknown = client.get("/api/v1/public/certificates/S123412000001264000999",
                         params={"name": "王芳"})
    no_name = client.get(f"/api/v1/public/certificates/{cert.number}")
    assert wrong_name.status_code == unknown.status_code == no_name.status_code == 404
    assert wrong_name.json() == unknown.json() == no_name.json()


def test_qr_target_with_code_and_wrong_code(client, make_person, issue_skill):
    cert = issue_skill(make_person("欧阳娜娜").id)
    ok = client.get(f"/verify/{cert.number}", params={"code": cert.verification_code.lower()})
    assert ok.status_code == 200
    assert "欧**" in ok.text and "证书有效" in ok.text
    bad = client.get(f"/verify/{cert.number}", params={"code": "AAAAAAAA"})
    unknown = client.get("/verify/S123412000001264000999", params={"code": cert.verification_code})
    assert bad.status_code == unknown.status_code == 404
    assert "欧" not in bad.text and "欧" not in unknown.text


def test_verify_page_form(client, make_person, issue_skill):
    cert = issue_skill(make_person("王芳").id)
    assert client.get("/verify").status_code == 200
    response = post_form(client, "/verify", {"number": f" {cert.number.lower()} ", "name": "王 芳"})
    assert response.status_code == 200
    assert cert.number in response.text and "证书有效" in response.text
    missing = post_form(client, "/verify", {"number": "", "name": ""})
    assert missing.status_code == 422
    assert "请填写证书编号" in missing.text and "请填写持证人姓名" in missing.text
    wrong = post_form(client, "/verify", {"number": cert.number, "name": "李娜"})
    assert wrong.status_code == 404 and "未查到匹配的证书" in wrong.text


def test_rate_limit_answers_429_in_chinese(client, make_person, issue_skill, monkeypatch):
    from core.settings import get_settings

    cert = issue_skill(make_person("王芳").id)
    limit = get_settings().verify_rate_limit_per_minute
    hold_clock()
    for _ in range(limit):
        client.get(f"/api/v1/public/certificates/{cert.number}", params={"name": "王芳"})
    response = client.get(f"/api/v1/public/certificates/{cert.number}", params={"name": "王芳"})
    assert response.status_code == 429
    assert "查验过于频繁" in response.json()["detail"]
    page = client.get(f"/verify/{cert.number}", params={"code": cert.verification_code})
    assert page.status_code == 429 and "查验过于频繁" in page.text


def test_expired_by_date_reads_expired(client, make_person, issue_skill, run):
    from core.tables import Credential

    cert = issue_skill(make_person("王芳").id, issued_on=date(2020, 1, 1))
    run(Credential.update({Credential.expires_on: date(2021, 1, 1)}).where(
        Credential.id == cert.id))
    body = client.get(f"/api/v1/public/certificates/{cert.number}", params={"name": "王芳"}).json()
    assert body["status"] == "expired" and body["status_date"] == "2021-01-01"


def test_api_body_is_the_schema_s_own_serialisation(client, make_person, issue_skill, run):
    """The hot endpoint writes its body itself (public_certificate_json): for every kind of
    answer (valid, expired by date, revoked with a public reason, superseded) it is exactly
    what PublicCertificateOut would write, byte for byte, with every field of the schema."""
    from certification.schemas import PublicCertificateOut
    from core.clock import now
    from core.tables import Credential

    valid = issue_skill(make_person("王芳").id)
    expired = issue_skill(make_person("李娜").id, issued_on=date(2020, 1, 1))
    revoked = issue_skill(make_person("张伟").id)
    old = issue_skill(make_person("欧阳娜娜").id)
    new = issue_skill(make_person("欧阳娜娜").id)
    run(Credential.update({Credential.expires_on: date(2021, 1, 1)}).where(
        Credential.id == expired.id))
    run(Credential.update({Credential.status: "revoked", Credential.status_reason: "以欺骗手段取得",
                           Credential.status_changed_at: now()}).where(Credential.id == revoked.id))
    run(Credential.update({Credential.status: "superseded", Credential.superseded_by: new.id,
                           Credential.status_changed_at: now()}).where(Credential.id == old.id))
    seen = set()
    for cert, name in ((valid, "王芳"), (expired, "李娜"), (revoked, "张伟"), (old, "欧阳娜娜")):
        response = client.get(f"/api/v1/public/certificates/{cert.number}", params={"name": name})
        assert response.status_code == 200, response.text
        model = PublicCertificateOut.model_validate_json(response.content)
        assert response.content == model.model_dump_json().encode()
        assert set(response.json()) == set(PublicCertificateOut.model_fields)
        seen.add(model.status)
    assert seen == {"valid", "expired", "revoked", "superseded"}


@pytest.mark.parametrize("query", [
    "name=%E7%8E%8B%E8%8A%B3", "name=王芳", "name=+%E7%8E%8B%E8%8A%B3+", "name=%20王芳",
    "x=1&name=王芳", "name=李娜&name=王芳", "name=&name=王芳", "na%6De=王芳", "&&name=王芳&",
    "name=王%E8%8A%B3#frag"])
def test_api_reads_the_name_as_the_framework_would(client, make_person, issue_skill, query):
    """As ``name: FromQuery[str]`` read it before the endpoint read it itself: the last of a
    repeated name counts."""
    cert = issue_skill(make_person("王芳").id)
    response = client.get(f"/api/v1/public/certificates/{cert.number}?{query}")
    assert response.status_code == 200, response.text
    assert response.json()["holder_name"] == "王*"


@pytest.mark.parametrize("query", ["", "name=", "name", "name=王芳&name=李娜", "name=王芳&name=",
                                   "nam=王芳", "name=%E7%8E", "name=%ZZ", "name=%00", "name=王芳%"])
def test_api_without_the_right_name_is_the_same_404(client, make_person, issue_skill, query):
    cert = issue_skill(make_person("王芳").id)
    response = client.get(f"/api/v1/public/certificates/{cert.number}?{query}")
    assert response.status_code == 404
    assert response.json()["detail"].startswith("未查到匹配的证书")
