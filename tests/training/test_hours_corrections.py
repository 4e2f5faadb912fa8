"""Correcting and voiding class sessions (API and pages), their history and audit, and what
follows: progress, completion, and a training certificate sent to the officers' review queue,
where officers confirm it or act on it through the lifecycle."""

from __future__ import annotations

from certification.tables import CertificateReview
from core.tables import AuditLog, Credential
from tests.conftest import api_token, login, post_form
from tests.training.hours_helpers import day, post_session, running_class
from training.tables import ClassSession, ClassSessionRevision, Enrolment


def _certified(client, run, make_provider, make_course, make_trainee, n=1):
    """A 负责人 training course (2 theory hours) completed by its first trainee: certificate
    issued (the other ``n - 1`` trainees stay accepted)."""
    world = make_provider()
    course, trainees, (e1, *_rest) = running_class(
        run, world, make_course, make_trainee, n=n, kind="training", code="DIRECTOR_TRAINING",
        theory=2, practical=0, title="托育机构负责人岗位培训")
    staff = api_token(client, world.staff)
    r = post_session(client, staff, course, [e1], held_on=day(-1), start="09:00", end="10:30",
                     hours=2)
    sid = r.json()["id"]
    credential_id = client.post(f"/api/v1/enrolments/{e1}/complete",
                                headers=staff).json()["credential_id"]
    assert credential_id
    return world, course, e1, sid, credential_id, staff


def _correction(**kw):
    body = {"held_on": day(-1), "starts_at": "09:00", "ends_at": "10:30", "kind": "theory",
            "hours": 2, "topic": "", "reason": "录入错误"}
    body.update(kw)
    return body


def test_correction_below_requirement_reopens_and_queues_certificate(
        client, run, make_provider, make_course, make_trainee):
    world, course, e1, sid, cred, staff = _certified(client, run, make_provider, make_course,
                                                     make_trainee)
    r = client.put(f"/api/v1/class-sessions/{sid}", headers=staff,
                   json=_correction(ends_at="09:50", hours=1, reason="实际只上了 50 分钟"))
    assert r.status_code == 200, r.text
    assert r.json()["revision"] == 2 and r.json()["hours"] == 1
    history = client.get(f"/api/v1/class-sessions/{sid}/history", headers=staff).json()
    assert [(h["action"], h["hours"], h["reason"]) for h in history] == [
        ("record", 2, ""), ("correct", 1, "实际只上了 50 分钟")]
    enrolled = run(Enrolment.select().where(Enrolment.id == e1).first)
    assert enrolled["state"] == "accepted" and enrolled["completed_at"] is None
    assert enrolled["credential_id"] == cred  # the certificate is not silently dropped either
    items = run(CertificateReview.select())
    assert len(items) == 1 and items[0]["kind"] == "hours_short" and items[0]["state"] == "open"
    assert "理论 1/2" in items[0]["reason"] and "实际只上了 50 分钟" in items[0]["reason"]
    assert run(Credential.select(Credential.status).where(Credential.id == cred).first)[
        "status"] == "valid"  # the officer decides, not the provider's correction
    actions = {r["action"] for r in run(AuditLog.select(AuditLog.action))}
    assert {"class_session.correct", "enrolment.reopen", "certificate_review.queue"} <= actions
    # a second correction while the item is open adds no second item
    r = client.put(f"/api/v1/class-sessions/{sid}", headers=staff,
                   json=_correction(ends_at="09:50", hours=1, topic="政策法规", reason="补内容"))
    assert r.status_code == 200 and run(CertificateReview.count()) == 1

    officer = api_token(client, world.officer)
    listed = client.get("/api/v1/certification/reviews", headers=officer).json()
    assert listed["total"] == 1 and listed["items"][0]["kind_label"] == "学时更正后低于要求"
    item = listed["items"][0]["id"]
    r = client.post(f"/api/v1/certification/reviews/{item}/decision", headers=officer,
                    json={"action": "revoke", "note": ""})
    assert r.status_code == 422 and r.json()["field"] == "note"
    r = client.post(f"/api/v1/certification/reviews/{item}/decision", headers=officer,
                    json={"action": "revoke", "note": "学时不足，撤销",
                          "public_reason": "培训学时不足"})
    assert r.status_code == 200 and r.json()["state"] == "revoked"
    assert r.json()["certificate_status"] == "revoked"
    r = client.post(f"/api/v1/certification/reviews/{item}/decision", headers=officer,
                    json={"action": "confirm", "note": "再次处理"})
    assert r.status_code == 409
    assert client.get("/api/v1/certification/reviews", headers=staff).status_code == 403


