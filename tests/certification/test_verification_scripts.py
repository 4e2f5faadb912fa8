"""Public verification with digits of another script: the number and the
code are refused naming the field, the same whether or not the number exists."""

from __future__ import annotations

from tests.conftest import post_form

SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def test_number_in_superscript_digits_is_refused_not_folded(client, make_person, issue_skill):
    cert = issue_skill(make_person("王芳").id)
    r = client.get(f"/api/v1/public/certificates/{cert.number.translate(SUPERSCRIPT)}",
                   params={"name": "王芳"})
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "number" and "证书编号只能使用数字 0–9" in r.json()["detail"]
    assert "王" not in r.text


def test_code_with_a_foreign_digit_is_refused_alike_for_known_and_unknown(
        client, make_person, issue_skill):
    cert = issue_skill(make_person("王芳").id)
    code = "①" + cert.verification_code[1:]
    known = client.get(f"/verify/{cert.number}", params={"code": code})
    unknown = client.get("/verify/S123412000001264000999", params={"code": code})
    assert known.status_code == unknown.status_code == 404
    assert "验证码只能使用数字 0–9" in known.text and "验证码只能使用数字 0–9" in unknown.text
    assert "王" not in known.text


def test_verify_form_names_the_number_field(client, make_person, issue_skill):
    cert = issue_skill(make_person("王芳").id)
    r = post_form(client, "/verify", {"number": cert.number.translate(SUPERSCRIPT),
                                      "name": "王芳"})
    assert r.status_code == 422
    assert 'id="number-error"' in r.text and "证书编号只能使用数字 0–9" in r.text
    assert "证书有效" not in r.text
