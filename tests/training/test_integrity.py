"""The integrity examination of existing data (``python -m training.integrity``, also run by
the migration): bad rows seeded directly are reported (counts and rows, no ID numbers),
certificates queued for officers, sessions flagged for providers; nothing else changes, and a
second run adds nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import time, timedelta
from pathlib import Path

from certification.tables import CertificateReview
from core import clock
from core.tables import AuditLog, Credential
from tests.conftest import login, post_form
from tests.training.hours_helpers import running_class
from training import integrity
from training.tables import (
    Attendance,
    ClassSession,
    Enrolment,
    ExamRegistration,
    ExamResult,
    ExamSession,
    SessionFlag,
)

ROOT = Path(__file__).resolve().parents[2]


def _exam_certificate(run, world, person_id, exam_in, approved_in, issued_in, number):
    """An approved exam session ``exam_in`` days from today, approved and a certificate issued
    ``approved_in`` / ``issued_in`` days from today (rows written directly, as old data)."""
    today = clock.today()
    at = clock.now()
    session = ExamSession(provider=world.provider_id, qualification_code="CHILDCARE_WORKER",
                          level=5, exam_on=today + timedelta(days=exam_in), state="approved",
                          approved_at=clock.china_midnight(today + timedelta(days=approved_in))
                          + timedelta(hours=10), created_at=at, updated_at=at)
    run(session.save)
    reg = ExamRegistration(session=session.id, person=person_id, route="conditions",
                           status="confirmed", created_at=at)
    run(reg.save)
    result = ExamResult(session=session.id, registration=reg.id, person=person_id, theory=80,
                        practical=80, passed=True, created_at=at)
    run(result.save)
    cred = Credential(person=person_id, code="CHILDCARE_WORKER", level=5, number=number,
                      issued_on=today + timedelta(days=issued_in), status="valid",
                      source="issued", origin_type="exam_result", origin_id=result.id,
                      created_at=at)
    run(cred.save)
    return cred.id


def _session(run, course, held_on, kind, hours, present, *, start=None, end=None,
             recorded_days_ago=0):
    created = clock.now() - timedelta(days=recorded_days_ago)
    row = ClassSession(course=course, held_on=held_on, kind=kind, hours=hours, topic="",
                       created_at=created, starts_at=start, ends_at=end)
    run(row.save)
    run(Attendance.insert(*[Attendance(session=row.id, enrolment=e, present=True)
                            for e in present]))
    return row.id


def _snapshot(run):
    tables = (ClassSession, Attendance, Enrolment, Credential, ExamSession, ExamResult)
    return {t.__name__: run(t.select().order_by(t.id)) for t in tables}


def _seed(run, make_provider, make_course, make_trainee, make_person):
    world = make_provider()
    holder = make_person("考生甲")
    early = _exam_certificate(run, world, holder.id, 2, 0, 0, "Y1234120000012026500001")
    revoked = _exam_certificate(run, world, holder.id, 3, 1, 1, "Y1234120000012026500003")
    run(Credential.update({Credential.status: "revoked"}).where(Credential.id == revoked))
    on_time = _exam_certificate(run, world, holder.id, -20, -10, -10, "Y1234120000012026500002")
    course, trainees, (e1, e2) = running_class(run, world, make_course, make_trainee,
                                               kind="training", code="DIRECTOR_TRAINING",
                                               theory=4, practical=4, starts_in=-30,
                                               title="负责人培训（旧数据）")
    yesterday = clock.today() - timedelta(days=1)
    # recorded 12 days ago for a day ten days ahead of then
    future = _session(run, course, yesterday - timedelta(days=1), "practical", 4, [e1],
                      recorded_days_ago=12)
    # the same practical session saved twice (old rows have no times)
    first = _session(run, course, yesterday, "practical", 6, [e1, e2])
    dup = _session(run, course, yesterday, "practical", 6, [e1, e2])
    fine = _session(run, course, yesterday, "theory", 4, [e1, e2])
    # a trainee of another class present at an overlapping time
    other_course = make_course(world, state="running", starts_in=-30, title="保育师周末班")
    other = Enrolment(course=other_course, person=trainees[1][2], state="accepted",
                      applied_at=clock.now())
    run(other.save)
    e3 = other.id
    timed = _session(run, course, yesterday - timedelta(days=3), "theory", 2, [e2],
                     start=time(9), end=time(10, 30))
    overlap = _session(run, other_course, yesterday - timedelta(days=3), "theory", 2, [e3],
                       start=time(10), end=time(11, 30))
    # e1 completed on those hours with a training certificate
    cert = Credential(person=trainees[0][2], code="DIRECTOR_TRAINING", number="P202600001001",
                      issued_on=yesterday, status="valid", source="issued",
                      origin_type="enrolment", origin_id=e1, created_at=clock.now())
    run(cert.save)
    run(Enrolment.update({Enrolment.state: "completed", Enrolment.credential_id: cert.id,
                          Enrolment.completed_at: clock.now()}).where(Enrolment.id == e1))
    return dict(world=world, course=course, early=early, on_time=on_time, future=future,
                first=first, dup=dup, fine=fine, timed=timed, overlap=overlap, cert=cert.id,
                id_numbers=[holder.id_number] + [t[3] for t in trainees])


def test_examination_reports_queues_and_flags_changing_nothing(
        client, run, make_provider, make_course, make_trainee, make_person):
    seeded = _seed(run, make_provider, make_course, make_trainee, make_person)
    before = _snapshot(run)
    report = run(integrity.examine)
    counts = {k: len(v) for k, v in report.rows.items()}
    assert counts == {"approved_before_exam": 2, "issued_before_exam": 2, "future_date": 1,
                      "duplicate": 1, "trainee_overlap": 1, "hours_flagged": 1}
    text = report.text()
    assert "发证日期早于考试日期的证书：2" in text and "Y1234120000012026500001" in text
    assert "Y1234120000012026500003" in text  # reported; already revoked, so not queued
    assert "Y1234120000012026500002" not in text
    assert "重复记录的上课记录：1" in text and "P202600001001" in text
    assert "保育师 五级/初级工：考试日期" in text
    assert "未删除、未改动任何记录" in text
    assert not any(n in text for n in seeded["id_numbers"])
    assert (report.queued, report.flagged) == (2, 3)
    queue = {(r["credential"], r["kind"]) for r in run(CertificateReview.select())}
    assert queue == {(seeded["early"], "issued_before_exam"),
                     (seeded["cert"], "hours_flagged")}
    flags = {(r["session"], r["kind"]) for r in run(SessionFlag.select())}
    assert flags == {(seeded["future"], "future_date"), (seeded["dup"], "duplicate"),
                     (seeded["overlap"], "trainee_overlap")}
    assert _snapshot(run) == before
    audited = run(AuditLog.select(AuditLog.summary).where(AuditLog.action == "integrity.examine"))
    assert len(audited) == 1 and '"queued": 2' in str(audited[0]["summary"]).replace("'", '"')

    again = run(integrity.examine)
    assert {k: len(v) for k, v in again.rows.items()} == counts
    assert (again.queued, again.flagged) == (0, 0)
    assert run(CertificateReview.count()) == 2 and run(SessionFlag.count()) == 3
    assert _snapshot(run) == before


def test_provider_sees_flags_and_correcting_resolves_them(
        client, run, make_provider, make_course, make_trainee, make_person):
    seeded = _seed(run, make_provider, make_course, make_trainee, make_person)
    run(integrity.examine)
    world = seeded["world"]
    login(client, world.staff)
    page = client.get(f"/training/provider/courses/{seeded['course']}")
    assert "有 2 次课经数据核查待更正或作废" in page.text
    assert "待更正：与本班另一次课重复" in page.text
    assert "待更正：记录时上课日期尚未到来" in page.text
    r = post_form(client, f"/training/provider/sessions/{seeded['dup']}/void",
                  {"void_reason": "重复录入"}, follow_redirects=True)
    assert r.status_code == 200 and "该次课已作废" in r.text
    states = {r["session"]: r["state"] for r in run(SessionFlag.select())}
    assert states[seeded["dup"]] == "resolved" and states[seeded["future"]] == "open"
    page = client.get(f"/training/provider/courses/{seeded['course']}")
    assert "有 1 次课经数据核查待更正或作废" in page.text
    # resolved flags are not raised again by a later examination
    assert run(integrity.examine).flagged == 0


def test_command_prints_the_report(client, run, make_provider, make_course, make_trainee,
                                   make_person):
    from core.db import engine, is_sqlite

    _seed(run, make_provider, make_course, make_trainee, make_person)
    url = f"sqlite:///{engine().path}" if is_sqlite() else os.environ["DATABASE_URL"]
    env = {**os.environ, "DATABASE_URL": url}
    out = subprocess.run([sys.executable, "-m", "training.integrity"], cwd=ROOT, env=env,
                         capture_output=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr.decode()
    text = out.stdout.decode()
    assert "考试日期前即审核通过的考核批次：2" in text
    assert "本次新增待核查证书 2 项，新增待更正上课记录标记 3 项" in text
    assert run(CertificateReview.count()) == 2