def test_void_counts_for_nobody_and_officer_confirms(client, run, make_provider, make_course,
                                                     make_trainee):
    world, course, e1, sid, cred, staff = _certified(client, run, make_provider, make_course,
                                                     make_trainee)
    r = client.post(f"/api/v1/class-sessions/{sid}/void", headers=staff, json={"reason": ""})
    assert r.status_code == 422 and r.json()["detail"] == "请填写更正或作废的原因"
    assert run(ClassSession.select(ClassSession.state).first)["state"] == "recorded"
    r = client.post(f"/api/v1/class-sessions/{sid}/void", headers=staff,
                    json={"reason": "当天停课，误录"})
    assert r.status_code == 200 and r.json()["state"] == "void" and r.json()["action"] == "void"
    mine = client.get(f"/api/v1/courses/{course}/enrolments", headers=staff).json()
    assert mine[0]["theory_done"] == 0 and mine[0]["state"] == "accepted"
    assert client.post(f"/api/v1/class-sessions/{sid}/void", headers=staff,
                       json={"reason": "再作废"}).status_code == 409
    assert client.put(f"/api/v1/class-sessions/{sid}", headers=staff,
                      json=_correction()).status_code == 409
    listed = client.get(f"/api/v1/courses/{course}/class-sessions", headers=staff).json()
    assert [(s["state"], s["revision"]) for s in listed] == [("void", 2)]

    officer = api_token(client, world.officer)
    item = client.get("/api/v1/certification/reviews", headers=officer).json()["items"][0]
    r = client.post(f"/api/v1/certification/reviews/{item['id']}/decision", headers=officer,
                    json={"action": "suspend", "note": "待机构补课",
                          "public_reason": "核查期间暂停"})
    assert r.status_code == 200 and r.json()["certificate_status"] == "suspended"
    r = client.post(f"/api/v1/certification/reviews/{item['id']}/decision", headers=officer,
                    json={"action": "confirm", "note": "机构已补课，证明有效"})
    assert r.status_code == 200 and r.json()["state"] == "confirmed"
    assert r.json()["certificate_status"] == "valid"


def test_bad_corrections_change_nothing(client, run, make_provider, make_course, make_trainee):
    world, course, e1, sid, cred, staff = _certified(client, run, make_provider, make_course,
                                                     make_trainee, n=2)
    other = post_session(client, staff, course, [], held_on=day(-1), start="13:00",
                         end="14:30", hours=2).json()["id"]
    cases = [
        (_correction(reason=" "), 422, "reason"),
        (_correction(held_on=day(3)), 422, "held_on"),
        (_correction(hours=3), 422, "hours"),
        (_correction(starts_at="13:30", ends_at="15:00"), 409, "held_on"),
        (_correction(present=[e1, 424242]), 422, "present"),
    ]
    for body, status, field in cases:
        r = client.put(f"/api/v1/class-sessions/{sid}", headers=staff, json=body)
        assert (r.status_code, r.json().get("field")) == (status, field), r.text
    stranger = api_token(client, make_provider().staff)
    assert client.put(f"/api/v1/class-sessions/{sid}", headers=stranger,
                      json=_correction()).status_code == 404
    assert run(ClassSessionRevision.count()) == 2  # one per recorded session
    assert [r["revision"] for r in run(ClassSession.select().order_by(ClassSession.id))] == [1, 1]
    assert run(CertificateReview.count()) == 0
    del other


