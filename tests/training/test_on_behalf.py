"""Candidates registered by the provider: the provider enters the trainee's ID type, number and
name, chooses the 申报条件 line and records the evidence it saw; the registration waits for the
trainee (待本人确认) — confirmed in their account, or by the SMS code sent to the phone on file
that the trainee tells the provider. A name that does not match the number, an unknown number
and a person without a phone look the same to the provider, and such a request can never be
confirmed. A pending request is no candidate."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from core import clock
from core.tables import AuditLog, Person
from tests.conftest import api_token, login, post_form
from training.tables import ExamRegistration, OnBehalfRegistration

EXAM_DAY = (clock.today() + timedelta(days=20)).isoformat()
NOTE = "身份证原件及单位工作证明已核（编号 GZ-2026-031）"


def new_session(client, staff, level=5):
    r = client.post("/api/v1/exam-sessions", headers=staff, json={
        "qualification_code": "CHILDCARE_WORKER", "level": level, "exam_on": EXAM_DAY,
        "place": "宁河区考场"})
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    assert client.post(f"/api/v1/exam-sessions/{sid}/open", headers=staff).status_code == 200
    return sid


def register(client, staff, sid, id_number, name, condition=1, note=NOTE):
    return client.post("/api/v1/on-behalf-registrations", headers=staff, json={
        "session_id": sid, "id_type": "居民身份证", "id_number": id_number, "name": name,
        "condition": condition, "evidence_note": note})


def audits(run, action):
    rows = run(AuditLog.select().where(AuditLog.action == action).order_by(AuditLog.id))
    for row in rows:
        if isinstance(row["summary"], str):
            row["summary"] = json.loads(row["summary"])
    return rows


def person_row(run, person_id):
    return run(Person.select().where(Person.id == person_id).first)


def assert_nothing_of_person(text, person, entered_name):
    """The provider's answer holds nothing of the Person beyond what the provider typed."""
    if person["phone"]:
        assert person["phone"] not in text
        assert person["phone"][-4:] not in text.replace(person["id_number"], "")
    if person["birth_date"]:
        assert person["birth_date"].isoformat() not in text
    if person["name"] != entered_name:
        assert person["name"] not in text


@pytest.fixture
def setup(client, make_provider):
    world = make_provider()
    staff = api_token(client, world.staff)
    return world, staff, new_session(client, staff)


def test_conditions_listed_and_form_checked(client, setup, make_person):
    world, staff, sid = setup
    r = client.get(f"/api/v1/on-behalf-registrations/conditions?session_id={sid}", headers=staff)
    assert r.status_code == 200 and r.json()[0]["number"] == 1 and r.json()[0]["description"]
    person = make_person("赵兰")
    for body, field in (({"condition": 99}, "condition"), ({"note": ""}, "evidence_note"),
                        ({"note": "ab"}, "evidence_note")):
        r = register(client, staff, sid, person.id_number, "赵兰", **body)
        assert r.status_code == 422 and r.json()["field"] == field, r.text
    r = register(client, staff, sid, "120221199001010000", "赵兰")
    assert r.status_code == 422 and r.json()["field"] == "id_number"


