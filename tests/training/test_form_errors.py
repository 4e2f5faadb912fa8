"""Every training page form, posted with several bad
fields at once, answers 422 with EVERY field's message beside its own input (the
``<p id="FIELD-error">`` the input's aria-describedby points at) and writes nothing."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.conftest import api_token, login, post_form
from tests.training.hours_helpers import day, post_session, running_class
from training.tables import ClassSession, ClassSessionRevision, Course, ExamSession, Provider


@dataclass
class Case:
    path: str
    form: dict[str, Any]
    expected: dict[str, str]  # field -> (part of) its message
    written: Callable[[], Any]  # what must not change


BAD_PROVIDER = {"name": "", "uscc": "123", "contact_phone": "555", "is_assessment_body": "1",
                "body_type": "X", "body_code": "12", "site_serial": "abc", "province_code": "1"}
PROVIDER_ERRORS = {"name": "请填写机构名称", "uscc": "统一社会信用代码",
                   "contact_phone": "手机号码应为 11 位数字", "body_type": "评价机构类型取值无效",
                   "body_code": "评价机构代码应为 4 位数字",
                   "site_serial": "评价站点序号应为 6 位数字",
                   "province_code": "省份代码应为 2 位数字"}
BAD_SESSION = {"held_on": "2026-02-30", "starts_at": "9点", "ends_at": "", "kind": "x",
               "hours": "NaN", "present": ["abc"]}
SESSION_ERRORS = {"held_on": "日期格式应为 YYYY-MM-DD", "starts_at": "上课时间格式应为 HH:MM",
                  "ends_at": "请填写下课时间", "kind": "理论或实操取值无效",
                  "hours": "学时应为整数", "present": "出勤学员应为整数"}


def _course_new(client, run, make_user, make_provider, make_course, make_trainee) -> Case:
    login(client, make_provider().staff)
    return Case("/training/provider/courses/new", {
        "title": "", "qualification": "", "theory_hours_required": "abc",
        "practical_hours_required": "-1", "capacity": "0", "starts_on": "2030-13-01",
        "ends_on": "", "fee_yuan": "inf", "place": "地" * 201}, {
        "title": "请填写班次名称", "qualification": "请选择职业（工种）或培训项目",
        "theory_hours_required": "理论学时应为整数",
        "practical_hours_required": "实操学时应在 0 到",
        "capacity": "招生人数应在 1 到", "starts_on": "日期格式应为 YYYY-MM-DD",
        "ends_on": "请填写结业日期", "fee_yuan": "费用应为金额（元）",
        "place": "上课地点最多 200 个字符"}, lambda: run(Course.count()))


def _course_fee_and_dates(client, run, make_user, make_provider, make_course,
                          make_trainee) -> Case:
    login(client, make_provider().staff)
    return Case("/training/provider/courses/new", {
        "title": "费用班", "qualification": "CHILDCARE_WORKER:4", "theory_hours_required": "0",
        "practical_hours_required": "0", "capacity": "20", "starts_on": "2030-03-01",
        "ends_on": "2030-02-01", "fee_yuan": "-5"}, {
        "theory_hours_required": "理论与实操学时不能都为 0", "ends_on": "结业日期不能早于开班日期",
        "fee_yuan": "费用不能为负数"}, lambda: run(Course.count()))


def _provider_new(client, run, make_user, make_provider, make_course, make_trainee) -> Case:
    make_user("hrss_officer", "hrss_fe")
    login(client, "hrss_fe")
    return Case("/training/providers/new", BAD_PROVIDER, PROVIDER_ERRORS,
                lambda: run(Provider.count()))


def _provider_edit(client, run, make_user, make_provider, make_course, make_trainee) -> Case:
    world = make_provider()
    login(client, world.officer)
    return Case(f"/training/providers/{world.provider_id}", BAD_PROVIDER, PROVIDER_ERRORS,
                lambda: run(Provider.select(Provider.name, Provider.uscc,
                                            Provider.contact_phone, Provider.body_code)))


def _attendance(client, run, make_user, make_provider, make_course, make_trainee) -> Case:
    world = make_provider()
    course, _trainees, _ids = running_class(run, world, make_course, make_trainee, n=1)
    login(client, world.staff)
    return Case(f"/training/provider/courses/{course}/attendance", BAD_SESSION, SESSION_ERRORS,
                lambda: run(ClassSession.count()))


def _correction(client, run, make_user, make_provider, make_course, make_trainee) -> Case:
    world = make_provider()
    course, _trainees, (e1,) = running_class(run, world, make_course, make_trainee, n=1)
    r = post_session(client, api_token(client, world.staff), course, [e1], held_on=day(-1))
    login(client, world.staff)
    return Case(f"/training/provider/sessions/{r.json()['id']}",
                {**BAD_SESSION, "held_on": "", "ends_at": "25:00", "hours": "99", "reason": ""},
                {**SESSION_ERRORS, "held_on": "请填写上课日期", "ends_at": "下课时间格式应为 HH:MM",
                 "hours": "学时应在 1 到 12 之间", "reason": "请填写更正原因"},
                lambda: run(ClassSessionRevision.select().order_by(ClassSessionRevision.id)))


def _exam_session(client, run, make_user, make_provider, make_course, make_trainee) -> Case:
    login(client, make_provider().staff)
    return Case("/training/provider/exams/", {
        "qualification": "CHILDCARE_WORKER:x", "exam_on": "1899-12-31", "place": "场" * 201}, {
        "qualification": "职业（工种）和等级取值无效", "exam_on": "日期应在 1900-01-01",
        "place": "考试地点最多 200 个字符"}, lambda: run(ExamSession.count()))


CASES = {"course_new": _course_new, "course_fee_and_dates": _course_fee_and_dates,
         "provider_new": _provider_new, "provider_edit": _provider_edit,
         "attendance": _attendance, "session_correction": _correction,
         "exam_session_new": _exam_session}


def message_beside(html: str, field: str) -> str:
    """The message in ``<p id="FIELD-error">`` when some control (or fieldset) of the form
    points at it with aria-describedby; '' otherwise."""
    described = re.search(rf'aria-describedby="[^"]*\b{re.escape(field)}-error\b', html)
    shown = re.search(rf'<p class="field-error" id="{re.escape(field)}-error">([^<]*)</p>', html)
    return shown.group(1) if described and shown else ""


@pytest.mark.parametrize("name", list(CASES))
def test_every_field_error_is_shown_at_once_beside_its_field(
        name, client, run, make_user, make_provider, make_course, make_trainee):
    case = CASES[name](client, run, make_user, make_provider, make_course, make_trainee)
    before = case.written()
    r = post_form(client, case.path, case.form)
    assert r.status_code == 422, r.text[:300]
    for field, message in case.expected.items():
        assert message in message_beside(r.text, field), (field, message)
    assert case.written() == before
