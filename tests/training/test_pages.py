"""Officer and provider pages: forms keep what was typed and show errors by their field;
other organisations' pages answer 404; role pages are guarded."""

from __future__ import annotations

from tests.conftest import login, post_form
from tests.training.conftest import uscc_for
from training.tables import Course, Provider, ProviderScope


def test_officer_registers_provider_through_the_page(client, run, make_user):
    make_user("hrss_officer", "hrss_p")
    login(client, "hrss_p")
    assert client.get("/training/providers/new").status_code == 200
    r = post_form(client, "/training/providers/new", {
        "name": "页面学校", "uscc": "91350100M000100Y44", "address": "芦台镇"})
    assert r.status_code == 422 and 'id="uscc-error"' in r.text and "页面学校" in r.text
    assert run(Provider.count()) == 0
    r = post_form(client, "/training/providers/new", {
        "name": "页面学校", "uscc": uscc_for(5), "is_assessment_body": "1", "body_type": "S",
        "body_code": "0101", "site_serial": "000001", "train": ["CHILDCARE_WORKER:4"],
        "examine": ["CHILDCARE_WORKER:4"]}, follow_redirects=True)
    assert r.status_code == 200 and "待批准" in r.text
    provider = run(Provider.objects().first)
    assert run(ProviderScope.count()) == 2
    r = post_form(client, f"/training/providers/{provider.id}/status", {"status": "approved"},
                  follow_redirects=True)
    assert "状态已更新" in r.text
    listing = client.get("/training/providers", params={"q": "页面"})
    assert "页面学校" in listing.text and "已批准" in listing.text


def test_provider_creates_course_through_the_page(client, run, make_provider, make_course):
    world = make_provider()
    other_course = make_course(make_provider())
    login(client, world.staff)
    page = client.get("/training/provider/courses/new")
    assert page.status_code == 200 and "CHILDCARE_WORKER:4" in page.text
    r = post_form(client, "/training/provider/courses/new", {
        "title": "页面班", "qualification": "CHILDCARE_WORKER:4", "theory_hours_required": "10",
        "practical_hours_required": "abc", "capacity": "20", "starts_on": "2030-01-01",
        "ends_on": "2030-02-01", "fee_yuan": "1500"})
    assert r.status_code == 422 and 'id="practical_hours_required-error"' in r.text
    r = post_form(client, "/training/provider/courses/new", {
        "title": "页面班", "qualification": "CHILDCARE_WORKER:4", "theory_hours_required": "10",
        "practical_hours_required": "5", "capacity": "20", "starts_on": "2030-01-01",
        "ends_on": "2030-02-01", "fee_yuan": "1500.50"}, follow_redirects=True)
    assert r.status_code == 200 and "班次已创建" in r.text
    course = run(Course.objects().where(Course.title == "页面班").first)
    assert course.fee_fen == 150050 and course.state == "draft"
    assert client.get(f"/training/provider/courses/{other_course}").status_code == 404
    assert client.get("/training/providers").status_code == 403


def test_role_pages_guarded(client, make_trainee):
    assert client.get("/training/my", follow_redirects=False).status_code in (302, 303)
    login(client, make_trainee()[0])
    assert client.get("/training/provider/courses").status_code == 403
    assert client.get("/training/my").status_code == 200
    assert client.get("/training/exams").status_code == 200