def test_with_account_trainee_confirms_in_account(client, run, setup, make_trainee, outbox):
    world, staff, sid = setup
    username, _, person_id, id_number = make_trainee("王芳")
    person = person_row(run, person_id)
    before = len(outbox.messages(to=person["phone"]))
    r = register(client, staff, sid, id_number.lower(), " 王芳 ")
    assert r.status_code == 201, r.text
    body = r.json()
    rid = body["id"]
    assert body["state"] == "awaiting" and body["state_label"] == "待本人确认"
    assert body["name"] == "王芳" and "*" in body["id_number"] and body["evidence_note"] == NOTE
    assert_nothing_of_person(r.text, person, "王芳")
    # the trainee is told, by SMS to the phone on file
    notices = outbox.messages(to=person["phone"])[before:]
    assert [m["kind"] for m in notices] == ["notice"] and "我的考试" in notices[0]["body"]
    # pending: no candidate anywhere, and closing is not blocked by it
    assert client.get(f"/api/v1/exam-sessions/{sid}/registrations", headers=staff).json() == []
    assert client.get(f"/api/v1/exam-sessions/{sid}/results/summary",
                      headers=staff).json()["candidates"] == 0
    # the same number again while awaiting: refused on what was entered only
    assert register(client, staff, sid, id_number, "王芳").status_code == 409
    trainee = api_token(client, username)
    mine = client.get("/api/v1/on-behalf-registrations/mine", headers=trainee).json()
    assert [(m["id"], m["state"]) for m in mine] == [(rid, "awaiting")]
    r = client.post(f"/api/v1/on-behalf-registrations/{rid}/accept", headers=trainee)
    assert r.status_code == 200 and r.json()["state"] == "confirmed"
    assert client.post(f"/api/v1/on-behalf-registrations/{rid}/accept",
                       headers=trainee).status_code == 409
    [reg] = client.get(f"/api/v1/exam-sessions/{sid}/registrations", headers=staff).json()
    assert reg["status"] == "confirmed" and reg["name"] == "王芳"
    assert reg["evidence_note"] == NOTE  # the evidence the provider saw, recorded as such
    [row] = run(ExamRegistration.select().where(ExamRegistration.session == sid))
    assert row["person"] == person_id and row["confirmed_by"] == world.actor_staff.user_id
    listing = client.get(f"/api/v1/on-behalf-registrations?session_id={sid}",
                         headers=staff).json()
    assert [x["state_label"] for x in listing] == ["本人已确认"]
    assert client.get(f"/api/v1/exam-sessions/{sid}/results/summary",
                      headers=staff).json()["candidates"] == 1
    [created] = audits(run, "exam_on_behalf.create")
    assert created["summary"]["after"]["matched"] is True
    assert id_number not in json.dumps(created["summary"], ensure_ascii=False)
    [confirmed] = audits(run, "exam_on_behalf.confirm")
    assert confirmed["summary"]["after"]["via"] == "account"
    assert client.get("/api/v1/on-behalf-registrations/mine", headers=trainee).json() == []


def test_without_account_sms_code_to_phone_on_file(client, run, setup, make_person, outbox):
    world, staff, sid = setup
    person = make_person("李静", phone="13712345678")
    rid = register(client, staff, sid, person.id_number, "李静").json()["id"]
    r = client.post(f"/api/v1/on-behalf-registrations/{rid}/send-code", headers=staff)
    assert r.status_code == 202 and "我的考试" in r.json()["detail"]
    assert "13712345678" not in r.text and "5678" not in r.text
    code = outbox.last_code("13712345678")
    assert code
    # resending at once is throttled by core.otp
    assert client.post(f"/api/v1/on-behalf-registrations/{rid}/send-code",
                       headers=staff).status_code == 429
    wrong = "000000" if code != "000000" else "111111"
    r = client.post(f"/api/v1/on-behalf-registrations/{rid}/confirm-code", headers=staff,
                    json={"code": wrong})
    assert r.status_code == 422 and r.json()["field"] == "code" and "还可尝试 4 次" in r.text
    r = client.post(f"/api/v1/on-behalf-registrations/{rid}/confirm-code", headers=staff,
                    json={"code": code})
    assert r.status_code == 200 and r.json()["state"] == "confirmed", r.text
    [reg] = client.get(f"/api/v1/exam-sessions/{sid}/registrations", headers=staff).json()
    assert reg["status"] == "confirmed"
    [confirmed] = audits(run, "exam_on_behalf.confirm")
    assert confirmed["summary"]["after"]["via"] == "sms"
    assert len(audits(run, "exam_on_behalf.code_sent")) == 1


