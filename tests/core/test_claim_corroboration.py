"""A self-registered new person is bound provisionally (core.claims.corroboration, PIPL art. 51):
the first organisation that records the person corroborates the binding with the same phone, or
undoes it at once — a code to the organisation's phone, or the officers' document queue."""

from __future__ import annotations

from core.claims.tables import IdentityClaim
from core.identity import id_check_char
from core.tables import AuditLog, Person, User
from tests.conftest import PASSWORD, api_token, login, post_form
from tests.employers.conftest import register as register_facility

FIRST17 = "12022119920404123"
ID_NUMBER = FIRST17 + id_check_char(FIRST17)
SQUATTER = "13700001111"
VICTIM = "13622223333"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 17 + b"\x00\x00\x00\x00IEND\xaeB`\x82")


def self_register(client, outbox, username, phone):
    """Register 王芳's number with ``phone`` and enter the code sent to it (case a)."""
    body = {"name": "王芳", "id_type": "居民身份证", "id_number": ID_NUMBER, "phone": phone,
            "username": username, "password": PASSWORD, "password_confirm": PASSWORD}
    assert client.post("/api/v1/auth/register", json=body).status_code == 202
    headers = api_token(client, username)
    r = client.post("/api/v1/auth/claim/verify", json={"code": outbox.last_code(phone)},
                    headers=headers)
    assert r.status_code == 200 and r.json()["state"] == "verified", r.text
    return headers


def employ(client, make_user, phone=None):
    """Her employer links 王芳 (by number and name, with ``phone`` if given); returns the link."""
    make_user("facility_operator", "op1")
    operator = api_token(client, "op1")
    fid = register_facility(client, operator)
    body = {"id_type": "居民身份证", "id_number": ID_NUMBER, "name": "王芳",
            "positions": ["caregiver"], "employment": "full_time", "started_on": "2026-01-05"}
    if phone:
        body["phone"] = phone
    r = client.post(f"/api/v1/facilities/{fid}/staff", json=body, headers=operator)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def issue_certificate(run, person_id):
    """A skill certificate issued here to the person (as a provider's exam results lead to)."""
    from datetime import date

    from certification.services.issuance import NewCertificate, issue
    from core.actor import Actor
    from tests.certification.conftest import SKILL_PREFIX

    [cert_id] = run(issue, [NewCertificate(
        person_id=person_id, kind="skill", qualification_code="CHILDCARE_WORKER",
        number_prefix=f"{SKILL_PREFIX}264", issuer_name="宁河职业培训学校", issuer_code="S1234",
        issued_on=date(2026, 6, 1), origin_key="test:corroboration", level=4)],
        Actor.system("test"), job_title="测试")
    return cert_id


def audit_after(run, action):
    row = run(AuditLog.select(AuditLog.summary).output(load_json=True)
              .where(AuditLog.action == action).first)
    return row["summary"]["after"] if row else None


def person_of_number(run):
    return run(Person.objects().where(Person.id_number == ID_NUMBER).first)


