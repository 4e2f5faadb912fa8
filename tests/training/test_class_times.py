"""Class times as stated by the provider: a session of today
that has not ended yet is refused, on recording and on correction; a time carrying a UTC
offset or seconds is refused naming the field (API and the attendance page), never stored with
its offset dropped, never a 500 on SQLite; an overlap check never compares aware with naive."""

from __future__ import annotations

from datetime import UTC, date, time

import pytest

from core import db
from tests.conftest import api_token, login, post_form
from tests.training.hours_helpers import day, post_session, running_class
from training.tables import Attendance, ClassSession, ClassSessionRevision

DAY = date(2026, 6, 10)


@pytest.fixture
def evening(clock):
    """20:00 China on DAY: every session of the day at usual hours is over."""
    clock.set_today(DAY, time(20, 0))
    return clock


def _class(client, run, make_provider, make_course, make_trainee):
    world = make_provider()
    course, _, ids = running_class(run, world, make_course, make_trainee, n=1, theory=8)
    return world, course, ids, api_token(client, world.staff)


def test_correction_to_a_time_not_yet_over_is_refused(client, run, clock, make_provider,
                                                      make_course, make_trainee):
    clock.set_today(DAY, time(8, 0))
    world, course, ids, staff = _class(client, run, make_provider, make_course, make_trainee)
    sid = post_session(client, staff, course, ids, held_on=day(-1)).json()["id"]
    r = client.put(f"/api/v1/class-sessions/{sid}", headers=staff, json={
        "held_on": day(0), "starts_at": "14:00", "ends_at": "18:00", "kind": "theory",
        "hours": 5, "reason": "日期录错"})
    assert r.status_code == 422 and r.json()["field"] == "ends_at"
    assert r.json()["detail"] == ("本次课今天 18:00 下课，现在是 08:00（中国时间），"
                                  "课上完后才能记录学时")
    row = run(ClassSession.select().first)
    assert (row["held_on"].isoformat(), row["revision"]) == (day(-1), 1)
    assert run(ClassSessionRevision.count()) == 1


OFFSETS = ["01:00:00Z", "09:00:00+08:00", "09:00+08:00", "01:00+00:00"]


@pytest.mark.parametrize("value", OFFSETS)
@pytest.mark.parametrize("field", ["starts_at", "ends_at"])
def test_a_time_with_an_offset_is_refused_naming_the_field(client, run, evening, make_provider,
                                                           make_course, make_trainee, value,
                                                           field):
    world, course, ids, staff = _class(client, run, make_provider, make_course, make_trainee)
    times = {"start": "08:00", "end": "12:00"} if field == "ends_at" else {"end": "12:00"}
    times["start" if field == "starts_at" else "end"] = value
    r = post_session(client, staff, course, ids, held_on=day(0), hours=1, **times)
    assert r.status_code == 422, r.text
    assert r.json()["field"] == field
    label = "上课时间" if field == "starts_at" else "下课时间"
    assert r.json()["detail"].startswith(f"{label}不能带时区")
    assert run(ClassSession.count()) == 0 and run(Attendance.count()) == 0


def test_offsets_after_a_plain_session_never_give_a_500(client, run, evening, make_provider,
                                                        make_course, make_trainee):
    """The reproduction: 09:00–12:00, then the same class with offsets, then correcting the
    session to an offset; every answer is a 422 naming the field, and the row keeps 09:00."""
    world, course, ids, staff = _class(client, run, make_provider, make_course, make_trainee)
    r = post_session(client, staff, course, ids, held_on=day(0))
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    for start, end in (("09:00:00+08:00", "12:00:00+08:00"), ("01:00:00Z", "04:00:00Z"),
                       ("13:00:00Z", "14:00:00Z")):
        r = post_session(client, staff, course, ids, held_on=day(0), start=start, end=end,
                         hours=1)
        assert (r.status_code, r.json()["field"]) == (422, "starts_at"), r.text
    r = client.put(f"/api/v1/class-sessions/{sid}", headers=staff, json={
        "held_on": day(0), "starts_at": "09:00", "ends_at": "04:00:00Z", "kind": "theory",
        "hours": 4, "reason": "改时间"})
    assert (r.status_code, r.json()["field"]) == (422, "ends_at"), r.text
    rows = run(ClassSession.select(ClassSession.starts_at, ClassSession.ends_at))
    assert rows == [{"starts_at": time(9), "ends_at": time(12)}]
    assert run(ClassSessionRevision.count()) == 1