def test_wrong_name_unknown_number_and_no_phone_look_alike(client, run, setup, make_person,
                                                          make_trainee, outbox):
    """No oracle: a real number with another name, an unknown number, and a person without a
    phone get the same answers; none can ever be confirmed; nothing is sent to anyone."""
    from core.identity import id_check_char

    world, staff, sid = setup
    real = make_person("周敏", phone="13798765432")
    no_phone = make_person("吴霞")
    first17 = "12022119850505123"
    unknown = first17 + id_check_char(first17)
    sent_before = len(outbox.messages())
    answers = []
    for number, name in ((real.id_number, "周小敏"), (unknown, "周小敏"),
                         (no_phone.id_number, "吴霞")):
        r = register(client, staff, sid, number, name)
        assert r.status_code == 201, r.text
        body = {k: v for k, v in r.json().items() if k not in ("id", "id_number", "name")}
        code = client.post(f"/api/v1/on-behalf-registrations/{r.json()['id']}/send-code",
                           headers=staff)
        answers.append((body, code.status_code, code.json()))
        for guess in ("000000", "123456"):
            r2 = client.post(f"/api/v1/on-behalf-registrations/{r.json()['id']}/confirm-code",
                             headers=staff, json={"code": guess})
            assert r2.status_code == 422 and r2.json()["field"] == "code"
    assert answers[0] == answers[1] == answers[2]
    assert len(outbox.messages()) == sent_before  # no notice, no code: nobody to tell
    rows = run(OnBehalfRegistration.select().where(OnBehalfRegistration.session == sid)
               .order_by(OnBehalfRegistration.id))
    assert [r["person"] for r in rows] == [None, None, no_phone.id]
    listing = client.get(f"/api/v1/on-behalf-registrations?session_id={sid}", headers=staff)
    assert_nothing_of_person(listing.text, person_row(run, real.id), "周小敏")
    assert "周敏" not in listing.text.replace("周小敏", "")
    assert client.get(f"/api/v1/exam-sessions/{sid}/registrations", headers=staff).json() == []
    # the real 周敏, with an account, never sees the request made under another name
    username, _, person_id, id_number = make_trainee("郑洁")
    trainee = api_token(client, username)
    assert client.get("/api/v1/on-behalf-registrations/mine", headers=trainee).json() == []
    for row in rows:
        assert client.post(f"/api/v1/on-behalf-registrations/{row['id']}/accept",
                           headers=trainee).status_code == 404


def test_declined_is_shown_to_the_provider(client, run, setup, make_trainee):
    world, staff, sid = setup
    username, _, person_id, id_number = make_trainee("孙梅")
    rid = register(client, staff, sid, id_number, "孙梅").json()["id"]
    login(client, username)
    page = client.get("/training/exams")
    assert "待本人确认" in page.text and f"/training/exams/on-behalf/{rid}/decline" in page.text
    r = post_form(client, f"/training/exams/on-behalf/{rid}/decline", {},
                  follow_redirects=False)
    assert r.status_code in (302, 303)
    assert run(OnBehalfRegistration.select(OnBehalfRegistration.state).where(
        OnBehalfRegistration.id == rid).first)["state"] == "declined"
    assert "确认报名" not in client.get("/training/exams").text
    login(client, world.staff)
    page = client.get(f"/training/provider/exams/{sid}")
    assert "本人已拒绝" in page.text
    assert client.post(f"/api/v1/on-behalf-registrations/{rid}/send-code",
                       headers=staff).status_code == 409
    assert len(audits(run, "exam_on_behalf.decline")) == 1


