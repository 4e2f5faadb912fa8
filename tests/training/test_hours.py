"""Class hours: a session with the whole class's attendance, progress, completion only with the
required hours, the training certificate on completing a training course — and the sessions
that cannot be recorded (future, twice, a trainee in two places, more 学时 than the span)."""

from __future__ import annotations

from core.tables import AuditLog, Credential
from tests.conftest import api_token, login, post_form
from tests.training.hours_helpers import day, post_session, running_class
from training.tables import Attendance, ClassSession, ClassSessionRevision, Enrolment


def test_hours_progress_and_completion(client, run, make_provider, make_course, make_trainee):
    world = make_provider()
    course, trainees, (e1, e2) = running_class(run, world, make_course, make_trainee,
                                               theory=4, practical=2)
    staff = api_token(client, world.staff)
    r = post_session(client, staff, course, [e1, e2], held_on=day(-1), hours=4)
    assert r.status_code == 201, r.text
    r = post_session(client, staff, course, [e1], held_on=day(-1), start="13:30", end="15:00",
                     kind="practical", hours=2)
    assert r.status_code == 201, r.text
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
    course, _, (e1, _e2) = running_class(run, world, make_course, make_trainee)
    other = make_provider()
    staff = api_token(client, world.staff)
    r = post_session(client, staff, course, [e1], held_on="2001-01-01", hours=2)
    assert r.status_code == 422 and r.json()["field"] == "held_on"
    r = post_session(client, staff, course, [e1, 99999], hours=2)
    assert r.status_code == 422 and r.json()["field"] == "present"
    r = post_session(client, staff, course, [e1], hours=0)
    assert r.status_code == 422
    r = post_session(client, staff, course, [e1], start=None, hours=2)
    assert r.status_code == 422 and r.json() == {
        "status_code": 422, "detail": "请填写上课时间", "field": "starts_at"}
    r = post_session(client, staff, course, [e1], start="12:00", end="09:00", hours=2)
    assert r.status_code == 422 and r.json()["detail"] == "下课时间应晚于上课时间"
    r = post_session(client, api_token(client, other.staff), course, [e1], hours=2)
    assert r.status_code == 404
    assert run(ClassSession.count()) == 0 and run(Attendance.count()) == 0


def test_future_session_refused_naming_the_date(client, run, make_provider, make_course,
                                                make_trainee, clock):
    """Today: a practical session dated ten days ahead was saved."""
    world = make_provider()
    course, _, (e1, _e2) = running_class(run, world, make_course, make_trainee)
    staff = api_token(client, world.staff)
    ahead = day(10)
    r = post_session(client, staff, course, [e1], held_on=ahead, kind="practical", hours=2)
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "held_on"
    assert r.json()["detail"] == (f"上课日期 {ahead} 晚于今天（{clock.today().isoformat()}），"
                                  "课上完后才能记录学时")
    assert run(ClassSession.count()) == 0 and run(Attendance.count()) == 0
    # tomorrow in China is refused even while the UTC date is still yesterday
    from datetime import datetime, time
    clock.set_now(datetime.combine(clock.today(), time(1, 0), clock.CHINA))  # 17:00 UTC before
    r = post_session(client, staff, course, [e1], held_on=day(1), hours=2)
    assert r.status_code == 422 and r.json()["field"] == "held_on"
    assert post_session(client, staff, course, [e1], held_on=day(0), start="00:00", end="00:45",
                        hours=1).status_code == 201


def test_session_of_today_not_yet_over_refused_naming_both_times(client, run, make_provider,
                                                                 make_course, make_trainee,
                                                                 clock):
    """At 08:00 China a session 14:00–18:00 the same day was accepted."""
    from datetime import date, time
    clock.set_today(date(2026, 6, 10), time(8, 0))
    world = make_provider()
    course, _, (e1, _e2) = running_class(run, world, make_course, make_trainee, theory=8)
    staff = api_token(client, world.staff)
    r = post_session(client, staff, course, [e1], held_on=day(0), start="14:00", end="18:00",
                     hours=5)
    assert r.status_code == 422 and r.json()["field"] == "ends_at"
    assert r.json()["detail"] == ("本次课今天 18:00 下课，现在是 08:00（中国时间），"
                                  "课上完后才能记录学时")
    r = post_session(client, staff, course, [e1], held_on=day(0), start="07:15", end="08:01",
                     hours=1)
    assert r.status_code == 422 and "08:01 下课，现在是 08:00" in r.json()["detail"]
    assert run(ClassSession.count()) == 0 and run(Attendance.count()) == 0
    r = post_session(client, staff, course, [e1], held_on=day(0), start="07:15", end="08:00",
                     hours=1)
    assert r.status_code == 201, r.text  # ended exactly now
    login(client, world.staff)  # the attendance page says the same
    r = post_form(client, f"/training/provider/courses/{course}/attendance", {
        "held_on": day(0), "starts_at": "14:00", "ends_at": "18:00", "kind": "theory",
        "hours": "5", "present": [str(e1)]})
    assert r.status_code == 422 and "18:00 下课，现在是 08:00" in r.text
    assert run(ClassSession.count()) == 1
    clock.set_today(date(2026, 6, 10), time(18, 0))
    r = post_form(client, f"/training/provider/courses/{course}/attendance", {
        "held_on": day(0), "starts_at": "14:00", "ends_at": "18:00", "kind": "theory",
        "hours": "5", "present": [str(e1)]}, follow_redirects=True)
    assert r.status_code == 200 and run(ClassSession.count()) == 2


