"""Officers manage providers; providers run courses; the public catalogue."""

from __future__ import annotations

from core.tables import AuditLog
from tests.conftest import api_token
from tests.training.conftest import uscc_for
from training.tables import Course, Provider


def test_officer_creates_approves_suspends_provider(client, run, make_user):
    make_user("hrss_officer", "hrss1")
    headers = api_token(client, "hrss1")
    body = {"name": "宁河区测试学校", "uscc": uscc_for(7).lower(), "address": "芦台镇",
            "is_assessment_body": True, "body_type": "S", "body_code": "0012",
            "site_serial": "000034",
            "scopes": [{"qualification_code": "CHILDCARE_WORKER", "level": 4, "scope": "examine"}]}
    r = client.post("/api/v1/providers", json=body, headers=headers)
    assert r.status_code == 201, r.text
    data = r.json()
    assert data["status"] == "pending" and data["uscc"] == uscc_for(7)
    assert data["province_code"] == "12"
    pid = data["id"]
    r = client.post(f"/api/v1/providers/{pid}/approve", headers=headers)
    assert r.json()["status"] == "approved"
    r = client.post(f"/api/v1/providers/{pid}/suspend", json={"reason": ""}, headers=headers)
    assert r.status_code == 422 and r.json()["field"] == "reason"
    r = client.post(f"/api/v1/providers/{pid}/suspend", json={"reason": "检查整改"},
                    headers=headers)
    assert r.json()["status"] == "suspended"
    actions = run(AuditLog.select(AuditLog.action).where(AuditLog.entity_type == "provider"))
    assert [a["action"] for a in actions] == ["provider.create", "provider.approve",
                                               "provider.suspend"]


def test_bad_uscc_and_body_codes_refused_nothing_written(client, run, make_user):
    make_user("hrss_officer", "hrss1")
    headers = api_token(client, "hrss1")
    base = {"name": "学校", "uscc": "91350100M000100Y44"}
    r = client.post("/api/v1/providers", json=base, headers=headers)
    assert r.status_code == 422 and r.json()["field"] == "uscc"
    r = client.post("/api/v1/providers", json={**base, "uscc": uscc_for(1),
                                                "is_assessment_body": True, "body_type": "S",
                                                "body_code": "12a", "site_serial": "000001"},
                    headers=headers)
    assert r.status_code == 422 and r.json()["field"] == "body_code"
    r = client.post("/api/v1/providers", json={**base, "uscc": uscc_for(1), "scopes": [
        {"qualification_code": "CHILDCARE_WORKER", "level": 4, "scope": "examine"}]},
        headers=headers)
    assert r.status_code == 422 and "评价机构" in r.json()["detail"]
    assert run(Provider.count()) == 0


def test_provider_staff_cannot_manage_providers(client, make_provider):
    world = make_provider()
    headers = api_token(client, world.staff)
    r = client.post("/api/v1/providers", json={"name": "x", "uscc": uscc_for(99)},
                    headers=headers)
    assert r.status_code == 403


def test_other_providers_objects_answer_404(client, make_provider, make_course):
    a, b = make_provider(), make_provider()
    course_b = make_course(b)
    headers = api_token(client, a.staff)
    assert client.get(f"/api/v1/courses/{course_b}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/providers/{b.provider_id}", headers=headers).status_code == 404
    assert client.post(f"/api/v1/courses/{course_b}/state", json={"state": "running"},
                       headers=headers).status_code == 404
    assert client.get(f"/api/v1/providers/{a.provider_id}", headers=headers).status_code == 200


def test_course_state_machine(client, run, make_provider):
    world = make_provider()
    headers = api_token(client, world.staff)
    body = {"kind": "skill", "title": "保育师四级班", "qualification_code": "CHILDCARE_WORKER",
            "level": 4, "theory_hours_required": 40, "practical_hours_required": 20,
            "capacity": 30, "starts_on": "2030-03-01", "ends_on": "2030-04-01", "fee_fen": 120000}
    r = client.post("/api/v1/courses", json=body, headers=headers)
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    assert r.json()["state"] == "draft"
    r = client.post(f"/api/v1/courses/{cid}/state", json={"state": "finished"}, headers=headers)
    assert r.status_code == 409 and "不能改为" in r.json()["detail"]
    for state in ("open", "running", "finished"):
        r = client.post(f"/api/v1/courses/{cid}/state", json={"state": state}, headers=headers)
        assert r.status_code == 200 and r.json()["state"] == state
    # level not in scope, dates reversed, wrong qualification kind
    r = client.post("/api/v1/courses", json={**body, "level": 1}, headers=headers)
    assert r.status_code == 422 and r.json()["field"] == "qualification_code"
    r = client.post("/api/v1/courses", json={**body, "ends_on": "2030-01-01"}, headers=headers)
    assert r.status_code == 422 and r.json()["field"] == "ends_on"
    r = client.post("/api/v1/courses", json={**body, "kind": "training"}, headers=headers)
    assert r.status_code == 422
    assert run(Course.count()) == 1


def test_unapproved_provider_cannot_create_courses(client, make_provider):
    world = make_provider(approve=False)
    headers = api_token(client, world.staff)
    r = client.post("/api/v1/courses", json={
        "kind": "skill", "title": "x", "qualification_code": "CHILDCARE_WORKER", "level": 4,
        "theory_hours_required": 1, "practical_hours_required": 1, "capacity": 3,
        "starts_on": "2030-03-01", "ends_on": "2030-04-01"}, headers=headers)
    assert r.status_code == 409 and "尚未批准" in r.json()["detail"]


def test_public_catalogue_search_and_pages(client, make_provider, make_course):
    a, b = make_provider(name="甲学校"), make_provider(name="乙学校")
    make_course(a, level=4)
    make_course(a, level=5, title="保育师五级班")
    make_course(b, level=4, state="draft")
    make_course(b, kind="training", code="DIRECTOR_TRAINING", title="负责人岗位培训")
    r = client.get("/api/v1/courses")
    assert r.json()["total"] == 3
    r = client.get("/api/v1/courses", params={"level": 5})
    assert [c["title"] for c in r.json()["items"]] == ["保育师五级班"]
    r = client.get("/api/v1/courses", params={"provider_id": b.provider_id})
    assert [c["title"] for c in r.json()["items"]] == ["负责人岗位培训"]
    page = client.get("/courses", params={"qualification_code": "CHILDCARE_WORKER"})
    assert page.status_code == 200
    assert "保育师五级班</a>" in page.text and "负责人岗位培训</a>" not in page.text
    page = client.get("/courses", params={"date_from": "bad"})
    assert page.status_code == 200 and "日期" in page.text
