"""Class hours: a session with the whole class's attendance, progress, completion only with the
required hours, and the training certificate on completing a training course."""

from __future__ import annotations

from datetime import timedelta

from core import clock
from core.tables import Credential
from tests.conftest import api_token, login, post_form
from training.services import enrolment
from training.tables import Attendance, ClassSession, Enrolment


def _running_class(run, world, make_course, make_trainee, n=2, **kw):
    course = make_course(world, starts_in=1, state="open", **kw)
    trainees = [make_trainee("学员" + "甲乙丙丁戊"[i]) for i in range(n)]
    ids = [run(enrolment.apply, course, t[1]) for t in trainees]
    for eid in ids:
        run(enrolment.decide, eid, "accept", "", world.actor_staff)
    from training.services.courses import transition
    run(transition, course, "running", world.actor_staff)
    return course, trainees, ids


def test_hours_progress_and_completion(client, run, make_provider, make_course, make_trainee):
    world = make_provider()
    course, trainees, (e1, e2) = _running_class(run, world, make_course, make_trainee,
                                                theory=4, practical=2)
    staff = api_token(client, world.staff)
    day = (clock.today() + timedelta(days=2)).isoformat()
    r = client.post(f"/api/v1/courses/{course}/class-sessions", headers=staff, json={
        "held_on": day, "kind": "theory", "hours": 4, "present": [e1, e2]})
    assert r.status_code == 201, r.text
    r = client.post(f"/api/v1/courses/{course}/class-sessions", headers=staff, json={
        "held_on": day, "kind": "practical", "hours": 2, "present": [e1]})
    assert r.status_code == 201
    assert run(Attendance.count()) == 4
    r = client.post(f"/api/v1/enrolments/{e2}/complete", headers=staff)
    assert r.status_code == 409
    assert "学时不足" in r.json()["detail"] and "实操 0/2" in r.json()["detail"]
    r = client.post(f"/api/v1/enrolments/{e1}/complete", headers=staff)
    assert r.status_code == 200 and r.json()["state"] == "completed"
    assert r.json()["credential_id"] is None  # a skill course: no training certificate
    mine = client.get("/api/v1/enrolments/mine", headers=api_token(client, trainees[1][0])).json()
    assert (mine[0]["theory_done"], mine[0]["practical_done"]) == (4, 0)
    login(client, trainees[1][0])
    assert "实操学时 0 / 2" in client.get("/training/my").text


def test_bad_session_input_writes_nothing(client, run, make_provider, make_course, make_trainee):
    world = make_provider()
    course, _, (e1, _e2) = _running_class(run, world, make_course, make_trainee)
    other = make_provider()
    staff = api_token(client, world.staff)
    day = (clock.today() + timedelta(days=2)).isoformat()
    r = client.post(f"/api/v1/courses/{course}/class-sessions", headers=staff, json={
        "held_on": "2001-01-01", "kind": "theory", "hours": 2, "present": [e1]})
    assert r.status_code == 422 and r.json()["field"] == "held_on"
    r = client.post(f"/api/v1/courses/{course}/class-sessions", headers=staff, json={
        "held_on": day, "kind": "theory", "hours": 2, "present": [e1, 99999]})
    assert r.status_code == 422 and r.json()["field"] == "present"
    r = client.post(f"/api/v1/courses/{course}/class-sessions", headers=staff, json={
        "held_on": day, "kind": "theory", "hours": 0, "present": [e1]})
    assert r.status_code == 400
    r = client.post(f"/api/v1/courses/{course}/class-sessions",
                    headers=api_token(client, other.staff),
                    json={"held_on": day, "kind": "theory", "hours": 2, "present": [e1]})
    assert r.status_code == 404
    assert run(ClassSession.count()) == 0 and run(Attendance.count()) == 0


def test_attendance_page_whole_class_in_one_form(client, run, make_provider, make_course,
                                                 make_trainee):
    world = make_provider()
    course, _, (e1, e2) = _running_class(run, world, make_course, make_trainee)
    login(client, world.staff)
    page = client.get(f"/training/provider/courses/{course}/attendance")
    assert page.status_code == 200 and "学员甲" in page.text and "学员乙" in page.text
    day = (clock.today() + timedelta(days=2)).isoformat()
    r = post_form(client, f"/training/provider/courses/{course}/attendance", {
        "held_on": day, "kind": "theory", "hours": "3", "topic": "婴幼儿生活照料",
        "present": [str(e1)]}, follow_redirects=True)
    assert r.status_code == 200 and "出勤 1 人" in r.text
    rows = run(Attendance.select(Attendance.enrolment, Attendance.present))
    assert {r["enrolment"]: r["present"] for r in rows} == {e1: True, e2: False}
    r = post_form(client, f"/training/provider/courses/{course}/attendance", {
        "held_on": "", "kind": "theory", "hours": "3"})
    assert r.status_code == 422 and "请填写日期" in r.text


def test_training_course_completion_issues_training_certificate(client, run, make_provider,
                                                                make_course, make_trainee):
    world = make_provider()
    course, trainees, (e1,) = _running_class(
        run, world, make_course, make_trainee, n=1, kind="training", code="DIRECTOR_TRAINING",
        theory=2, practical=0, title="托育机构负责人岗位培训")
    staff = api_token(client, world.staff)
    day = (clock.today() + timedelta(days=2)).isoformat()
    client.post(f"/api/v1/courses/{course}/class-sessions", headers=staff, json={
        "held_on": day, "kind": "theory", "hours": 2, "present": [e1]})
    r = client.post(f"/api/v1/enrolments/{e1}/complete", headers=staff)
    assert r.status_code == 200, r.text
    credential_id = r.json()["credential_id"]
    assert credential_id is not None
    cred = run(Credential.objects().where(Credential.id == credential_id).first)
    assert cred.code == "DIRECTOR_TRAINING" and cred.person == trainees[0][2]
    assert run(Enrolment.select(Enrolment.credential_id))[0]["credential_id"] == credential_id
