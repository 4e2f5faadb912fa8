"""Completed hours withdrawn must reach the exam resting on them. A trainee
completes a skill course, registers for the exam on that basis and is confirmed; the provider
voids the sessions: the registration goes back to 待确认 with the reason shown to the provider
(page and API) and cannot be confirmed until the trainee completes again; once the session is
approved, a certificate issued from that exam goes to the officers' review queue."""

from __future__ import annotations

from datetime import date, time

from certification.tables import CertificateReview
from core.tables import AuditLog, Credential
from tests.conftest import api_token, login
from tests.training.hours_helpers import day, post_session, running_class
from training.tables import Enrolment, ExamRegistration, ExamResult, ExamSession

EXAM_DAY = date(2026, 6, 20)


def _confirmed_on_course(client, run, clock, make_provider, make_course, make_trainee):
    """The reproduction up to the void: (world, staff headers, enrolment, session of class,
    exam session, registration)."""
    from training.services import exams, hours
    clock.set_today(date(2026, 6, 10), time(20, 0))
    world = make_provider()
    course, trainees, ids = running_class(run, world, make_course, make_trainee, n=1,
                                          theory=3, practical=0)
    staff = api_token(client, world.staff)
    sid = post_session(client, staff, course, ids, start="09:00", end="12:00",
                       hours=3).json()["id"]
    run(hours.complete, ids[0], world.actor_staff)
    es = run(exams.create_session, "CHILDCARE_WORKER", 4, EXAM_DAY, "考场", world.actor_staff)
    run(exams.move, es, "open", world.actor_staff)
    reg, view = run(exams.register, es, trainees[0][1])
    assert view.route == "course" and view.enrolment_id == ids[0]
    run(exams.decide_registration, reg, True, "", world.actor_staff)
    return world, staff, ids[0], sid, es, reg


def _registration(run, reg):
    return run(ExamRegistration.select(ExamRegistration.status, ExamRegistration.reason,
                                       ExamRegistration.eligible).where(
        ExamRegistration.id == reg).first)


def test_void_sends_a_confirmed_registration_back_to_pending(client, run, clock, make_provider,
                                                             make_course, make_trainee):
    world, staff, eid, sid, es, reg = _confirmed_on_course(client, run, clock, make_provider,
                                                           make_course, make_trainee)
    r = client.post(f"/api/v1/class-sessions/{sid}/void", headers=staff,
                    json={"reason": "虚报的课"})
    assert r.status_code == 200, r.text
    e = run(Enrolment.select(Enrolment.state).where(Enrolment.id == eid).first)
    g = _registration(run, reg)
    assert e["state"] == "accepted"
    assert g["status"] == "pending" and not g["eligible"]
    assert g["reason"].startswith("报名依据的培训结业已撤销") and "虚报的课" in g["reason"]
    assert run(AuditLog.count().where(
        (AuditLog.action == "exam_registration.basis_withdrawn")
        & (AuditLog.entity_id == str(reg)))) == 1
    # the provider sees why (API and page)
    listed = client.get(f"/api/v1/exam-sessions/{es}/registrations", headers=staff).json()
    assert [(x["status"], "虚报的课" in x["reason"]) for x in listed] == [("pending", True)]
    # confirming again is refused while the completion is withdrawn; nothing changes
    r = client.post(f"/api/v1/exam-registrations/{reg}/confirm", headers=staff, json={})
    assert r.status_code == 409, r.text
    assert r.json()["detail"].startswith("报名依据的培训结业已撤销")
    assert _registration(run, reg)["status"] == "pending"
    login(client, world.staff)
    page = client.get(f"/training/provider/exams/{es}")
    assert page.status_code == 200 and "虚报的课" in page.text


