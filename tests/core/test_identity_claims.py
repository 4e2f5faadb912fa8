"""Claiming an existing record needs proof: registration never binds at once
and answers every case alike; the account sees nothing of the record until the SMS code sent to
the phone on file is entered, or a 人社局 officer accepts an ID document."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest

from core.claims.tables import IdentityClaim
from core.identity import id_check_char
from core.messages.tables import Message
from core.tables import AuditLog, Person, StoredFile, User
from tests.conftest import PASSWORD, api_token, login, post_form
from tests.employers.conftest import link as link_staff
from tests.employers.conftest import register as register_facility

FIRST17 = "12022119880808123"
ID_NUMBER = FIRST17 + id_check_char(FIRST17)
ON_FILE = "13811112222"
ENTERED = "13999998888"
ACCEPTED = {"status": "已受理",
            "message": "注册申请已受理。如信息与登记一致，验证码将发送至登记的手机号码，"
                       "请登录后在“验证身份”页面输入验证码完成核验。"}
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 17 + b"\x00\x00\x00\x00IEND\xaeB`\x82")


def registration(**overrides):
    data = {"name": "王芳", "id_type": "居民身份证", "id_number": ID_NUMBER, "phone": ENTERED,
            "username": "claimant", "password": PASSWORD, "password_confirm": PASSWORD}
    data.update(overrides)
    return data


def register(client, **overrides):
    r = client.post("/api/v1/auth/register", json=registration(**overrides))
    assert r.status_code == 202, r.text
    assert r.json() == ACCEPTED
    return api_token(client, overrides.get("username", "claimant"))


def sms_to(outbox, phone, topic="otp.claim"):
    return [m for m in outbox.messages(to=phone) if m["topic"] == topic]


@pytest.fixture
def victim(make_person, run):
    """王芳 recorded by a provider, with her phone on file and a skill certificate."""
    from datetime import date

    from certification.services.issuance import NewCertificate, issue
    from core.actor import Actor
    from tests.certification.conftest import SKILL_PREFIX

    person = make_person("王芳", ID_NUMBER, ON_FILE)
    [cert_id] = run(issue, [NewCertificate(
        person_id=person.id, kind="skill", qualification_code="CHILDCARE_WORKER",
        number_prefix=f"{SKILL_PREFIX}264", issuer_name="宁河职业培训学校", issuer_code="S1234",
        issued_on=date(2026, 6, 1), origin_key="test:claim", level=4)],
        Actor.system("test"), job_title="测试")
    return person, type("Cert", (), {"id": cert_id})


def test_the_attack_fails_until_the_code_sent_to_the_phone_on_file_is_entered(
        client, run, outbox, victim, make_user):
    person, cert = victim
    make_user("facility_operator", "op1")
    operator = api_token(client, "op1")
    fid = register_facility(client, operator)
    staff = link_staff(client, operator, fid, "王芳", ["caregiver"], consent=False,
                       number=ID_NUMBER)

    headers = register(client)  # the attacker knows her name and number
    assert sms_to(outbox, ENTERED) == []  # never to the phone entered
    assert len(sms_to(outbox, ON_FILE)) == 1
    user = run(User.objects().where(User.username == "claimant").first)
    assert user.person is None and user.identity_verified_at is None

    # Nothing of the record reaches the claimant.
    r = client.get("/api/v1/me/certificates", headers=headers)
    assert r.status_code == 404 and r.json()["detail"] == "账号未关联人员信息"
    for path in (f"/api/v1/certificates/{cert.id}", f"/api/v1/certificates/{cert.id}/pdf",
                 f"/api/v1/certificates/{cert.id}/vc"):
        assert client.get(path, headers=headers).status_code == 404, path
    r = client.post(f"/api/v1/staff-links/{staff['id']}/accept", headers=headers)
    assert r.status_code in (403, 404), r.text
    assert client.get(f"/api/v1/people/{person.id}", headers=headers).status_code == 404
    state = client.get("/api/v1/auth/claim", headers=headers).json()
    assert state["state"] == "pending" and state["message"] == "验证码已发送至登记的手机号码"
    assert state["phone_masked"] == "" and state["may_upload"] is True

    # A guess does not help; the code to the phone on file does.
    r = client.post("/api/v1/auth/claim/verify", json={"code": "000000"}, headers=headers)
    assert r.status_code == 422 and r.json()["detail"].startswith("验证码不正确")
    r = client.post("/api/v1/auth/claim/verify", json={"code": outbox.last_code(ON_FILE)},
                    headers=headers)
    assert r.status_code == 200 and r.json()["state"] == "verified"
    assert [c["id"] for c in client.get("/api/v1/me/certificates", headers=headers).json()] \
        == [cert.id]
    assert client.get(f"/api/v1/certificates/{cert.id}", headers=headers).status_code == 200
    assert client.get(f"/api/v1/people/{person.id}", headers=headers).json()["id_number"] \
        == ID_NUMBER
    r = client.post(f"/api/v1/staff-links/{staff['id']}/accept", headers=headers)
    assert r.status_code == 200, r.text
    claim = run(IdentityClaim.objects().first)
    assert (claim.state, claim.method, claim.person) == ("verified", "sms", person.id)
    assert claim.phone_verified_at is not None


def test_every_case_answers_alike_and_a_name_mismatch_sends_nothing(
        client, run, outbox, make_person):
    make_person("王芳", ID_NUMBER, ON_FILE)  # (b)
    first17 = "12022119900101001"
    no_phone = first17 + id_check_char(first17)
    make_person("李娜", no_phone)  # (c)
    other17 = "12022119900101002"
    unknown = other17 + id_check_char(other17)
    answers = []
    for i, (name, number) in enumerate((("王芳", ID_NUMBER), ("李娜", no_phone),
                                        ("张三", ID_NUMBER), ("赵六", unknown))):
        r = client.post("/api/v1/auth/register",
                        json=registration(name=name, id_number=number, username=f"user{i}",
                                          phone=f"1370000000{i}"))
        answers.append((r.status_code, r.json()))
    assert answers == [(202, ACCEPTED)] * 4
    # (b) code to the phone on file; (c) and (d) nothing at all; (a) code to the phone entered
    assert [m["recipient"] for m in outbox.messages() if m["topic"] == "otp.claim"] == [
        ON_FILE, "13700000003"]

    # (b), (c) and (d) look the same to the claimant, wrong codes included.
    seen = []
    for i in range(3):
        headers = api_token(client, f"user{i}")
        state = client.get("/api/v1/auth/claim", headers=headers).json()
        wrong = client.post("/api/v1/auth/claim/verify", json={"code": "000000"},
                            headers=headers).json()["detail"]
        seen.append((state, wrong))
    assert seen[0] == seen[1] == seen[2]
    assert seen[0][1] == "验证码不正确，还可尝试 4 次"


def test_a_new_person_proves_the_phone_entered_and_is_recorded_then(client, run, outbox):
    headers = register(client)
    assert run(Person.count) == 0
    state = client.get("/api/v1/auth/claim", headers=headers).json()
    assert state["phone_masked"] == "139****8888" and state["may_upload"] is False
    r = client.post("/api/v1/auth/claim/verify", json={"code": outbox.last_code(ENTERED)},
                    headers=headers)
    assert r.status_code == 200, r.text
    person = run(Person.objects().first)
    assert (person.id_number, person.phone, person.name) == (ID_NUMBER, ENTERED, "王芳")
    claim = run(IdentityClaim.objects().first)
    assert claim.method == "new" and claim.phone_verified_at is not None
    assert client.get(f"/api/v1/people/{person.id}", headers=headers).json()["id_number"] \
        == ID_NUMBER


def test_form_errors_stay_422_a_taken_username_409_and_nothing_is_written(client, run,
                                                                          make_user):
    r = client.post("/api/v1/auth/register", json=registration(id_number=FIRST17 + "0"))
    assert r.status_code == 422 and r.json()["field"] == "id_number"
    r = client.post("/api/v1/auth/register", json=registration(phone="12345"))
    assert r.status_code == 422 and r.json()["field"] == "phone"
    make_user("trainee", "claimant")
    r = client.post("/api/v1/auth/register", json=registration())
    assert r.status_code == 409 and r.json()["field"] == "username"
    assert run(IdentityClaim.count) == 0 and run(User.count) == 1
    assert not run(Message.exists().where(Message.topic == "otp.claim"))


def test_registration_is_limited_per_address(client, run):
    for i in range(10):
        r = client.post("/api/v1/auth/register", json=registration(username=f"x{i}",
                                                                   password="short"))
        assert r.status_code == 422
    r = client.post("/api/v1/auth/register", json=registration())
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    assert run(User.count) == 0


def test_five_wrong_codes_then_resend_gives_a_new_code(client, outbox, victim, clock):
    headers = register(client)
    messages = [client.post("/api/v1/auth/claim/verify", json={"code": "000000"},
                            headers=headers).json()["detail"] for _ in range(6)]
    assert messages[0] == "验证码不正确，还可尝试 4 次"
    assert messages[4:] == ["验证码错误次数过多，请重新获取"] * 2
    r = client.post("/api/v1/auth/claim/code", headers=headers)
    assert r.status_code == 429 and r.headers["Retry-After"]  # within 60 s of the first
    clock.set_now(clock.now() + timedelta(seconds=61))
    old = outbox.last_code(ON_FILE)
    r = client.post("/api/v1/auth/claim/code", headers=headers)
    assert r.status_code == 202 and r.json()["message"] == "验证码已发送至登记的手机号码"
    new = outbox.last_code(ON_FILE)
    assert len(sms_to(outbox, ON_FILE)) == 2
    if new != old:
        r = client.post("/api/v1/auth/claim/verify", json={"code": old}, headers=headers)
        assert r.status_code == 422
    r = client.post("/api/v1/auth/claim/verify", json={"code": new}, headers=headers)
    assert r.status_code == 200


def test_pages_lead_to_verify_and_show_no_number_on_file(client, run, outbox, victim):
    r = post_form(client, "/register", registration(), follow_redirects=False)
    assert r.headers["location"] == "/account/verify"
    for path in ("/", "/me", "/my/certificates/", "/training/my"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code in (302, 303) and r.headers["location"] == "/account/verify", path
    page = client.get("/account/verify")
    assert page.status_code == 200 and "验证码已发送至登记的手机号码" in page.text
    assert ON_FILE[-4:] not in page.text and ENTERED[-4:] not in page.text
    r = post_form(client, "/account/verify", {"code": "12"})
    assert r.status_code == 422 and "6 位数字验证码" in r.text
    r = post_form(client, "/account/verify/resend", {})
    assert r.status_code == 429 and "秒后再重新获取" in r.text
    r = post_form(client, "/account/verify", {"code": outbox.last_code(ON_FILE)},
                  follow_redirects=False)
    assert r.headers["location"] == "/"
    assert client.get("/me").status_code == 200 and ID_NUMBER in client.get("/me").text


def _upload(client, headers, consent=True, data=PNG):
    return client.post("/api/v1/auth/claim/document", headers=headers,
                       files={"document": ("id.png", data, "image/png")},
                       data={"consent": "yes"} if consent else {})


def test_no_phone_on_file_goes_to_the_officer_queue(client, run, outbox, make_person,
                                                    make_user, clock):
    person = make_person("王芳", ID_NUMBER)
    headers = register(client)
    assert sms_to(outbox, ENTERED) == [] and sms_to(outbox, ON_FILE) == []
    r = _upload(client, headers, consent=False)
    assert r.status_code == 422 and r.json()["field"] == "consent"
    r = _upload(client, headers, data=b"GIF89a not an image")
    assert r.status_code == 422 and r.json()["field"] == "document"
    assert run(StoredFile.count) == 0
    r = _upload(client, headers)
    assert r.status_code == 202 and r.json()["document_uploaded"] is True

    claim = run(IdentityClaim.objects().first)
    for role in ("provider_staff", "facility_operator", "edu_officer", "admin", "trainee"):
        make_user(role, f"{role}_x")
        login(client, f"{role}_x")
        for path in ("/officer/claims/", f"/officer/claims/{claim.id}",
                     f"/officer/claims/{claim.id}/document"):
            assert client.get(path, follow_redirects=False).status_code == 404, (role, path)
        post_form(client, "/logout", {})
    make_user("hrss_officer", "officer")
    assert login(client, "officer").status_code in (302, 303)
    queue = client.get("/officer/claims/")
    assert queue.status_code == 200 and f"/officer/claims/{claim.id}" in queue.text
    assert ID_NUMBER not in queue.text
    image = client.get(f"/officer/claims/{claim.id}/document")
    assert image.status_code == 200 and image.content == PNG
    assert image.headers["cache-control"] == "no-store"
    assert run(AuditLog.exists().where(AuditLog.action == "claim.document_viewed"))
    detail = client.get(f"/officer/claims/{claim.id}")
    assert "王芳" in detail.text and "未登记" in detail.text
    r = post_form(client, f"/officer/claims/{claim.id}/decide", {"decision": "reject", "note": ""})
    assert r.status_code == 422 and "请填写不通过的原因" in r.text
    r = post_form(client, f"/officer/claims/{claim.id}/decide", {"decision": "accept"},
                  follow_redirects=False)
    assert r.status_code in (302, 303)
    user = run(User.objects().where(User.username == "claimant").first)
    assert user.person == person.id and user.identity_verified_at is not None
    assert client.get("/api/v1/auth/claim", headers=headers).json()["state"] == "verified"

    # The image is deleted 30 days after the decision, by housekeeping.
    from core.claims.services import purge_decided_documents

    clock.set_now(clock.now() + timedelta(days=29))
    assert run(purge_decided_documents) == 0
    clock.set_now(clock.now() + timedelta(days=2))
    assert run(purge_decided_documents) == 1
    claim = run(IdentityClaim.objects().first)
    assert claim.document is None and claim.document_deleted_at is not None
    assert run(StoredFile.count) == 0
    assert run(AuditLog.exists().where(AuditLog.action == "claim.document_deleted"))
    assert client.get(f"/officer/claims/{claim.id}/document").status_code == 404


def test_a_rejected_claim_is_told_with_its_reason(client, run, outbox, make_person, make_user):
    make_person("王芳", ID_NUMBER)
    headers = register(client)
    _upload(client, headers)
    claim = run(IdentityClaim.objects().first)
    make_user("hrss_officer", "officer")
    login(client, "officer")
    post_form(client, f"/officer/claims/{claim.id}/decide",
              {"decision": "reject", "note": "照片模糊"})
    state = client.get("/api/v1/auth/claim", headers=headers).json()
    assert state["state"] == "rejected" and state["decision_note"] == "照片模糊"
    assert "照片模糊" in sms_to(outbox, ENTERED, "claim.rejected")[-1]["body"]
    assert run(User.select(User.person).where(User.username == "claimant").first)["person"] \
        is None
    assert _upload(client, headers).json()["state"] == "pending"  # a new claim, queued again


def test_audit_has_every_step_and_no_code_or_clear_numbers(client, run, outbox, victim):
    headers = register(client)
    code = outbox.last_code(ON_FILE)
    client.post("/api/v1/auth/claim/verify", json={"code": code}, headers=headers)
    rows = run(AuditLog.select(AuditLog.action, AuditLog.summary).order_by(AuditLog.id))
    actions = [r["action"] for r in rows]
    for action in ("user.register", "claim.create", "claim.code_sent", "claim.verified"):
        assert action in actions
    text = str(rows)
    assert code not in text and ID_NUMBER not in text and ON_FILE not in text
    assert ENTERED not in text


def test_migration_verifies_self_registrations_and_not_claims_of_others_records(
        client, run, outbox, make_person, make_user):
    """The 2026-11-30T01:51 rule, then an unverified account passes the code at next login."""
    from core import audit
    from core.actor import Actor

    migration = importlib.import_module("migrations.registry_2026_11_30t01_51_00_000000")
    own = make_person("李娜", None, "13700000001")  # created by her own registration
    theirs = make_person("王芳", ID_NUMBER, ON_FILE)  # created by a provider
    self_id = make_user("trainee", "lina")
    other_id = make_user("trainee", "wangfang")
    staff_id = make_user("provider_staff", "staff")
    anon = Actor(None, "", "anonymous", "1.2.3.4")
    # as the old self-registration left them: bound, no user.create row, not yet verified
    run(User.update({User.person: own.id}).where(User.id == self_id))
    run(User.update({User.person: theirs.id}).where(User.id == other_id))
    run(User.update({User.identity_verified_at: None}).where(User.role == "trainee"))
    run(AuditLog.delete().where(AuditLog.action.is_in(["person.create", "user.create"])))
    admin_made = make_user("trainee", "by_admin")
    run(User.update({User.identity_verified_at: None}).where(User.id == admin_made))
    run(audit.record, anon, "person.create", "person", own.id)
    run(audit.record, anon, "user.register", "user", self_id, after={"person_id": own.id})
    run(audit.record, Actor(staff_id, "staff", "provider_staff"), "person.create", "person",
        theirs.id)
    run(audit.record, anon, "user.register", "user", other_id, after={"person_id": theirs.id})
    assert run(migration.mark_self_registered) == (2, 1)
    assert run(migration.mark_self_registered) == (0, 1)  # a second run changes nothing
    verified = {r["username"]: r["identity_verified_at"]
                for r in run(User.select(User.username, User.identity_verified_at))}
    assert verified["lina"] is not None and verified["by_admin"] is not None
    assert verified["wangfang"] is None

    headers = api_token(client, "wangfang")
    assert client.get(f"/api/v1/people/{theirs.id}", headers=headers).status_code == 404
    login(client, "wangfang")
    assert client.get("/me", follow_redirects=False).headers["location"] == "/account/verify"
    assert "验证码已发送至登记的手机号码" in client.get("/account/verify").text
    r = post_form(client, "/account/verify", {"code": outbox.last_code(ON_FILE)},
                  follow_redirects=False)
    assert r.status_code in (302, 303) and r.headers["location"] == "/"
    assert client.get(f"/api/v1/people/{theirs.id}", headers=headers).json()["id_number"] \
        == ID_NUMBER


def test_proving_a_record_unbinds_an_unproved_account_bound_to_it_before(
        client, run, outbox, victim, make_user):
    person, _ = victim
    legacy = make_user("trainee", "legacy")  # bound before claims existed, never proved
    run(User.update({User.person: person.id, User.identity_verified_at: None}).where(
        User.id == legacy))
    register(client)
    code = outbox.last_code(ON_FILE)
    headers = api_token(client, "claimant")
    r = client.post("/api/v1/auth/claim/verify", json={"code": code}, headers=headers)
    assert r.status_code == 200, r.text
    rows = {r["username"]: r["person"] for r in run(User.select(User.username, User.person))}
    assert rows["claimant"] == person.id and rows["legacy"] is None
    assert run(AuditLog.exists().where(AuditLog.action == "claim.unbound"))


def test_a_mistyped_phone_is_corrected_by_filling_in_again(client, run, outbox):
    headers = register(client, phone="13900000001")  # a new person, phone mistyped
    r = client.post("/api/v1/auth/claim/restart", headers=headers, json={
        "name": "王芳", "id_type": "居民身份证", "id_number": FIRST17 + "0", "phone": ENTERED})
    assert r.status_code == 422 and r.json()["field"] == "id_number"
    r = client.post("/api/v1/auth/claim/restart", headers=headers, json={
        "name": "王芳", "id_type": "居民身份证", "id_number": ID_NUMBER, "phone": ENTERED})
    assert r.status_code == 202 and r.json() == ACCEPTED
    states = [c["state"] for c in run(IdentityClaim.select(IdentityClaim.state)
                                      .order_by(IdentityClaim.id))]
    assert states == ["withdrawn", "pending"]
    r = client.post("/api/v1/auth/claim/verify", json={"code": outbox.last_code(ENTERED)},
                    headers=headers)
    assert r.status_code == 200 and run(Person.objects().first).phone == ENTERED
    r = client.post("/api/v1/auth/claim/restart", headers=headers, json={
        "name": "王芳", "id_type": "居民身份证", "id_number": ID_NUMBER, "phone": ENTERED})
    assert r.status_code == 422 and r.json()["detail"] == "身份已核验，无需重新填写"


def test_the_verify_page_offers_to_fill_in_again(client, run, outbox):
    post_form(client, "/register", registration(phone="13900000001"))
    r = post_form(client, "/account/verify/restart",
                  {"name": "王芳", "id_type": "居民身份证", "id_number": ID_NUMBER, "phone": "1"})
    assert r.status_code == 422 and 'id="phone-error"' in r.text
    r = post_form(client, "/account/verify/restart",
                  {"name": "王芳", "id_type": "居民身份证", "id_number": ID_NUMBER,
                   "phone": ENTERED}, follow_redirects=False)
    assert r.headers["location"] == "/account/verify"
    assert "139****8888" in client.get("/account/verify").text
