"""No results and no certificates before the exam. A 保育师 五级 session dated
two days ahead refuses the results upload (API and page), the submit and the officer's approval
with a message naming the exam date, writing nothing; on the exam day all three pass and the
certificates carry the exam day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.errors import Conflict
from tests.conftest import api_token, login, post_form
from tests.training.test_results_integrity import page_digest
from training.services.exam_dates import APPROVE, SUBMIT, UPLOAD, check_exam_held, refusal
from training.tables import ExamRegistration, ExamResult, ExamSession, ResultUpload

EXAM_DAY = date(2026, 12, 1)
TWO_DAYS_BEFORE = EXAM_DAY - timedelta(days=2)
UPLOAD_REFUSED = "考试日期为 2026-12-01，考试日之前不能上传成绩"
SUBMIT_REFUSED = "考试日期为 2026-12-01，考试日之前不能提交成绩审核"
APPROVE_REFUSED = "考试日期为 2026-12-01，考试日之前不能审核通过或发证"
COUNTS = {"candidates": 1, "absent": 0, "passed": 1, "failed": 0}  # the summary confirmed


def results_csv(people: list[tuple[str, str]]) -> bytes:
    lines = ["身份证号,姓名,理论成绩,实操成绩"] + [f"{i},{n},86,78" for i, n in people]
    return "\r\n".join(lines).encode("utf-8-sig")


def state_of(run, sid: int) -> str:
    return run(ExamSession.select(ExamSession.state).where(ExamSession.id == sid).first)["state"]


@pytest.fixture
def officer(make_user):
    make_user("hrss_officer", "officer_h1")
    return "officer_h1"


def test_upload_waits_for_the_exam_day_then_submit_and_approval_pass(
        client, run, clock, make_provider, make_trainee, officer):
    from core.tables import Credential

    clock.set_today(TWO_DAYS_BEFORE)
    world = make_provider()
    staff = api_token(client, world.staff)
    r = client.post("/api/v1/exam-sessions", headers=staff, json={
        "qualification_code": "CHILDCARE_WORKER", "level": 5, "exam_on": EXAM_DAY.isoformat(),
        "place": "宁河区职业技能培训学校 实操考场"})
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    assert client.post(f"/api/v1/exam-sessions/{sid}/open", headers=staff).status_code == 200
    username, _, _, id_number = make_trainee("周丽")
    r = client.post(f"/api/v1/exam-sessions/{sid}/registrations", json={"apprenticeship": True},
                    headers=api_token(client, username))
    assert r.status_code == 201, r.text
    r = client.post(f"/api/v1/exam-registrations/{r.json()['id']}/confirm", headers=staff,
                    json={"evidence_note": "学徒合同及期满证明（编号 NH-2025-017）原件已核"})
    assert r.status_code == 200, r.text
    assert client.post(f"/api/v1/exam-sessions/{sid}/close", headers=staff).status_code == 200
    data = results_csv([(id_number, "周丽")])

    # API: refused, naming the exam date; nothing written
    r = client.post(f"/api/v1/exam-sessions/{sid}/results", headers=staff,
                    files={"file": ("成绩.csv", data, "text/csv")})
    assert r.status_code == 409
    assert r.json()["detail"] == UPLOAD_REFUSED and r.json()["field"] == "exam_on"
    assert run(ExamResult.count()) == 0 and run(ResultUpload.count()) == 0
    assert state_of(run, sid) == "closed"

    # page: the upload form is replaced by the message; a post is refused the same way
    login(client, world.staff)
    page = client.get(f"/training/provider/exams/{sid}")
    assert UPLOAD_REFUSED in page.text and 'name="file"' not in page.text
    r = post_form(client, f"/training/provider/exams/{sid}/results", {},
                  files={"file": ("成绩.csv", data, "text/csv")}, follow_redirects=True)
    assert UPLOAD_REFUSED in r.text
    assert run(ExamResult.count()) == 0 and run(ResultUpload.count()) == 0

    # the day before is still before
    clock.set_today(EXAM_DAY - timedelta(days=1))
    staff = api_token(client, world.staff)  # tokens and page sessions expire with the clock
    r = client.post(f"/api/v1/exam-sessions/{sid}/results", headers=staff,
                    files={"file": ("成绩.csv", data, "text/csv")})
    assert r.status_code == 409 and run(ExamResult.count()) == 0

    # on the exam day (early in the morning China time) upload, submit and approval pass
    clock.set_now(datetime(2026, 11, 30, 17, 0, tzinfo=UTC))  # 2026-12-01 01:00 in China
    staff = api_token(client, world.staff)
    login(client, world.staff)
    page = client.get(f"/training/provider/exams/{sid}")
    assert UPLOAD_REFUSED not in page.text and 'name="file"' in page.text
    r = client.post(f"/api/v1/exam-sessions/{sid}/results", headers=staff,
                    files={"file": ("成绩.csv", data, "text/csv")})
    assert r.status_code == 200, r.text
    digest = client.get(f"/api/v1/exam-sessions/{sid}/results/summary",
                        headers=staff).json()["confirm_digest"]
    r = client.post(f"/api/v1/exam-sessions/{sid}/submit", headers=staff,
                    json={"confirm_counts": COUNTS, "confirm_digest": digest})
    assert r.status_code == 200 and r.json()["state"] == "submitted"
    r = client.post(f"/api/v1/certification/exam-sessions/{sid}/approve",
                    headers=api_token(client, officer))
    assert r.status_code == 200, r.text
    issued = run(Credential.select(Credential.issued_on).where(
        Credential.id.is_in(r.json()["issued"])))
    assert [row["issued_on"] for row in issued] == [EXAM_DAY]


@pytest.fixture
def session_ahead(run, make_provider, make_person):
    """A 保育师 五级 session dated EXAM_DAY with one passing result already recorded, in the
    given state (rows written directly: such data could only come from before this rule)."""

    def factory(state: str):
        world = make_provider()
        person = make_person("吴静")
        now = datetime.now(UTC)

        async def go() -> int:
            session = ExamSession(provider=world.provider_id, qualification_code="CHILDCARE_WORKER",
                                  level=5, exam_on=EXAM_DAY, place="考场", state=state,
                                  created_at=now, updated_at=now)
            await session.save()
            reg = ExamRegistration(session=session.id, person=person.id, route="course",
                                   eligible=True, status="confirmed", created_at=now)
            await reg.save()
            await ExamResult(session=session.id, registration=reg.id, person=person.id,
                             theory=86, practical=78, passed=True, created_at=now).save()
            return session.id

        return world, run(go)

    return factory


def test_submit_refused_before_the_exam_day_api_and_page(client, run, clock, session_ahead):
    clock.set_today(TWO_DAYS_BEFORE)
    world, sid = session_ahead("results_uploaded")
    r = client.post(f"/api/v1/exam-sessions/{sid}/submit",
                    headers=api_token(client, world.staff), json={"confirm_counts": COUNTS})
    assert r.status_code == 409 and r.json()["detail"] == SUBMIT_REFUSED
    assert r.json()["field"] == "exam_on"
    login(client, world.staff)
    r = post_form(client, f"/training/provider/exams/{sid}/submit", COUNTS)
    assert r.status_code == 409 and SUBMIT_REFUSED in r.text
    row = run(ExamSession.select().where(ExamSession.id == sid).first)
    assert row["state"] == "results_uploaded" and row["submitted_at"] is None
    clock.set_today(EXAM_DAY)
    login(client, world.staff)
    digest = page_digest(client.get(f"/training/provider/exams/{sid}/submit").text)
    r = post_form(client, f"/training/provider/exams/{sid}/submit",
                  {**COUNTS, "confirm_digest": digest}, follow_redirects=True)
    assert "成绩已提交人社局审核" in r.text and state_of(run, sid) == "submitted"


def test_approval_refused_before_the_exam_day_api_and_page(client, run, clock, session_ahead,
                                                          officer):
    from certification.tables import CertificateRecord
    from core.tables import Credential

    clock.set_today(TWO_DAYS_BEFORE)
    _, sid = session_ahead("submitted")
    headers = api_token(client, officer)
    r = client.post(f"/api/v1/certification/exam-sessions/{sid}/approve", headers=headers)
    assert r.status_code == 409 and r.json()["detail"] == APPROVE_REFUSED
    login(client, officer)
    page = client.get(f"/certification/sessions/{sid}")
    assert APPROVE_REFUSED in page.text and "审核通过并发证" not in page.text
    r = post_form(client, f"/certification/sessions/{sid}/approve", {})
    assert r.status_code == 409 and APPROVE_REFUSED in r.text
    assert run(Credential.count()) == 0 and run(CertificateRecord.count()) == 0
    row = run(ExamSession.select().where(ExamSession.id == sid).first)
    assert row["state"] == "submitted" and row["approved_at"] is None
    clock.set_today(EXAM_DAY)
    login(client, officer)
    assert "审核通过并发证" in client.get(f"/certification/sessions/{sid}").text
    headers = api_token(client, officer)
    r = client.post(f"/api/v1/certification/exam-sessions/{sid}/approve", headers=headers)
    assert r.status_code == 200, r.text
    assert run(Credential.select(Credential.issued_on).first)["issued_on"] == EXAM_DAY


def test_issuance_refuses_a_certificate_dated_before_its_exam(run, clock, session_ahead):
    """The invariant holds for any caller of issue(), not only the approval."""
    from certification.services.issuance import NewCertificate, issue
    from core.actor import Actor
    from core.tables import Credential

    clock.set_today(EXAM_DAY)
    _, sid = session_ahead("submitted")
    result = run(ExamResult.select().where(ExamResult.session == sid).first)

    def item(issued_on: date) -> NewCertificate:
        return NewCertificate(
            person_id=result["person"], kind="skill", qualification_code="CHILDCARE_WORKER",
            number_prefix="S12341200000126" + "5", issuer_name="测试评价机构",
            issued_on=issued_on, origin_key=f"exam_result:{result['id']}",
            origin_type="exam_result", origin_id=result["id"], level=5)

    with pytest.raises(Conflict, match="发证日期 2026-11-29 早于考试日期 2026-12-01"):
        run(issue, [item(TWO_DAYS_BEFORE)], Actor.system("test"), job_title="测试")
    assert run(Credential.count()) == 0
    [cid] = run(issue, [item(EXAM_DAY)], Actor.system("test"), job_title="测试")
    assert run(Credential.select(Credential.issued_on).where(Credential.id == cid).first)[
        "issued_on"] == EXAM_DAY


@given(exam_on=st.dates(date(2020, 1, 1), date(2035, 12, 31)),
       on=st.dates(date(2020, 1, 1), date(2035, 12, 31)),
       action=st.sampled_from([UPLOAD, SUBMIT, APPROVE]))
def test_refused_exactly_before_the_exam_day_and_names_it(exam_on, on, action):
    message = refusal(exam_on, on, action)
    assert (message is None) == (on >= exam_on)
    if message is not None:
        assert exam_on.isoformat() in message and message.endswith(action)
        with pytest.raises(Conflict) as error:
            check_exam_held(exam_on, on, action)
        assert error.value.field == "exam_on" and error.value.status_code == 409
    else:
        check_exam_held(exam_on, on, action)