def test_provider_and_officer_pages(client, run, make_provider, make_course, make_trainee):
    world, course, e1, sid, cred, _staff = _certified(client, run, make_provider, make_course,
                                                      make_trainee)
    login(client, world.staff)
    page = client.get(f"/training/provider/sessions/{sid}")
    assert page.status_code == 200 and "历史版本" in page.text and "录入" in page.text
    r = post_form(client, f"/training/provider/sessions/{sid}/void", {"void_reason": ""})
    assert r.status_code == 422 and "请填写作废原因" in r.text
    assert 'id="void_reason-error"' in r.text
    r = post_form(client, f"/training/provider/sessions/{sid}", {
        "held_on": day(-1), "starts_at": "09:00", "ends_at": "09:45", "kind": "theory",
        "hours": "1", "present": [str(e1)], "reason": "下课时间记错"}, follow_redirects=True)
    assert r.status_code == 200 and "已更正" in r.text and "下课时间记错" in r.text
    course_page = client.get(f"/training/provider/courses/{course}")
    assert "已更正" in course_page.text and "09:00–09:45" in course_page.text

    client.get("/logout")
    login(client, world.officer)
    page = client.get("/certification/reviews/")
    assert page.status_code == 200 and "学时更正后低于要求" in page.text
    item = run(CertificateReview.select(CertificateReview.id).first)["id"]
    r = post_form(client, f"/certification/reviews/{item}", {"action": "confirm", "note": ""})
    assert r.status_code == 422 and "请填写核查意见" in r.text
    r = post_form(client, f"/certification/reviews/{item}",
                  {"action": "reissue", "note": "机构补课后换发"}, follow_redirects=True)
    assert r.status_code == 200 and "已换发" in r.text
    old = run(Credential.select().where(Credential.id == cred).first)
    assert old["status"] == "superseded" and old["superseded_by"]


def test_completion_earned_again_after_revocation_gets_a_new_certificate(
        client, run, make_provider, make_course, make_trainee):
    world, course, e1, sid, cred, staff = _certified(client, run, make_provider, make_course,
                                                     make_trainee)
    r = client.post(f"/api/v1/class-sessions/{sid}/void", headers=staff,
                    json={"reason": "该次课未实际开课"})
    assert r.status_code == 200, r.text
    officer = api_token(client, world.officer)
    item = client.get("/api/v1/certification/reviews", headers=officer).json()["items"][0]["id"]
    r = client.post(f"/api/v1/certification/reviews/{item}/decision", headers=officer,
                    json={"action": "revoke", "note": "学时不足，撤销",
                          "public_reason": "培训学时不足"})
    assert r.status_code == 200 and r.json()["certificate_status"] == "revoked"
    # the hours are really taught later; completing again earns a new certificate
    r = post_session(client, staff, course, [e1], held_on=day(-1), start="13:00", end="14:30",
                     hours=2)
    assert r.status_code == 201, r.text
    again = client.post(f"/api/v1/enrolments/{e1}/complete", headers=staff)
    assert again.status_code == 200, again.text
    new = again.json()["credential_id"]
    assert new and new != cred
    statuses = {r["id"]: r["status"] for r in run(Credential.select(Credential.id,
                                                                    Credential.status))}
    assert statuses[cred] == "revoked" and statuses[new] == "valid"
    assert run(Enrolment.select().where(Enrolment.id == e1).first)["credential_id"] == new
    # and completing is still idempotent for the new certificate
    assert client.post(f"/api/v1/enrolments/{e1}/complete",
                       headers=staff).status_code in (200, 409)
    assert run(Credential.count()) == 2