@pytest.mark.parametrize(("start", "end", "field", "shown"), [
    ("09:00:59", "09:45", "starts_at", "09:00:59"),
    ("09:00", "09:45:30", "ends_at", "09:45:30"),
    ("09:00", "09:45:00.5", "ends_at", "09:45:00.5"),
])
def test_class_times_with_seconds_are_refused(client, run, evening, make_provider, make_course,
                                              make_trainee, start, end, field, shown):
    """Finding 13: 09:00:59–09:45:00 (44 minutes) was credited 1 学时."""
    world, course, ids, staff = _class(client, run, make_provider, make_course, make_trainee)
    r = post_session(client, staff, course, ids, held_on=day(0), start=start, end=end, hours=1)
    assert (r.status_code, r.json()["field"]) == (422, field), r.text
    label = "上课时间" if field == "starts_at" else "下课时间"
    assert r.json()["detail"].startswith(f"{label}只记到分钟（{shown}")
    assert run(ClassSession.count()) == 0
    assert post_session(client, staff, course, ids, held_on=day(0), start="09:00", end="09:45",
                        hours=1).status_code == 201  # 00 seconds: the same minute, accepted


def test_attendance_page_refuses_offsets_and_seconds(client, run, evening, make_provider,
                                                     make_course, make_trainee):
    world, course, ids, _staff = _class(client, run, make_provider, make_course, make_trainee)
    login(client, world.staff)
    url = f"/training/provider/courses/{course}/attendance"
    for start, end, text in (("09:00+08:00", "12:00", "上课时间不能带时区"),
                             ("09:00", "12:00Z", "下课时间不能带时区"),
                             ("09:00:59", "12:00", "上课时间只记到分钟")):
        r = post_form(client, url, {"held_on": day(0), "starts_at": start, "ends_at": end,
                                    "kind": "theory", "hours": "3", "present": [str(ids[0])]})
        assert r.status_code == 422 and text in r.text, (start, end)
    assert run(ClassSession.count()) == 0


def test_a_stored_aware_time_is_compared_as_china_time(client, run, evening, make_provider,
                                                       make_course, make_trainee):
    """A row stored with an offset before offsets were refused (SQLite kept it: 01:00Z is 09:00
    China) clashes with 09:00–12:00 — a 409 naming it, not a 500 — in the same class and for
    a trainee in another class."""
    if not db.is_sqlite():
        pytest.skip("PostgreSQL's time column never kept an offset")
    from core import clock
    world = make_provider()
    course, trainees, ids = running_class(run, world, make_course, make_trainee, n=1, theory=8)
    staff = api_token(client, world.staff)
    row = ClassSession(course=course, held_on=DAY, kind="theory", hours=4, topic="",
                       created_at=clock.now(), updated_at=clock.now(), state="recorded",
                       revision=1, starts_at=time(1, tzinfo=UTC),
                       ends_at=time(4, tzinfo=UTC))
    run(row.save)
    run(Attendance.insert(Attendance(session=row.id, enrolment=ids[0], present=True)))
    r = post_session(client, staff, course, ids, held_on=day(0), start="10:00", end="11:30",
                     hours=2)
    assert r.status_code == 409 and "不能重复记录" in r.json()["detail"], r.text
    from training.services import enrolment
    from training.services.courses import transition
    other = make_course(world, state="open", starts_in=-5, title="另一班")
    eid = run(enrolment.apply, other, trainees[0][1])
    run(enrolment.decide, eid, "accept", "", world.actor_staff)
    run(transition, other, "running", world.actor_staff)
    r = post_session(client, staff, other, [eid], held_on=day(0), start="11:00", end="12:30",
                     hours=2)
    assert r.status_code == 409 and r.json()["field"] == "present", r.text



def test_the_examination_flags_a_session_saved_before_it_ended(client, run, clock,
                                                               make_provider, make_course,
                                                               make_trainee):
    """Existing data is examined for the same kind: saved at 08:00 on its
    day for 14:00–18:00 is flagged; saved at 18:05 for the same times is not."""
    from datetime import datetime

    from core.clock import CHINA
    from training.integrity import examine
    from training.tables import SessionFlag
    clock.set_today(DAY, time(20, 0))
    world = make_provider()
    course, _, ids = running_class(run, world, make_course, make_trainee, n=1, theory=8)
    saved = {}
    for at, start, end in ((time(8), time(14), time(18)), (time(18, 5), time(9), time(12))):
        row = ClassSession(course=course, held_on=DAY, kind="theory", hours=1, topic="",
                           created_at=datetime.combine(DAY, at, CHINA), state="recorded",
                           revision=1, starts_at=start, ends_at=end)
        run(row.save)
        saved[at] = row.id
    report = run(examine)
    assert len(report.rows["future_date"]) == 1
    flags = run(SessionFlag.select(SessionFlag.session, SessionFlag.kind, SessionFlag.detail))
    assert [(f["session"], f["kind"]) for f in flags] == [(saved[time(8)], "future_date")]
    assert flags[0]["detail"] == "记录于当天 08:00，早于下课时间 18:00"
