"""Enrolments decided in bulk: the ticked enrolments of one course accepted or rejected
together, in application order up to capacity (the rest waitlisted), one transaction, one
audit row per enrolment; the API and the course page."""

from __future__ import annotations

from datetime import timedelta

from core import clock
from core.tables import AuditLog
from tests.conftest import api_token, login, post_form
from training.tables import Enrolment


def _world(client, run, make_provider, make_course, make_trainee, *, capacity: int,
           names=("甲", "乙", "丙")):
    world = make_provider()
    course = make_course(world, capacity=capacity)
    ids = []
    for name in names:
        username = make_trainee(name)[0]
        ids.append(client.post(f"/api/v1/courses/{course}/enrolments",
                               headers=api_token(client, username)).json()["id"])
    # application time decides the order: the first applicant is the first id
    start = clock.now() - timedelta(hours=len(ids))
    for n, eid in enumerate(ids):
        run(Enrolment.update({Enrolment.applied_at: start + timedelta(minutes=n)}).where(
            Enrolment.id == eid))
    return world, course, ids


def _states(run, ids) -> list[str]:
    rows = {r["id"]: r["state"] for r in run(Enrolment.select(Enrolment.id, Enrolment.state))}
    return [rows[i] for i in ids]


def _audits(run, action: str) -> list[str]:
    return sorted(r["entity_id"] for r in run(
        AuditLog.select(AuditLog.entity_id).where(AuditLog.action == action)))


def _bulk(client, world, course, ids, action="accept", reason=""):
    return client.post(f"/api/v1/courses/{course}/enrolments/decisions",
                       json={"ids": ids, "action": action, "reason": reason},
                       headers=api_token(client, world.staff))


def test_bulk_accept_exactly_full(client, run, make_provider, make_course, make_trainee):
    world, course, ids = _world(client, run, make_provider, make_course, make_trainee,
                                capacity=3)
    r = _bulk(client, world, course, ids)
    assert r.status_code == 200, r.text
    assert [(i["id"], i["outcome"], i["state"]) for i in r.json()["items"]] == [
        (ids[0], "accepted", "accepted"), (ids[1], "accepted", "accepted"),
        (ids[2], "accepted", "accepted")]
    assert _states(run, ids) == ["accepted"] * 3
    assert _audits(run, "enrolment.accepted") == sorted(str(i) for i in ids)


def test_bulk_accept_one_past_capacity_waitlists_the_latest_applicant(
        client, run, make_provider, make_course, make_trainee):
    world, course, ids = _world(client, run, make_provider, make_course, make_trainee,
                                capacity=2)
    # selected in reverse order: application time, not the selection, decides
    r = _bulk(client, world, course, list(reversed(ids)))
    assert r.status_code == 200
    items = {i["id"]: i for i in r.json()["items"]}
    assert [items[i]["outcome"] for i in ids] == ["accepted", "accepted", "waitlisted"]
    assert items[ids[2]]["message"] == "名额已满，列入候补"
    assert r.json()["order"] == "applied_at"
    assert _states(run, ids) == ["accepted", "accepted", "waitlisted"]
    assert _audits(run, "enrolment.waitlisted") == [str(ids[2])]


def test_bulk_accept_all_past_capacity(client, run, make_provider, make_course, make_trainee):
    world, course, ids = _world(client, run, make_provider, make_course, make_trainee,
                                capacity=1)
    staff = api_token(client, world.staff)
    client.post(f"/api/v1/enrolments/{ids[0]}/decision", json={"decision": "accept"},
                headers=staff)
    client.post(f"/api/v1/enrolments/{ids[1]}/decision", json={"decision": "waitlist"},
                headers=staff)
    r = _bulk(client, world, course, ids[1:])
    assert [(i["outcome"], i["before"], i["message"]) for i in r.json()["items"]] == [
        ("waitlisted", "waitlisted", "名额已满，仍在候补"),
        ("waitlisted", "applied", "名额已满，列入候补")]
    assert _states(run, ids) == ["accepted", "waitlisted", "waitlisted"]


def test_bulk_with_already_decided_ids_leaves_them(client, run, make_provider, make_course,
                                                   make_trainee):
    world, course, ids = _world(client, run, make_provider, make_course, make_trainee,
                                capacity=5)
    staff = api_token(client, world.staff)
    client.post(f"/api/v1/enrolments/{ids[0]}/decision",
                json={"decision": "reject", "reason": "材料不全"}, headers=staff)
    client.post(f"/api/v1/enrolments/{ids[1]}/decision", json={"decision": "accept"},
                headers=staff)
    r = _bulk(client, world, course, ids)
    assert [(i["outcome"], i["message"]) for i in r.json()["items"]] == [
        ("unchanged", "当前为“未录取”，未处理"), ("unchanged", "当前为“已录取”，未处理"),
        ("accepted", "")]
    assert _states(run, ids) == ["rejected", "accepted", "accepted"]
    r = _bulk(client, world, course, ids, "reject", "名额调整")
    assert [i["outcome"] for i in r.json()["items"]] == ["unchanged"] * 3


