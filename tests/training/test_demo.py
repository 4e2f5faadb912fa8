"""The training demo: the provider user is linked, courses in several states, the trainee's
enrolments and a submitted session (approved by the certification demo that runs after)."""

from __future__ import annotations

from core.tables import User
from tests.conftest import login
from training.tables import Course, Enrolment, ExamResult, ExamSession, Provider


def test_demo_seed(client, run):
    from core.demo import DEMO_PASSWORD, seed_demo

    assert run(seed_demo)
    provider = run(Provider.objects().where(Provider.name == "宁河区职业技能培训学校").first)
    assert provider.status == "approved" and provider.body_type == "S"
    staff = run(User.objects().where(User.username == "provider").first)
    assert staff.organisation_id == provider.id
    states = {r["state"] for r in run(Course.select(Course.state))}
    assert {"open", "running", "finished", "draft"} <= states
    assert run(Enrolment.count().where(Enrolment.state == "completed")) == 1
    sessions = {r["level"]: r["state"] for r in run(ExamSession.select(ExamSession.level,
                                                                       ExamSession.state))}
    assert sessions[4] == "open"
    assert sessions[5] in ("submitted", "approved")  # approved when certification seeds too
    assert run(ExamResult.count()) == 6
    login(client, "provider", DEMO_PASSWORD)
    page = client.get("/training/provider/courses")  # the provider's own courses, every state
    assert page.status_code == 200
    titles = [r["title"] for r in run(Course.select(Course.title))]
    assert len(titles) == 7 and all(title in page.text for title in titles)
    assert all(state in page.text for state in ("草稿", "报名中", "开班中", "已结业"))
    assert "共 7 条" in page.text
    login(client, "trainee", DEMO_PASSWORD)
    page = client.get("/training/my")
    assert "托育机构负责人岗位培训" in page.text and "已结业" in page.text
