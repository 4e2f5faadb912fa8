"""The 人社局 pass rate counts every approved session exactly once — also one
approved before its exam date (data from before the rule), which the exam-date window left out
— and no session that is not approved."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import login

TODAY = date(2026, 11, 29)
# hypothesis wants naive bounds and adds the zone itself
NAIVE_MIN, NAIVE_MAX = datetime(2020, 1, 1), datetime(2030, 12, 31)  # noqa: DTZ001


def _session(run, provider_id, people, *, exam_on, state, approved_at, scores):
    from training.tables import ExamRegistration, ExamResult, ExamSession

    async def go() -> None:
        now = datetime(2026, 9, 1, tzinfo=UTC)
        session = ExamSession(provider=provider_id, qualification_code="CHILDCARE_WORKER",
                              level=5, exam_on=exam_on, state=state, approved_at=approved_at,
                              created_at=now, updated_at=now)
        await session.save()
        for person, passed in zip(people, scores, strict=True):
            reg = ExamRegistration(session=session.id, person=person.id, route="course",
                                   eligible=True, status="confirmed", created_at=now)
            await reg.save()
            await ExamResult(session=session.id, registration=reg.id, person=person.id,
                             theory=80 if passed else 40, practical=70, passed=passed,
                             created_at=now).save()

    run(go)


def test_every_approved_session_counts_once_and_only_approved_ones(client, run, clock,
                                                                   make_person, make_user):
    from dashboards.hrss import hrss_panels, training_panels
    from training.tables import Provider

    clock.set_today(TODAY)
    now = clock.now()
    provider = Provider(name="宁河职业培训学校", uscc="91120221MA0000001X", status="approved",
                        created_at=now, updated_at=now)
    run(provider.save())
    people = [make_person(n) for n in ("王芳", "李娜")]
    # approved five days after its October exam
    _session(run, provider.id, people, exam_on=date(2026, 10, 10), state="approved",
             approved_at=datetime(2026, 10, 15, 2, tzinfo=UTC), scores=(True, False))
    # approved early (before approval had to follow the exam):
    # exam on 5 December, approved on 20 November
    _session(run, provider.id, people, exam_on=date(2026, 12, 5), state="approved",
             approved_at=datetime(2026, 11, 20, 2, tzinfo=UTC), scores=(True, True))
    # approved at 01:00 China time on 1 November (31 October in UTC): November's
    _session(run, provider.id, people, exam_on=date(2026, 10, 28), state="approved",
             approved_at=datetime(2026, 10, 31, 17, tzinfo=UTC), scores=(False, False))
    # submitted, not approved: not counted
    _session(run, provider.id, people, exam_on=date(2026, 11, 1), state="submitted",
             approved_at=None, scores=(True, True))

    panels = {p.key: p for p in run(training_panels, TODAY)}
    assert panels["exams"].rows == [["保育师 五级/初级工", 6, 3, 50.0]]
    months = {r[0]: r[1:] for r in panels["exam_months"].rows}
    assert months == {"2026-10": [2, 1, 50.0], "2026-11": [4, 2, 50.0]}
    summary, _ = run(hrss_panels, TODAY)
    assert ("近 12 个月考试通过率", "50.0%") in summary

    # a month later nothing moves: each session stays in its one month
    later = {r[0]: r[1:] for r in {p.key: p for p in run(
        training_panels, TODAY + timedelta(days=40))}["exam_months"].rows}
    assert later == months

    make_user("hrss_officer", "hrss_rate")
    login(client, "hrss_rate")
    page = client.get("/dashboards/hrss")
    assert page.status_code == 200 and "按审核通过日期计入月份" in page.text


@given(exam_on=st.dates(date(2020, 1, 1), date(2030, 12, 31)),
       approved=st.none() | st.datetimes(NAIVE_MIN, NAIVE_MAX, timezones=st.just(UTC)))
def test_one_counting_day_per_session(exam_on, approved):
    """A session is counted on one fixed day, whatever today is: the China date of its
    approval (UTC+8), or its exam date when no approval time was kept."""
    from dashboards.hrss import counted_on

    expected = exam_on if approved is None else (approved + timedelta(hours=8)).date()
    assert counted_on(exam_on, approved) == expected
