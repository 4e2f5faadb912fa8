"""An officer approves a submitted exam session (certificates for everyone who passed) or returns
it; approval is atomic and idempotent, also when two officers approve at once (PostgreSQL)."""

from __future__ import annotations

import asyncio
import re

import pytest

from tests.conftest import api_token, login, post_form

SCORES = [("王芳", 85, 90), ("李娜", 59, 95), ("张伟", 60, 60)]


@pytest.fixture
def officer(make_user):
    make_user("hrss_officer", "officer")
    return "officer"


def test_officer_sees_candidates_and_approves(client, run, officer, submitted_session):
    from certification.jobs import run_pending_jobs
    from core.tables import Credential
    from training.tables import ExamSession

    session_id = submitted_session(SCORES)
    headers = api_token(client, officer)
    listing = client.get("/api/v1/certification/exam-sessions", headers=headers).json()
    assert [s["id"] for s in listing] == [session_id]
    detail = client.get(f"/api/v1/certification/exam-sessions/{session_id}", headers=headers).json()
    assert [(c["name"], c["passed"]) for c in detail["candidates"]] == [
        ("王芳", True), ("李娜", False), ("张伟", True)]
    assert detail["candidates"][1]["theory"] == 59
    response = client.post(f"/api/v1/certification/exam-sessions/{session_id}/approve",
                           headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert len(body["issued"]) == 2 and body["job_id"]
    rows = run(Credential.select().where(Credential.id.is_in(body["issued"])).order_by(
        Credential.id))
    assert all(re.fullmatch(r"S\d{4}12000001\d{2}4\d{6}", r["number"]) for r in rows)
    assert [r["number"][-6:] for r in rows] == ["000001", "000002"]
    assert all(r["issuer_name"].startswith("宁河职业技能评价中心") for r in rows)
    assert len({r["verification_code"] for r in rows}) == 2
    state = run(ExamSession.select(ExamSession.state, ExamSession.approved_by).first())
    assert state["state"] == "approved" and state["approved_by"] is not None
    again = client.post(f"/api/v1/certification/exam-sessions/{session_id}/approve",
                        headers=headers)
    assert again.status_code == 409 and "已审核通过" in again.json()["detail"]
    assert run(Credential.count()) == 2
    job = client.get(f"/api/v1/certification/jobs/{body['job_id']}", headers=headers).json()
    assert job["total"] == 2 and job["done_count"] == 0
    run(run_pending_jobs)
    job = client.get(f"/api/v1/certification/jobs/{body['job_id']}", headers=headers).json()
    assert job["state"] == "done" and job["done_count"] == 2
    verify = client.get(f"/api/v1/public/certificates/{rows[0]['number']}",
                        params={"name": "王芳"})
    assert verify.json()["status"] == "valid"


def test_return_with_reason(client, run, officer, submitted_session):
    from core.tables import AuditLog, Credential
    from training.tables import ExamSession

    session_id = submitted_session(SCORES)
    headers = api_token(client, officer)
    empty = client.post(f"/api/v1/certification/exam-sessions/{session_id}/return",
                        json={"reason": " "}, headers=headers)
    assert empty.status_code == 422 and empty.json()["field"] == "reason"
    assert run(ExamSession.select(ExamSession.state).first())["state"] == "submitted"
    response = client.post(f"/api/v1/certification/exam-sessions/{session_id}/return",
                           json={"reason": "第3名考生成绩与签到表不符"}, headers=headers)
    assert response.status_code == 200
    row = run(ExamSession.select().first())
    assert row["state"] == "results_uploaded" and row["return_reason"].startswith("第3名")
    approve = client.post(f"/api/v1/certification/exam-sessions/{session_id}/approve",
                          headers=headers)
    assert approve.status_code == 409
    assert run(Credential.count()) == 0
    assert run(AuditLog.count().where(AuditLog.action == "exam_session.return")) == 1


def test_provider_without_body_code_cannot_be_approved(client, run, officer, submitted_session):
    from core.tables import Credential

    session_id = submitted_session(SCORES, body=False)
    response = client.post(f"/api/v1/certification/exam-sessions/{session_id}/approve",
                           headers=api_token(client, officer))
    assert response.status_code == 409 and response.json()["field"] == "provider"
    assert run(Credential.count()) == 0


def test_pages_and_permissions(client, run, officer, submitted_session, make_user):
    session_id = submitted_session(SCORES)
    make_user("provider_staff", "staff1")
    make_user("edu_officer", "edu1")
    for user in ("staff1", "edu1"):
        headers = api_token(client, user)
        assert client.post(f"/api/v1/certification/exam-sessions/{session_id}/approve",
                           headers=headers).status_code == 403
    assert client.get("/api/v1/certification/exam-sessions/999",
                      headers=api_token(client, officer)).status_code == 404
    login(client, officer)
    listing = client.get("/certification/sessions/")
    assert listing.status_code == 200 and "宁河职业技能评价中心" in listing.text
    detail = client.get(f"/certification/sessions/{session_id}")
    assert "王芳" in detail.text and "1202" in detail.text
    empty = post_form(client, f"/certification/sessions/{session_id}/return", {"reason": ""})
    assert empty.status_code == 422 and "请填写退回原因" in empty.text
    done = post_form(client, f"/certification/sessions/{session_id}/approve", {"confirm": "1"},
                     follow_redirects=True)
    assert done.status_code == 200 and "向 2 名合格考生发证" in done.text
    twice = post_form(client, f"/certification/sessions/{session_id}/approve", {})
    assert twice.status_code == 409 and "已审核通过" in twice.text


def test_session_states_not_under_review_are_404(client, run, officer, submitted_session):
    from training.tables import ExamSession

    session_id = submitted_session(SCORES)
    run(ExamSession.update({ExamSession.state: "draft"}).where(ExamSession.id == session_id))
    assert client.get(f"/api/v1/certification/exam-sessions/{session_id}",
                      headers=api_token(client, officer)).status_code == 404


@pytest.mark.postgres_only
def test_two_officers_approving_at_once(client, run, officer, submitted_session, make_user):
    """Two approvals of the same session race, and two sessions of the same assessment body
    (same number prefix) are approved at the same time: one certificate per candidate, no
    duplicate serial."""
    from certification.services.approval import approve_session
    from core.actor import Actor
    from core.errors import Conflict
    from core.tables import Credential
    from training.tables import ExamSession

    names = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许"
    first = submitted_session([(f"考生{c}", 80, 80) for c in names])
    provider = run(ExamSession.select(ExamSession.provider).where(
        ExamSession.id == first).first())["provider"]
    second = submitted_session([(f"学员{c}", 80, 80) for c in names], provider_id=provider)
    a, b = Actor(1, "officer-a", "hrss_officer"), Actor(2, "officer-b", "hrss_officer")

    async def race():
        return await asyncio.gather(
            approve_session(first, a), approve_session(first, b),
            approve_session(second, a), approve_session(second, b),
            return_exceptions=True)

    results = run(race)
    conflicts = [r for r in results if isinstance(r, Conflict)]
    successes = [r for r in results if not isinstance(r, BaseException)]
    assert len(conflicts) == 2 and len(successes) == 2, results
    numbers = [r["number"] for r in run(Credential.select(Credential.number))]
    assert len(numbers) == 40 == len(set(numbers))
    assert sorted(int(n[-6:]) for n in numbers) == list(range(1, 41))
