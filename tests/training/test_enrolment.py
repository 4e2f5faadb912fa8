"""Enrolment: apply, accept within capacity (also concurrently), reject with a reason,
waiting list, withdraw before the start."""

from __future__ import annotations

import asyncio

import pytest

from core.errors import Conflict
from tests.conftest import api_token, login, post_form
from training.services import enrolment
from training.tables import Enrolment


def test_apply_accept_reject_and_capacity(client, run, make_provider, make_course, make_trainee):
    world = make_provider()
    course = make_course(world, capacity=1)
    t1, t2 = make_trainee("王芳"), make_trainee("李强")
    h1, h2 = api_token(client, t1[0]), api_token(client, t2[0])
    staff = api_token(client, world.staff)
    e1 = client.post(f"/api/v1/courses/{course}/enrolments", headers=h1).json()["id"]
    e2 = client.post(f"/api/v1/courses/{course}/enrolments", headers=h2).json()["id"]
    again = client.post(f"/api/v1/courses/{course}/enrolments", headers=h1)
    assert again.status_code == 409 and again.json()["detail"] == "您已报名该班次"
    r = client.post(f"/api/v1/enrolments/{e1}/decision", json={"decision": "accept"},
                    headers=staff)
    assert r.json()["state"] == "accepted"
    r = client.post(f"/api/v1/enrolments/{e2}/decision", json={"decision": "accept"},
                    headers=staff)
    assert r.status_code == 409 and "名额已满" in r.json()["detail"]
    r = client.post(f"/api/v1/enrolments/{e2}/decision", json={"decision": "reject"},
                    headers=staff)
    assert r.status_code == 422 and r.json()["field"] == "reason"
    r = client.post(f"/api/v1/enrolments/{e2}/decision",
                    json={"decision": "reject", "reason": "名额已满"}, headers=staff)
    assert r.json()["state"] == "rejected"
    states = run(Enrolment.select(Enrolment.state).order_by(Enrolment.id))
    assert [s["state"] for s in states] == ["accepted", "rejected"]


def test_waiting_list_offers_freed_seat_in_order(client, run, make_provider, make_course,
                                                 make_trainee):
    world = make_provider()
    course = make_course(world, capacity=1)
    trainees = [make_trainee(n) for n in ("甲", "乙", "丙")]
    ids = [client.post(f"/api/v1/courses/{course}/enrolments",
                       headers=api_token(client, t[0])).json()["id"] for t in trainees]
    staff = api_token(client, world.staff)
    client.post(f"/api/v1/enrolments/{ids[0]}/decision", json={"decision": "accept"},
                headers=staff)
    for eid in ids[1:]:
        r = client.post(f"/api/v1/enrolments/{eid}/decision", json={"decision": "waitlist"},
                        headers=staff)
        assert r.json()["state"] == "waitlisted"
    r = client.post(f"/api/v1/enrolments/{ids[0]}/withdraw", headers=api_token(client,
                                                                                 trainees[0][0]))
    assert r.status_code == 200
    states = {r["id"]: r["state"] for r in run(Enrolment.select(Enrolment.id, Enrolment.state))}
    assert states == {ids[0]: "withdrawn", ids[1]: "accepted", ids[2]: "waitlisted"}


def test_withdraw_refused_after_start_and_for_others(client, run, make_provider, make_course,
                                                    make_trainee):
    world = make_provider()
    course = make_course(world, starts_in=0)
    t1, t2 = make_trainee(), make_trainee()
    eid = client.post(f"/api/v1/courses/{course}/enrolments",
                      headers=api_token(client, t1[0])).json()["id"]
    r = client.post(f"/api/v1/enrolments/{eid}/withdraw", headers=api_token(client, t2[0]))
    assert r.status_code == 404
    r = client.post(f"/api/v1/enrolments/{eid}/withdraw", headers=api_token(client, t1[0]))
    assert r.status_code == 409 and "已开班" in r.json()["detail"]
    assert run(Enrolment.select(Enrolment.state))[0]["state"] == "applied"


def test_cannot_apply_to_draft_or_running_course(client, make_provider, make_course,
                                                 make_trainee):
    world = make_provider()
    draft, running = make_course(world, state="draft"), make_course(world, state="running")
    headers = api_token(client, make_trainee()[0])
    assert client.post(f"/api/v1/courses/{draft}/enrolments", headers=headers).status_code == 404
    r = client.post(f"/api/v1/courses/{running}/enrolments", headers=headers)
    assert r.status_code == 409 and "报名期" in r.json()["detail"]


def test_other_provider_cannot_decide(client, make_provider, make_course, make_trainee):
    a, b = make_provider(), make_provider()
    course = make_course(a)
    eid = client.post(f"/api/v1/courses/{course}/enrolments",
                      headers=api_token(client, make_trainee()[0])).json()["id"]
    r = client.post(f"/api/v1/enrolments/{eid}/decision", json={"decision": "accept"},
                    headers=api_token(client, b.staff))
    assert r.status_code == 404


def _race(run, world, make_course, make_trainee):
    course = make_course(world, capacity=1)
    ids = [run(enrolment.apply, course, make_trainee()[1]) for _ in range(2)]

    async def both():
        return await asyncio.gather(
            *[enrolment.decide(eid, "accept", "", world.actor_staff) for eid in ids],
            return_exceptions=True)

    outcomes = run(both)
    assert sorted("Conflict" if isinstance(o, Conflict) else o for o in outcomes) == [
        "Conflict", "accepted"], outcomes
    assert [o for o in outcomes if isinstance(o, Conflict)][0].message.startswith("名额已满")
    accepted = run(Enrolment.count().where((Enrolment.course == course)
                                           & (Enrolment.state == "accepted")))
    assert accepted == 1


@pytest.mark.postgres_only
def test_two_concurrent_accepts_for_last_seat_postgres(run, make_provider, make_course,
                                                      make_trainee):
    """Two tasks, each its own pooled connection and transaction: the row lock lets one win."""
    world = make_provider()
    for _ in range(5):
        _race(run, world, make_course, make_trainee)


def test_two_concurrent_accepts_for_last_seat_any_database(run, make_provider, make_course,
                                                           make_trainee):
    _race(run, make_provider(), make_course, make_trainee)


def test_pages_apply_and_my_courses(client, make_provider, make_course, make_trainee):
    world = make_provider()
    course = make_course(world)
    username = make_trainee()[0]
    assert client.get(f"/courses/{course}").status_code == 200
    login(client, username)
    r = post_form(client, f"/courses/{course}/apply", {}, follow_redirects=True)
    assert r.status_code == 200 and "已提交报名" in r.text
    page = client.get("/training/my")
    assert "保育师四级培训班" in page.text and "已申请" in page.text