def test_pages_provider_registers_and_trainee_confirms(client, run, setup, make_trainee):
    world, staff, sid = setup
    username, _, person_id, id_number = make_trainee("钱红")
    person = person_row(run, person_id)
    login(client, world.staff)
    page = client.get(f"/training/provider/exams/{sid}")
    assert "代为报名" in page.text and 'name="condition"' in page.text
    # a refused form keeps what was typed and names the field
    r = post_form(client, f"/training/provider/exams/{sid}/on-behalf", {
        "id_type": "居民身份证", "id_number": id_number, "name": "钱红", "condition": "1",
        "evidence_note": ""}, files={"evidence_file": ("", b"", "application/octet-stream")})
    assert r.status_code == 422 and "核验依据" in r.text and id_number in r.text
    r = post_form(client, f"/training/provider/exams/{sid}/on-behalf", {
        "id_type": "居民身份证", "id_number": id_number, "name": "钱红", "condition": "1",
        "evidence_note": NOTE}, files={"evidence_file": ("", b"", "application/octet-stream")},
        follow_redirects=True)
    assert r.status_code == 200 and "已代为报名，待本人确认" in r.text
    listed = r.text.split('class="on-behalf-list"')[1].split("</tbody>")[0]
    assert "钱红" in listed and "待本人确认" in listed and "输入本人收到的验证码" in listed
    assert_nothing_of_person(r.text, person, "钱红")
    [row] = run(OnBehalfRegistration.select().where(OnBehalfRegistration.session == sid))
    # a wrong code on the page: told so, still awaiting
    r = post_form(client, f"/training/provider/exams/{sid}/on-behalf/{row['id']}/confirm-code",
                  {"code": "12"}, follow_redirects=True)
    assert "6 位数字验证码" in r.text
    login(client, username)
    page = client.get("/training/exams")
    assert "待本人确认" in page.text and "确认报名" in page.text
    r = post_form(client, f"/training/exams/on-behalf/{row['id']}/accept", {},
                  follow_redirects=True)
    assert "已确认报名" in r.text and "确认报名</button>" not in r.text
    login(client, world.staff)
    page = client.get(f"/training/provider/exams/{sid}")
    listed = page.text.split('class="on-behalf-list"')[1].split("</tbody>")[0]
    assert "本人已确认" in listed and "输入本人收到的验证码" not in listed
    assert run(ExamRegistration.count().where(
        (ExamRegistration.session == sid) & (ExamRegistration.status == "confirmed"))) == 1


def test_sms_route_on_the_page(client, run, setup, make_person, outbox):
    world, staff, sid = setup
    person = make_person("冯丽", phone="13711112222")
    rid = register(client, staff, sid, person.id_number, "冯丽").json()["id"]
    login(client, world.staff)
    r = post_form(client, f"/training/provider/exams/{sid}/on-behalf/{rid}/send-code", {},
                  follow_redirects=True)
    assert "如本人在平台登记了手机号，验证码已发送" in r.text and "13711112222" not in r.text
    code = outbox.last_code("13711112222")
    r = post_form(client, f"/training/provider/exams/{sid}/on-behalf/{rid}/confirm-code",
                  {"code": code}, follow_redirects=True)
    assert "本人已确认报名" in r.text and "本人已确认" in r.text


def test_confirmation_only_while_registrations_are_decided(client, run, setup, make_trainee):
    world, staff, sid = setup
    username, _, _, id_number = make_trainee("陈晨")
    rid = register(client, staff, sid, id_number, "陈晨").json()["id"]
    # an awaiting request does not hold up closing (it is no registration)
    assert client.post(f"/api/v1/exam-sessions/{sid}/close", headers=staff).status_code == 200
    from training.tables import ExamSession
    run(ExamSession.update({ExamSession.state: "results_uploaded"}).where(
        ExamSession.id == sid))
    r = client.post(f"/api/v1/on-behalf-registrations/{rid}/accept",
                    headers=api_token(client, username))
    assert r.status_code == 409
    # and a closed session takes no new on-behalf registration
    assert register(client, staff, sid, id_number, "陈晨").status_code == 409


def test_another_provider_sees_nothing(client, setup, make_provider, make_trainee):
    world, staff, sid = setup
    _, _, _, id_number = make_trainee("蒋英")
    rid = register(client, staff, sid, id_number, "蒋英").json()["id"]
    other = api_token(client, make_provider().staff)
    assert register(client, other, sid, id_number, "蒋英").status_code == 404
    assert client.get(f"/api/v1/on-behalf-registrations?session_id={sid}",
                      headers=other).status_code == 404
    assert client.post(f"/api/v1/on-behalf-registrations/{rid}/send-code",
                       headers=other).status_code == 404
