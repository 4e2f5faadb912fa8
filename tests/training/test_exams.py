"""Exam sessions and registration: assessment bodies only, the 申报条件 check with registry
evidence (course route, certificate + years, diploma), provider confirmation."""

from __future__ import annotations

from datetime import timedelta

from core import clock
from core.tables import WorkPeriod
from tests.conftest import api_token, login, post_form
from training.services import enrolment, exams
from training.services.courses import transition
from training.tables import ExamRegistration, ExamSession

EXAM_DAY = (clock.today() + timedelta(days=20)).isoformat()


def new_session(client, world, level=4, open_it=True):
    staff = api_token(client, world.staff)
    r = client.post("/api/v1/exam-sessions", headers=staff, json={
        "qualification_code": "CHILDCARE_WORKER", "level": level, "exam_on": EXAM_DAY,
        "place": "宁河区职业技能培训学校 3 楼"})
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    if open_it:
        assert client.post(f"/api/v1/exam-sessions/{sid}/open", headers=staff).status_code == 200
    return sid


def completed_course(run, world, make_course, trainee, level=4):
    course = make_course(world, level=level, theory=0, practical=1, starts_in=-5)
    eid = run(enrolment.apply, course, trainee[1])
    run(enrolment.decide, eid, "accept", "", world.actor_staff)
    run(transition, course, "running", world.actor_staff)
    from datetime import time

    from training.services.hours import complete, record_session
    run(record_session, course, clock.today() - timedelta(days=1), "practical", 1, "", {eid},
        world.actor_staff, starts_at=time(9), ends_at=time(10))
    run(complete, eid, world.actor_staff)
    return eid


def test_only_assessment_bodies_in_scope_create_sessions(client, run, make_provider):
    plain = make_provider(assessment=False)
    r = client.post("/api/v1/exam-sessions", headers=api_token(client, plain.staff), json={
        "qualification_code": "CHILDCARE_WORKER", "level": 4, "exam_on": EXAM_DAY})
    assert r.status_code == 409 and "评价机构" in r.json()["detail"]
    body = make_provider()
    r = client.post("/api/v1/exam-sessions", headers=api_token(client, body.staff), json={
        "qualification_code": "CHILDCARE_WORKER", "level": 1, "exam_on": EXAM_DAY})
    assert r.status_code == 422 and "未获准评价" in r.json()["detail"]
    r = client.post("/api/v1/exam-sessions", headers=api_token(client, body.staff), json={
        "qualification_code": "CHILDCARE_WORKER", "level": 4, "exam_on": "2000-01-01"})
    assert r.status_code == 422 and r.json()["field"] == "exam_on"
    assert run(ExamSession.count()) == 0


def test_registration_routes_and_what_is_missing(client, run, make_provider, make_course,
                                                make_trainee, make_credential):
    world = make_provider()
    sid = new_session(client, world)
    by_course, social, diploma, nobody = (make_trainee(n) for n in ("甲", "乙", "丙", "丁"))
    completed_course(run, world, make_course, by_course)
    # 社会考生: a 五级 certificate from 5 years ago + 5 years of declared work
    make_credential(social[2], "CHILDCARE_WORKER", level=5,
                    issued_on=clock.today() - timedelta(days=5 * 366))
    run(WorkPeriod.insert(WorkPeriod(person=social[2], employer="某托育园", occupation="保育师",
                                     started_on=clock.today() - timedelta(days=5 * 366),
                                     created_at=clock.today())))
    r = client.post(f"/api/v1/exam-sessions/{sid}/registrations", json={},
                    headers=api_token(client, by_course[0]))
    assert r.status_code == 201 and r.json()["route"] == "course"
    r = client.post(f"/api/v1/exam-sessions/{sid}/registrations", json={},
                    headers=api_token(client, social[0]))
    assert r.status_code == 201, r.text
    assert r.json()["route"] == "conditions" and "五级" in r.json()["eligibility"]["met"]
    assert r.json()["eligibility"]["relies_on_declared"] is True
    r = client.post(f"/api/v1/exam-sessions/{sid}/registrations",
                    json={"diplomas": ["vocational_school_in_field"]},
                    headers=api_token(client, diploma[0]))
    assert r.status_code == 201 and "中等职业学校" in r.json()["eligibility"]["met"]
    r = client.post(f"/api/v1/exam-sessions/{sid}/registrations", json={},
                    headers=api_token(client, nobody[0]))
    assert r.status_code == 422 and "不符合申报条件" in r.json()["detail"]
    assert "条件 1" in r.json()["detail"]
    r = client.post(f"/api/v1/exam-sessions/{sid}/registrations", json={},
                    headers=api_token(client, social[0]))
    assert r.status_code == 409
    assert run(ExamRegistration.count()) == 3