def test_same_session_twice_refused_naming_the_first(client, run, make_provider, make_course,
                                                     make_trainee):
    """Today: the same session saved twice gave a trainee 12 of 4 practical hours."""
    world = make_provider()
    course, trainees, (e1, e2) = running_class(run, world, make_course, make_trainee,
                                               practical=4)
    staff = api_token(client, world.staff)
    r = post_session(client, staff, course, [e1, e2], held_on=day(-2), start="08:00",
                     end="14:00", kind="practical", hours=6, topic="婴幼儿生活照料")
    assert r.status_code == 201, r.text
    r = post_session(client, staff, course, [e1, e2], held_on=day(-2), start="08:00",
                     end="14:00", kind="practical", hours=6, topic="婴幼儿生活照料")
    assert r.status_code == 409
    assert r.json()["detail"] == (
        f"本班 {day(-2)} 08:00–14:00 已记录一次实操课“婴幼儿生活照料”（6 学时），与本次时间重叠，"
        "不能重复记录；如需修改请更正或作废该次课")
    # overlapping only in part is the same clash; touching ends is not
    r = post_session(client, staff, course, [e1], held_on=day(-2), start="13:00", end="15:00",
                     kind="theory", hours=2)
    assert r.status_code == 409 and "08:00–14:00" in r.json()["detail"]
    assert run(ClassSession.count()) == 1 and run(Attendance.count()) == 2
    r = post_session(client, staff, course, [e1], held_on=day(-2), start="14:00", end="15:30",
                     kind="theory", hours=2)
    assert r.status_code == 201
    mine = client.get("/api/v1/enrolments/mine", headers=api_token(client, trainees[1][0])).json()
    assert (mine[0]["practical_done"], mine[0]["practical_required"]) == (6, 4)


def test_trainee_cannot_attend_two_overlapping_sessions(client, run, make_provider, make_course,
                                                        make_trainee):
    world = make_provider()
    course_a, trainees, (a1,) = running_class(run, world, make_course, make_trainee, n=1)
    course_b = make_course(world, state="open", starts_in=-5, title="保育师四级周末班")
    from training.services import enrolment
    from training.services.courses import transition
    b1 = run(enrolment.apply, course_b, trainees[0][1])
    run(enrolment.decide, b1, "accept", "", world.actor_staff)
    run(transition, course_b, "running", world.actor_staff)
    staff = api_token(client, world.staff)
    assert post_session(client, staff, course_a, [a1], held_on=day(-1), start="09:00",
                        end="12:00", hours=4).status_code == 201
    before = run(Attendance.count())
    r = post_session(client, staff, course_b, [b1], held_on=day(-1), start="11:00",
                     end="12:30", hours=2)
    assert r.status_code == 409 and r.json()["field"] == "present"
    assert r.json()["detail"] == (f"学员 学员甲 在 {day(-1)} 09:00–12:00 已出勤“保育师四级培训班”"
                                  "的课，与本次时间重叠")
    assert run(Attendance.count()) == before and run(ClassSession.count()) == 1
    # absent from the other class's session at that time: no clash
    assert post_session(client, staff, course_b, [], held_on=day(-1), start="11:00",
                        end="12:30", hours=2).status_code == 201


def test_hours_bounded_by_span_and_minutes_per_hour(client, run, make_provider, make_course,
                                                    make_trainee):
    from datetime import date

    from training.tables import ClassHourRule
    world = make_provider()
    course, _, (e1, _e2) = running_class(run, world, make_course, make_trainee)
    staff = api_token(client, world.staff)
    rule = run(ClassHourRule.select().first)
    assert rule["minutes_per_hour"] == 45 and "45 分钟" in rule["source"]
    r = post_session(client, staff, course, [e1], start="09:00", end="11:59", hours=4)
    assert r.status_code == 422 and r.json()["field"] == "hours"
    assert r.json()["detail"] == ("学时超出上课时长：09:00–11:59 共 179 分钟，按每学时 45 分钟"
                                  "最多记 3 学时")
    assert post_session(client, staff, course, [e1], start="09:00", end="12:00",
                        hours=4).status_code == 201
    # the parameter is data: a 60-minute rule in force from yesterday applies from yesterday
    run(ClassHourRule.insert(ClassHourRule(effective_from=date.fromisoformat(day(-1)),
                                           minutes_per_hour=60, source="测试：本地新规")))
    r = post_session(client, staff, course, [e1], start="13:00", end="16:00", hours=4)
    assert r.status_code == 422 and "按每学时 60 分钟最多记 3 学时" in r.json()["detail"]
    assert run(ClassSession.count()) == 1