def test_bulk_reject_needs_one_reason_and_records_it(client, run, make_provider, make_course,
                                                     make_trainee):
    world, course, ids = _world(client, run, make_provider, make_course, make_trainee,
                                capacity=5)
    r = _bulk(client, world, course, ids[:2], "reject", "  ")
    assert r.status_code == 422 and r.json()["field"] == "reason"
    assert "不录取原因" in r.json()["detail"]
    assert _states(run, ids) == ["applied"] * 3
    r = _bulk(client, world, course, ids[:2], "reject", "年龄不符合要求")
    assert [i["state"] for i in r.json()["items"]] == ["rejected", "rejected"]
    reasons = run(Enrolment.select(Enrolment.reason).where(Enrolment.id.is_in(ids[:2])))
    assert {row["reason"] for row in reasons} == {"年龄不符合要求"}
    assert _audits(run, "enrolment.rejected") == sorted(str(i) for i in ids[:2])


def test_ids_of_another_course_or_provider_are_404_with_nothing_written(
        client, run, make_provider, make_course, make_trainee):
    world, course, ids = _world(client, run, make_provider, make_course, make_trainee,
                                capacity=5)
    other, other_course, other_ids = _world(client, run, make_provider, make_course,
                                            make_trainee, capacity=5, names=("丁",))
    enrolment_audits = AuditLog.entity_type == "enrolment"
    before = run(AuditLog.count().where(enrolment_audits))
    r = _bulk(client, world, course, [ids[0], other_ids[0]])
    assert r.status_code == 404
    r = _bulk(client, world, other_course, other_ids)  # the other provider's course
    assert r.status_code == 404
    r = _bulk(client, other, course, ids)
    assert r.status_code == 404
    assert _states(run, ids + other_ids) == ["applied"] * 4
    assert run(AuditLog.count().where(enrolment_audits)) == before
    r = _bulk(client, world, course, [])
    assert r.status_code == 422 and "ids" in r.text
    r = _bulk(client, world, course, ids, "waitlist")
    assert r.status_code == 422 and "action" in r.text


def test_course_page_bulk_accept_and_reject(client, run, make_provider, make_course,
                                            make_trainee):
    world, course, ids = _world(client, run, make_provider, make_course, make_trainee,
                                capacity=2, names=("王芳", "李强", "赵敏"))
    login(client, world.staff)
    page = client.get(f"/training/provider/courses/{course}").text
    assert page.count('form="bulk-enrolments"') == 3
    assert "按<strong>报名时间先后</strong>（而非勾选顺序）录取至名额满" in page
    assert "剩余名额 2 个" in page
    path = f"/training/provider/courses/{course}/enrolments/decisions"
    r = post_form(client, path, {"ids": [str(ids[0])], "action": "reject"},
                  follow_redirects=True)
    assert "请填写不录取原因" in r.text and _states(run, ids) == ["applied"] * 3
    r = post_form(client, path, {"ids": [str(i) for i in reversed(ids)], "action": "accept"},
                  follow_redirects=True)
    assert r.status_code == 200
    assert "批量处理完成：已录取 2 人：王芳、李强；名额已满，列入候补 1 人：赵敏" in r.text
    assert _states(run, ids) == ["accepted", "accepted", "waitlisted"]
    r = post_form(client, path, {"ids": [str(ids[2]), str(ids[0])], "action": "reject",
                                 "reason": "名额已满"}, follow_redirects=True)
    assert "已不予录取 1 人：赵敏；未处理 1 人：王芳（已录取）" in r.text
    page = client.get(f"/training/provider/courses/{course}").text
    assert 'id="bulk-enrolments"' not in page  # nothing left to decide
    r = post_form(client, path, {"ids": ["x"], "action": "accept"}, follow_redirects=True)
    assert "所选报名应为整数" in r.text and _states(run, ids)[0] == "accepted"


def test_other_provider_page_post_is_refused(client, run, make_provider, make_course,
                                             make_trainee):
    world, course, ids = _world(client, run, make_provider, make_course, make_trainee,
                                capacity=2, names=("王芳",))
    other = make_provider()
    login(client, other.staff)
    r = post_form(client, f"/training/provider/courses/{course}/enrolments/decisions",
                  {"ids": [str(ids[0])], "action": "accept"}, follow_redirects=True)
    assert "未找到该班次" in r.text
    assert _states(run, ids) == ["applied"]