def test_the_trainee_completes_again_and_the_provider_confirms(client, run, clock,
                                                               make_provider, make_course,
                                                               make_trainee):
    from training.services import exams, hours, hours_changes
    world, staff, eid, sid, es, reg = _confirmed_on_course(client, run, clock, make_provider,
                                                           make_course, make_trainee)
    run(hours_changes.correct_session, sid,
        hours.SessionInput(date.fromisoformat(day(-1)), time(9), time(10, 30), "theory", 2),
        None, "只上了两节", world.actor_staff)
    assert _registration(run, reg)["status"] == "pending"
    course = run(Enrolment.select(Enrolment.course).where(Enrolment.id == eid).first)["course"]
    assert post_session(client, staff, course, [eid], held_on=day(-2), start="09:00",
                        end="09:45", hours=1).status_code == 201
    run(hours.complete, eid, world.actor_staff)
    run(exams.decide_registration, reg, True, "", world.actor_staff)
    g = _registration(run, reg)
    assert (g["status"], g["reason"], g["eligible"]) == ("confirmed", "", True)


def test_a_certificate_from_the_exam_goes_to_the_officers(client, run, clock, make_provider,
                                                          make_course, make_trainee):
    from certification.services.approval import approve_session
    from training.services import hours_changes
    world, staff, eid, sid, es, reg = _confirmed_on_course(client, run, clock, make_provider,
                                                           make_course, make_trainee)
    person = run(ExamRegistration.select(ExamRegistration.person).where(
        ExamRegistration.id == reg).first)["person"]
    run(ExamSession.update({ExamSession.state: "submitted"}).where(ExamSession.id == es))
    run(ExamResult.insert(ExamResult(session=es, registration=reg, person=person, theory=80,
                                     practical=85, passed=True, created_at=clock.now())))
    clock.set_today(EXAM_DAY, time(16, 0))
    approval = run(approve_session, es, world.actor_officer)
    assert len(approval.issued) == 1
    cred = run(Credential.select(Credential.id).where(
        Credential.origin_type == "exam_result").first)["id"]
    run(hours_changes.void_session, sid, "虚报的课", world.actor_staff)
    items = run(CertificateReview.select().where(CertificateReview.credential == cred))
    assert [i["kind"] for i in items] == ["exam_basis_withdrawn"]
    assert "虚报的课" in items[0]["reason"]
    assert _registration(run, reg)["status"] == "confirmed"  # the approved exam is history
    officer = api_token(client, world.officer)
    listed = client.get("/api/v1/certification/reviews/", headers=officer)
    assert listed.status_code == 200 and "考试报名所依据的培训结业已撤销" in listed.text


def test_a_sent_back_registration_is_not_certified(client, run, clock, make_provider,
                                                   make_course, make_trainee):
    """Sent back after the results were in: its passing result is not certified at approval."""
    from certification.services.approval import approve_session
    from training.services import hours_changes
    world, staff, eid, sid, es, reg = _confirmed_on_course(client, run, clock, make_provider,
                                                           make_course, make_trainee)
    person = run(ExamRegistration.select(ExamRegistration.person).where(
        ExamRegistration.id == reg).first)["person"]
    run(ExamSession.update({ExamSession.state: "submitted"}).where(ExamSession.id == es))
    run(ExamResult.insert(ExamResult(session=es, registration=reg, person=person, theory=80,
                                     practical=85, passed=True, created_at=clock.now())))
    run(hours_changes.void_session, sid, "虚报的课", world.actor_staff)
    assert _registration(run, reg)["status"] == "pending"
    clock.set_today(EXAM_DAY, time(16, 0))
    approval = run(approve_session, es, world.actor_officer)
    assert approval.issued == [] and run(Credential.count().where(
        Credential.origin_type == "exam_result")) == 0


