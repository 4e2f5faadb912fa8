"""Shared builders of the class-hours tests: a running class and a session posted via the API."""

from __future__ import annotations

from datetime import timedelta

from core import clock
from training.services import enrolment


def running_class(run, world, make_course, make_trainee, n=2, names="甲乙丙丁戊", **kw):
    """A course that started five days ago, ``n`` accepted trainees, running."""
    kw.setdefault("starts_in", -5)
    course = make_course(world, state="open", **kw)
    trainees = [make_trainee("学员" + names[i]) for i in range(n)]
    ids = [run(enrolment.apply, course, t[1]) for t in trainees]
    for eid in ids:
        run(enrolment.decide, eid, "accept", "", world.actor_staff)
    from training.services.courses import transition
    run(transition, course, "running", world.actor_staff)
    return course, trainees, ids


def day(offset=0):
    return (clock.today() + timedelta(days=offset)).isoformat()


def post_session(client, headers, course, present, *, held_on=None, start="09:00", end="12:00",
                 kind="theory", hours=4, topic=""):
    """POST a session; ``held_on`` defaults to yesterday (China), so a session at fixed times
    is over whatever the hour of the real clock (one of today must end by now)."""
    return client.post(f"/api/v1/courses/{course}/class-sessions", headers=headers, json={
        "held_on": held_on or day(-1), "starts_at": start, "ends_at": end, "kind": kind,
        "hours": hours, "topic": topic, "present": present})