def test_attendance_page_whole_class_in_one_form(client, run, make_provider, make_course,
                                                 make_trainee):
    world = make_provider()
    course, _, (e1, e2) = running_class(run, world, make_course, make_trainee)
    login(client, world.staff)
    page = client.get(f"/training/provider/courses/{course}/attendance")
    assert page.status_code == 200 and "学员甲" in page.text and "上课时间" in page.text
    r = post_form(client, f"/training/provider/courses/{course}/attendance", {
        "held_on": day(-1), "starts_at": "09:00", "ends_at": "11:15", "kind": "theory",
        "hours": "3", "topic": "婴幼儿生活照料", "present": [str(e1)]}, follow_redirects=True)
    assert r.status_code == 200 and "出勤 1 人" in r.text
    rows = run(Attendance.select(Attendance.enrolment, Attendance.present))
    assert {r["enrolment"]: r["present"] for r in rows} == {e1: True, e2: False}
    assert run(ClassSessionRevision.count()) == 1
    assert run(AuditLog.count().where(AuditLog.action == "class_session.record")) == 1
    r = post_form(client, f"/training/provider/courses/{course}/attendance", {
        "held_on": "", "kind": "theory", "hours": "3"})
    assert r.status_code == 422 and "请填写上课日期" in r.text
    assert "请填写上课时间" in r.text and "请填写下课时间" in r.text  # every field at once
    r = post_form(client, f"/training/provider/courses/{course}/attendance", {
        "held_on": day(3), "starts_at": "09:00", "ends_at": "12:00", "kind": "practical",
        "hours": "2", "present": [str(e1)]})
    assert r.status_code == 422 and "晚于今天" in r.text
    r = post_form(client, f"/training/provider/courses/{course}/attendance", {
        "held_on": day(-1), "starts_at": "10:00", "ends_at": "12:00", "kind": "theory",
        "hours": "2", "present": [str(e2)]})
    assert r.status_code == 409 and "不能重复记录" in r.text
    r = post_form(client, f"/training/provider/courses/{course}/attendance", {
        "held_on": day(-1), "starts_at": "9点", "ends_at": "12:00", "kind": "theory",
        "hours": "2", "present": [str(e2)]})
    assert r.status_code == 422 and "上课时间格式应为 HH:MM" in r.text
    assert run(ClassSession.count()) == 1


def test_training_course_completion_issues_training_certificate(client, run, make_provider,
                                                                make_course, make_trainee):
    world = make_provider()
    course, trainees, (e1,) = running_class(
        run, world, make_course, make_trainee, n=1, kind="training", code="DIRECTOR_TRAINING",
        theory=2, practical=0, title="托育机构负责人岗位培训")
    staff = api_token(client, world.staff)
    assert post_session(client, staff, course, [e1], hours=2).status_code == 201
    r = client.post(f"/api/v1/enrolments/{e1}/complete", headers=staff)
    assert r.status_code == 200, r.text
    credential_id = r.json()["credential_id"]
    assert credential_id is not None
    cred = run(Credential.objects().where(Credential.id == credential_id).first)
    assert cred.code == "DIRECTOR_TRAINING" and cred.person == trainees[0][2]
    assert run(Enrolment.select(Enrolment.credential_id))[0]["credential_id"] == credential_id


def test_two_simultaneous_saves_of_one_session_record_it_once(client, run, make_provider,
                                                               make_course, make_trainee):
    """A double click: both requests race; the course lock lets exactly one through."""
    import asyncio
    from datetime import date, time

    from core.errors import Conflict
    from training.services.hours import record_session

    world = make_provider()
    course, _, (e1, e2) = running_class(run, world, make_course, make_trainee)

    async def twice():
        save = record_session(course, date.fromisoformat(day(-1)), "practical", 4, "", {e1, e2},
                              world.actor_staff, starts_at=time(8), ends_at=time(11))
        again = record_session(course, date.fromisoformat(day(-1)), "practical", 4, "",
                               {e1, e2}, world.actor_staff, starts_at=time(8), ends_at=time(11))
        return await asyncio.gather(save, again, return_exceptions=True)

    outcomes = run(twice)
    assert sum(isinstance(o, int) for o in outcomes) == 1
    assert sum(isinstance(o, Conflict) for o in outcomes) == 1
    assert run(ClassSession.count()) == 1 and run(Attendance.count()) == 2
