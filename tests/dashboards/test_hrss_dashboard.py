"""The 人社局 dashboard: guarded by role, charts with tables, numbers from the records, XLSX."""

from __future__ import annotations

import io
from datetime import UTC, date, timedelta

from openpyxl import load_workbook

from tests.conftest import login


def test_hrss_dashboard_counts_certificates_and_subsidy(client, run, make_user, make_person,
                                                        make_credential) -> None:
    from core.clock import today
    from dashboards.hrss import hrss_panels

    day = today()
    person = make_person("王芳")
    make_credential(person.id, "CHILDCARE_WORKER", level=4, issued_on=day - timedelta(days=3))
    make_credential(person.id, "CHILDCARE_WORKER", level=5, issued_on=day - timedelta(days=40))
    make_credential(person.id, "MENTAL_HEALTH_TRAINING", issued_on=day)
    make_user("hrss_officer", "hrss1")
    login(client, "hrss1")
    response = client.get("/dashboards/hrss")
    assert response.status_code == 200
    _, found = run(hrss_panels, day)
    panels = {p.key: p for p in found}
    assert sum(row[-1] for row in panels["certificates"].rows) == 2
    subsidy = {row[0]: row for row in panels["subsidy"].rows}
    assert subsidy["保育师 四级/中级工"][1:] == [1, 1500.0, 1500.0]
    assert "<svg" in response.text and "保育师" in response.text

    export = client.get("/dashboards/hrss.xlsx")
    assert export.status_code == 200
    book = load_workbook(io.BytesIO(export.content))
    assert "每月颁发职业技能等级证书（按职业和等级）"[:31] in book.sheetnames
    ws = book["可申领技能提升补贴的证书（近 12 个月颁发）"[:31]]
    assert ws["A1"].value == "职业 / 等级"


def test_hrss_dashboard_is_for_hrss_and_admin_only(client, make_user) -> None:
    make_user("edu_officer", "edu1")
    login(client, "edu1")
    assert client.get("/dashboards/hrss").status_code == 403
    assert client.get("/dashboards/hrss.xlsx").status_code == 403
    make_user("admin", "admin1")
    login(client, "admin1")
    assert client.get("/dashboards/hrss").status_code == 200


def test_month_window_is_twelve_months() -> None:
    from core.reporting.panels import last_months

    assert last_months(date(2026, 2, 10), 3) == ["2025-12", "2026-01", "2026-02"]


def test_hrss_training_panels_count_enrolments_completions_and_pass_rates(
        client, run, make_person) -> None:
    from datetime import datetime

    from core.clock import today
    from dashboards.hrss import training_panels
    from training.tables import (
        Course,
        Enrolment,
        ExamRegistration,
        ExamResult,
        ExamSession,
        Provider,
    )

    day = today()
    now = datetime.now(UTC)
    provider = Provider(name="宁河职业培训学校", uscc="91120221MA0000001X", status="approved",
                        created_at=now, updated_at=now)
    run(provider.save())
    course = Course(provider=provider.id, kind="skill", title="保育师四级第1期",
                    qualification_code="CHILDCARE_WORKER", level=4, capacity=30,
                    starts_on=day, ends_on=day, subsidy_eligible=True, state="running",
                    created_at=now, updated_at=now)
    run(course.save())
    session = ExamSession(provider=provider.id, qualification_code="CHILDCARE_WORKER", level=4,
                          exam_on=day, state="approved", created_at=now, updated_at=now)
    run(session.save())
    for i, (state, passed) in enumerate((("completed", True), ("completed", False),
                                         ("accepted", True))):
        person = make_person(["王芳", "李娜", "赵敏"][i])
        run(Enrolment(course=course.id, person=person.id, state=state, applied_at=now,
                      completed_at=now if state == "completed" else None).save())
        registration = ExamRegistration(session=session.id, person=person.id,
                                        route="conditions", status="confirmed", created_at=now)
        run(registration.save())
        run(ExamResult(session=session.id, registration=registration.id, person=person.id,
                       theory=80 if passed else 40, practical=70, passed=passed,
                       created_at=now).save())
    panels = {p.key: p for p in run(training_panels, day)}
    this_month = f"{day:%Y-%m}"
    assert [r for r in panels["enrolments"].rows if r[0] == this_month][0][1:] == [3, 2]
    assert panels["by_qualification"].rows == [["保育师 四级/中级工", 3, 2, 66.7]]
    assert panels["subsidy_training"].rows == [["保育师 四级/中级工", 3, 2]]
    assert panels["exams"].rows == [["保育师 四级/中级工", 3, 2, 66.7]]