def test_sent_back_after_the_upload_the_provider_still_decides(client, run, clock,
                                                               make_provider, make_course,
                                                               make_trainee):
    """Results already uploaded: the sent-back registration can still be rejected (or
    confirmed once the trainee completes again); others stay closed to decisions."""
    from training.services import hours_changes
    world, staff, eid, sid, es, reg = _confirmed_on_course(client, run, clock, make_provider,
                                                           make_course, make_trainee)
    run(ExamSession.update({ExamSession.state: "results_uploaded"}).where(ExamSession.id == es))
    run(hours_changes.void_session, sid, "虚报的课", world.actor_staff)
    r = client.post(f"/api/v1/exam-registrations/{reg}/confirm", headers=staff, json={})
    assert r.status_code == 409 and r.json()["detail"].startswith("报名依据的培训结业已撤销")
    login(client, world.staff)
    page = client.get(f"/training/provider/exams/{es}")
    assert f'registrations/{reg}"' in page.text  # the decision form is offered
    r = client.post(f"/api/v1/exam-registrations/{reg}/reject", headers=staff,
                    json={"reason": "培训学时不足"})
    assert r.status_code == 200, r.text
    assert _registration(run, reg)["status"] == "rejected"


def test_submit_waits_for_the_sent_back_registration(client, run, clock, make_provider,
                                                     make_course, make_trainee):
    from training.services import exams, hours_changes
    world, staff, eid, sid, es, reg = _confirmed_on_course(client, run, clock, make_provider,
                                                           make_course, make_trainee)
    run(ExamSession.update({ExamSession.state: "results_uploaded"}).where(ExamSession.id == es))
    run(hours_changes.void_session, sid, "虚报的课", world.actor_staff)
    clock.set_today(EXAM_DAY, time(16, 0))
    staff = api_token(client, world.staff)  # a fresh token on the exam day
    r = client.post(f"/api/v1/exam-sessions/{es}/submit", headers=staff, json={})
    assert r.status_code == 409 and "还有待确认的报名" in r.json()["detail"], r.text
    assert run(ExamSession.select(ExamSession.state).where(
        ExamSession.id == es).first)["state"] == "results_uploaded"
    run(exams.decide_registration, reg, False, "培训学时不足", world.actor_staff)
    r = client.post(f"/api/v1/exam-sessions/{es}/submit", headers=staff, json={})
    assert "还有待确认的报名" not in r.text  # the next rule speaks (no results yet)


def test_another_completed_course_keeps_the_registration(client, run, clock, make_provider,
                                                         make_course, make_trainee):
    """The trainee also completed another 保育师 四级 course: the registration rests on it."""
    from training.services import enrolment, exams, hours, hours_changes
    from training.services.courses import transition
    clock.set_today(date(2026, 6, 10), time(20, 0))
    world = make_provider()
    first, trainees, (e1,) = running_class(run, world, make_course, make_trainee, n=1,
                                           theory=3, practical=0)
    second = make_course(world, state="open", starts_in=-5, theory=3, practical=0,
                         title="保育师四级周末班")
    e2 = run(enrolment.apply, second, trainees[0][1])
    run(enrolment.decide, e2, "accept", "", world.actor_staff)
    run(transition, second, "running", world.actor_staff)
    staff = api_token(client, world.staff)
    sessions = {e1: post_session(client, staff, first, [e1], held_on=day(-3),
                                 hours=3).json()["id"],
                e2: post_session(client, staff, second, [e2], held_on=day(-1),
                                 hours=3).json()["id"]}
    run(hours.complete, e1, world.actor_staff)
    run(hours.complete, e2, world.actor_staff)
    es = run(exams.create_session, "CHILDCARE_WORKER", 4, EXAM_DAY, "考场", world.actor_staff)
    run(exams.move, es, "open", world.actor_staff)
    reg, view = run(exams.register, es, trainees[0][1])
    basis = view.enrolment_id
    other = e1 if basis == e2 else e2
    run(exams.decide_registration, reg, True, "", world.actor_staff)
    run(hours_changes.void_session, sessions[basis], "虚报的课", world.actor_staff)
    row = run(ExamRegistration.select(ExamRegistration.status, ExamRegistration.enrolment).where(
        ExamRegistration.id == reg).first)
    assert row == {"status": "confirmed", "enrolment": other}
    assert run(AuditLog.count().where(
        AuditLog.action == "exam_registration.basis_replaced")) == 1
