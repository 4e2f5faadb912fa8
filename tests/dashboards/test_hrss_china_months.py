"""The 人社局 dashboard counts enrolments in the China month they happened in, not the UTC one."""

from __future__ import annotations

from datetime import UTC, datetime


def test_enrolment_at_0730_china_on_the_first_counts_in_that_month(client, run, make_person,
                                                                     clock) -> None:
    from dashboards.hrss import training_panels
    from training.tables import Course, Enrolment, Provider

    # 2026-11-30 23:30 UTC is 2026-12-01 07:30 in China.
    clock.set_now(datetime(2026, 11, 30, 23, 30, tzinfo=UTC))
    now, day = clock.now(), clock.today()
    provider = Provider(name="宁河职业培训学校", uscc="91120221MA0000001X", status="approved",
                        created_at=now, updated_at=now)
    run(provider.save())
    course = Course(provider=provider.id, kind="skill", title="保育师四级第1期",
                    qualification_code="CHILDCARE_WORKER", level=4, capacity=30,
                    starts_on=day, ends_on=day, subsidy_eligible=True, state="running",
                    created_at=now, updated_at=now)
    run(course.save())
    run(Enrolment(course=course.id, person=make_person("王芳").id, state="completed",
                  applied_at=now, completed_at=now).save())

    panels = {p.key: p for p in run(training_panels, day)}
    rows = {r[0]: r[1:] for r in panels["enrolments"].rows}
    assert rows["2026-12"] == [1, 1]
    assert rows["2026-11"] == [0, 0]