def test_provider_confirms_and_closes(client, run, make_provider, make_trainee):
    world, other = make_provider(), make_provider()
    sid = new_session(client, world)
    t = make_trainee()
    rid, _ = run(exams.register, sid, t[1], frozenset({"vocational_school_in_field"}), False)
    staff = api_token(client, world.staff)
    assert client.post(f"/api/v1/exam-sessions/{sid}/close", headers=staff).status_code == 409
    assert client.post(f"/api/v1/exam-registrations/{rid}/confirm",
                       headers=api_token(client, other.staff)).status_code == 404
    r = client.post(f"/api/v1/exam-registrations/{rid}/reject", json={"reason": ""},
                    headers=staff)
    assert r.status_code == 422
    # the diploma is the applicant's word: confirming records the certificate seen
    assert client.post(f"/api/v1/exam-registrations/{rid}/confirm", headers=staff,
                       json={"evidence_note": "毕业证书原件已核"}).json()["state"] == "confirmed"
    assert client.post(f"/api/v1/exam-sessions/{sid}/close", headers=staff).json()["state"] == \
        "closed"
    r = client.post(f"/api/v1/exam-sessions/{sid}/submit", headers=staff)
    assert r.status_code == 409


def test_registration_page_shows_met_or_missing(client, run, make_provider, make_trainee):
    world = make_provider()
    sid = new_session(client, world)
    username = make_trainee()[0]
    login(client, username)
    page = client.get(f"/training/exams/{sid}/register")
    assert page.status_code == 200 and "暂不符合" in page.text
    r = post_form(client, f"/training/exams/{sid}/register",
                  {"diplomas": "vocational_school_in_field", "action": "check"})
    assert "符合：" in r.text
    r = post_form(client, f"/training/exams/{sid}/register",
                  {"action": "register"})
    assert r.status_code == 422 and "不符合申报条件" in r.text
    r = post_form(client, f"/training/exams/{sid}/register",
                  {"diplomas": "vocational_school_in_field", "action": "register"},
                  follow_redirects=True)
    assert "报名已提交" in r.text and "待机构确认" in r.text


def test_my_registrations_api_and_course_update(client, run, make_provider, make_course,
                                                make_trainee):
    world = make_provider()
    sid = new_session(client, world)
    t = make_trainee()
    run(exams.register, sid, t[1], frozenset({"vocational_school_in_field"}), False)
    mine = client.get("/api/v1/exam-registrations/mine", headers=api_token(client, t[0])).json()
    assert mine[0]["status"] == "pending" and mine[0]["result"] is None
    course = make_course(world, capacity=5)
    staff = api_token(client, world.staff)
    body = client.get(f"/api/v1/courses/{course}", headers=staff).json()
    body = {k: body[k] for k in ("kind", "title", "qualification_code", "level",
                                 "theory_hours_required", "practical_hours_required",
                                 "capacity", "starts_on", "ends_on", "place", "fee_fen",
                                 "subsidy_eligible")}
    r = client.put(f"/api/v1/courses/{course}", json={**body, "capacity": 8}, headers=staff)
    assert r.status_code == 200 and r.json()["capacity"] == 8
    r = client.put(f"/api/v1/courses/{course}", json=body,
                   headers=api_token(client, make_provider().staff))
    assert r.status_code == 404