def test_a_squatter_is_unbound_when_the_employer_records_her_own_phone(
        client, run, outbox, make_user):
    squatter = self_register(client, outbox, "squatter", SQUATTER)
    link_id = employ(client, make_user, phone=VICTIM)
    person = person_of_number(run)
    cert_id = issue_certificate(run, person.id)

    assert person.phone == VICTIM  # the employer's phone is the one on file now
    user = run(User.objects().where(User.username == "squatter").first)
    assert user.person is None and user.identity_verified_at is None
    r = client.get("/api/v1/me/certificates", headers=squatter)
    assert r.status_code == 404 and r.json()["detail"] == "账号未关联人员信息"
    for path in (f"/api/v1/certificates/{cert_id}", f"/api/v1/certificates/{cert_id}/pdf",
                 f"/api/v1/certificates/{cert_id}/vc"):
        assert client.get(path, headers=squatter).status_code == 404, path
    assert client.post(f"/api/v1/staff-links/{link_id}/accept",
                       headers=squatter).status_code in (403, 404)
    assert client.get(f"/api/v1/people/{person.id}", headers=squatter).status_code == 404
    state = client.get("/api/v1/auth/claim", headers=squatter).json()
    assert state["state"] == "pending" and state["message"] == "验证码已发送至登记的手机号码"
    assert state["phone_masked"] == ""
    # the code goes to the phone on file (hers), never to the squatter's
    code = outbox.last_code(VICTIM)
    assert code is not None and outbox.last_code(SQUATTER) != code
    r = client.post("/api/v1/auth/claim/verify", json={"code": outbox.last_code(SQUATTER)},
                    headers=squatter)
    assert r.status_code == 422
    disputed = audit_after(run, "claim.disputed")
    assert disputed["reason"] == "phone_differs" and disputed["next"] == "sms"
    assert VICTIM not in str(disputed) and SQUATTER not in str(disputed)

    # the pages: everything leads to /account/verify, which shows neither number
    login(client, "squatter")
    for path in ("/me", "/my/certificates/", "/training/my"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code in (302, 303) and r.headers["location"] == "/account/verify", path
    page = client.get("/account/verify")
    assert "验证码已发送至登记的手机号码" in page.text
    assert VICTIM not in page.text and "136****3333" not in page.text
    assert ID_NUMBER not in page.text
    post_form(client, "/logout", {})

    # the real 王芳 registers herself: her code, her record, her certificate, her consent
    victim = api_token_after_register(client, outbox, "wangfang", VICTIM)
    certs = client.get("/api/v1/me/certificates", headers=victim).json()
    assert [c["id"] for c in certs] == [cert_id]
    r = client.post(f"/api/v1/staff-links/{link_id}/accept", headers=victim)
    assert r.status_code == 200, r.text
    assert client.get("/api/v1/me/certificates", headers=squatter).status_code == 404


def api_token_after_register(client, outbox, username, phone):
    """Case (b): the record exists with ``phone`` on file; the code goes there."""
    body = {"name": "王芳", "id_type": "居民身份证", "id_number": ID_NUMBER, "phone": phone,
            "username": username, "password": PASSWORD, "password_confirm": PASSWORD}
    assert client.post("/api/v1/auth/register", json=body).status_code == 202
    headers = api_token(client, username)
    r = client.post("/api/v1/auth/claim/verify", json={"code": outbox.last_code(phone)},
                    headers=headers)
    assert r.status_code == 200 and r.json()["state"] == "verified", r.text
    return headers


def test_a_genuine_caregiver_whose_employer_records_the_same_phone_loses_nothing(
        client, run, outbox, make_user):
    mine = self_register(client, outbox, "wangfang", VICTIM)
    link_id = employ(client, make_user, phone=VICTIM)
    person = person_of_number(run)
    cert_id = issue_certificate(run, person.id)

    user = run(User.objects().where(User.username == "wangfang").first)
    assert user.person == person.id and user.identity_verified_at is not None
    claim = run(IdentityClaim.objects().where(IdentityClaim.user == user.id).first)
    assert claim.state == "verified" and claim.corroborated_at is not None
    assert run(AuditLog.exists().where(AuditLog.action == "claim.corroborated"))
    assert not run(AuditLog.exists().where(AuditLog.action == "claim.disputed"))
    certs = client.get("/api/v1/me/certificates", headers=mine).json()
    assert [c["id"] for c in certs] == [cert_id]
    assert client.post(f"/api/v1/staff-links/{link_id}/accept", headers=mine).status_code == 200
    assert client.get("/api/v1/auth/claim", headers=mine).json()["state"] == "verified"
    # a later organisation's record changes nothing either (only the first one corroborates)
    assert run(IdentityClaim.count) == 1


def test_no_phone_recorded_sends_the_account_to_the_officer_queue(
        client, run, outbox, make_user):
    squatter = self_register(client, outbox, "squatter", SQUATTER)
    sent_before = len(outbox.messages(to=SQUATTER))
    link_id = employ(client, make_user)  # the employer records no phone

    person = person_of_number(run)
    assert person.phone is None  # the self-asserted phone is not kept on file
    user = run(User.objects().where(User.username == "squatter").first)
    assert user.person is None and user.identity_verified_at is None
    assert client.post(f"/api/v1/staff-links/{link_id}/accept",
                       headers=squatter).status_code in (403, 404)
    state = client.get("/api/v1/auth/claim", headers=squatter).json()
    assert state["state"] == "pending" and state["may_upload"] is True
    disputed = audit_after(run, "claim.disputed")
    assert disputed["reason"] == "no_phone" and disputed["next"] == "officer"
    # filling in again with the same details does not send a code to the squatter's phone
    r = client.post("/api/v1/auth/claim/restart", headers=squatter,
                    json={"name": "王芳", "id_type": "居民身份证", "id_number": ID_NUMBER,
                          "phone": SQUATTER})
    assert r.status_code in (200, 202), r.text
    assert len(outbox.messages(to=SQUATTER)) == sent_before

    r = client.post("/api/v1/auth/claim/document", headers=squatter,
                    files={"document": ("id.png", PNG, "image/png")}, data={"consent": "yes"})
    assert r.status_code == 202 and r.json()["document_uploaded"] is True
    claim = run(IdentityClaim.objects().order_by(IdentityClaim.id, ascending=False).first)
    assert (claim.method, claim.state, claim.person) == ("officer", "pending", person.id)
    make_user("hrss_officer", "officer")
    login(client, "officer")
    queue = client.get("/officer/claims/")
    assert queue.status_code == 200 and f"/officer/claims/{claim.id}" in queue.text


def test_an_officer_recording_a_credential_without_phone_also_unbinds(
        client, run, outbox, make_user):
    self_register(client, outbox, "squatter", SQUATTER)
    make_user("hrss_officer", "officer")
    officer = api_token(client, "officer")
    r = client.post("/api/v1/certification/external/", headers=officer,
                    data={"id_type": "居民身份证", "id_number": ID_NUMBER, "name": "王芳",
                          "code": "SECURITY_LICENSE", "number": "BA123456",
                          "issuer_name": "天津市公安局", "issued_on": "2026-03-01"},
                    files={"scan": ("scan.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")})
    assert r.status_code == 201, r.text
    user = run(User.objects().where(User.username == "squatter").first)
    assert user.person is None and user.identity_verified_at is None


def test_a_refused_organisation_write_changes_nothing(client, run, outbox, make_user):
    """The corroboration runs in the organisation's transaction: refused, it leaves no trace."""
    make_user("hrss_officer", "officer")
    officer = api_token(client, "officer")
    other17 = "12022119850505123"

    def record(id_number, name):
        return client.post("/api/v1/certification/external/", headers=officer,
                           data={"id_type": "居民身份证", "id_number": id_number, "name": name,
                                 "code": "SECURITY_LICENSE", "number": "BA123456",
                                 "issuer_name": "天津市公安局", "issued_on": "2026-03-01"},
                           files={"scan": ("scan.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")})

    assert record(other17 + id_check_char(other17), "李娜").status_code == 201
    self_register(client, outbox, "wangfang", VICTIM)
    r = record(ID_NUMBER, "王芳")  # the same certificate number again: refused
    assert r.status_code in (409, 422), r.text
    user = run(User.objects().where(User.username == "wangfang").first)
    assert user.person is not None and user.identity_verified_at is not None
    assert person_of_number(run).phone == VICTIM
    assert run(IdentityClaim.count) == 1
    assert not run(AuditLog.exists().where(AuditLog.action.is_in(
        ["claim.disputed", "claim.corroborated"])))
