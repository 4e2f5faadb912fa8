"""The main journey in a browser: a trainee enrols, the provider accepts in bulk (the last
seat to the earlier applicant, the other waitlisted) and records hours, the trainee registers
for the exam, the provider confirms, downloads the results template already listing the
candidate, fills in scores (a faulty fill first, then the corrected one), uploads it and
submits. Screenshots of the enrolment list at 390 and 1280 px go to JOURNEY_SHOTS if set."""

from __future__ import annotations

import io
import os
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest

from core import clock
from tests.browser.conftest import (  # noqa: F401, F811 — fixtures used by name
    CHROMIUM,
    browser,
    db_user,
    live_server,
    new_page,
    run_async,
    sign_in,
)
from tests.conftest import PASSWORD

SHOTS = os.environ.get("JOURNEY_SHOTS", "")
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(CHROMIUM is None, reason="未找到 chromium：跳过浏览器测试")]


async def _arrange() -> dict:
    from core.accounts.services import NewUser, create_user
    from core.actor import Actor
    from core.claims.services import TraineeRegistration
    from core.identity import id_check_char, uscc_check_char
    from tests.conftest import register_verified
    from training.services import exams
    from training.services.courses import CourseInput, create_course, transition
    from training.services.providers import ProviderInput, ScopeInput, create_provider, set_status

    system = Actor.system("test")
    officer = Actor(None, "j_hrss", "hrss_officer")
    first17 = "91120221MA9000001"
    pid = await create_provider(ProviderInput(
        name="旅程测试学校", uscc=first17 + uscc_check_char(first17), is_assessment_body=True,
        body_type="S", body_code="0777", site_serial="000777",
        scopes=[ScopeInput("CHILDCARE_WORKER", 4, "train"),
                ScopeInput("CHILDCARE_WORKER", 4, "examine")]), officer)
    await set_status(pid, "approved", "", officer)
    staff_id = await create_user(NewUser("j_staff", PASSWORD, "provider_staff", "张老师", pid),
                                 system)
    staff = Actor(staff_id, "j_staff", "provider_staff", organisation_id=pid)
    id17 = "12022119900505123"
    id_number = id17 + id_check_char(id17)
    await register_verified(TraineeRegistration("刘洋", "居民身份证", id_number, "13900001234",
                                                "j_trainee", PASSWORD, PASSWORD), system)
    other17 = "12022119910606123"
    await register_verified(TraineeRegistration("赵敏", "居民身份证",
                                                other17 + id_check_char(other17),
                                                "13900005678", "j_trainee2", PASSWORD,
                                                PASSWORD), system)
    today = clock.today()
    course = await create_course(CourseInput(
        kind="skill", title="旅程保育师四级班", qualification_code="CHILDCARE_WORKER", level=4,
        theory_hours_required=3, practical_hours_required=0, capacity=1,
        starts_on=today - timedelta(days=1), ends_on=today + timedelta(days=20)), staff)
    await transition(course, "open", staff)
    session = await exams.create_session("CHILDCARE_WORKER", 4, today + timedelta(days=25),
                                         "三楼考场", staff)
    await exams.move(session, "open", staff)
    return {"course": course, "session": session, "id_number": id_number}


async def _exam_day_comes(session_id: int) -> None:
    """The served app runs in its own process on the real clock: move the exam to today."""
    from training.tables import ExamSession

    await ExamSession.update({ExamSession.exam_on: clock.today()}).where(
        ExamSession.id == session_id)


async def _second_applies(course_id: int) -> None:
    """Another trainee applies after the first: one seat, two applicants."""
    from core.actor import Actor
    from core.tables import User
    from training.services.enrolment import apply

    user = await User.objects().where(User.username == "j_trainee2").first()
    await apply(course_id, Actor(user.id, user.username, "trainee", person_id=user.person))


def _fill_template(data: bytes, name: str, theory, practical) -> bytes:
    """Scores typed into the downloaded template (the name too, when ``name`` is given)."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book["成绩"]
    assert sheet["A2"].data_type == "s" and sheet["A2"].number_format == "@"
    if name:
        sheet["B2"] = name
    sheet["C2"], sheet["D2"] = theory, practical
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def _stranger() -> str:
    from core.identity import id_check_char

    return "12022119800101777" + id_check_char("12022119800101777")


STRANGER = _stranger()


def click(page, selector: str) -> None:
    page.click(selector)
    page.wait_for_load_state()


def test_main_journey(new_page):  # noqa: F811 — the imported fixture
    ids = run_async(_arrange())
    course, session = ids["course"], ids["session"]
    trainee = new_page(phone=True)
    sign_in(trainee, "j_trainee")
    trainee.goto(f"/courses/{course}")
    click(trainee, "form[action$='/apply'] button")
    assert "已提交报名" in trainee.content()

    run_async(_second_applies(course))

    phone_staff = new_page(phone=True)
    sign_in(phone_staff, "j_staff")
    phone_staff.goto(f"/training/provider/courses/{course}")
    assert phone_staff.locator("input[name=ids]").count() == 2
    assert phone_staff.evaluate("document.documentElement.scrollWidth") <= 390
    _shot(phone_staff, "enrolments-390")
    staff = new_page()
    sign_in(staff, "j_staff")
    staff.goto(f"/training/provider/courses/{course}")
    assert "按报名时间先后（而非勾选顺序）录取至名额满" in staff.inner_text("#bulk-enrolments")
    _shot(staff, "enrolments-1280")
    # both ticked, the later applicant first: application time decides who gets the seat
    for box in reversed(staff.locator("input[name=ids]").all()):
        box.check()
    click(staff, "#bulk-enrolments button[value=accept]")
    assert "已录取 1 人：刘洋；名额已满，列入候补 1 人：赵敏" in staff.content()
    click(staff, "button:has-text('开班')")
    click(staff, "a:has-text('记录学时')")
    # yesterday's class (the course began yesterday): over at any hour of the real clock,
    # while one of today would have to end before now
    staff.fill("#held_on", (clock.today() - timedelta(days=1)).isoformat())
    staff.fill("#starts_at", "09:00")
    staff.fill("#ends_at", "11:15")
    staff.fill("#hours", "3")
    staff.fill("#topic", "婴幼儿生活照料")
    click(staff, "button:has-text('保存本次课')")
    assert "出勤 1 人" in staff.content()
    click(staff, "button[value=complete]")
    assert "已结业" in staff.content()

    trainee.goto("/training/my")
    assert "理论学时 3 / 3" in trainee.content()
    trainee.goto(f"/training/exams/{session}/register")
    assert "已完成本职业本等级培训班次" in trainee.content()
    click(trainee, "button[value=register]")
    assert "报名已提交" in trainee.content()
    assert trainee.evaluate("document.documentElement.scrollWidth") <= 390

    staff.goto(f"/training/provider/exams/{session}")
    click(staff, "button[value=confirm]")
    click(staff, "button:has-text('截止报名')")
    assert "报名截止" in staff.content()
    # before the exam day the upload form is replaced by a message naming the exam date
    exam_on = (clock.today() + timedelta(days=25)).isoformat()
    assert f"考试日期为 {exam_on}，考试日之前不能上传成绩" in staff.content()
    assert staff.locator("#file").count() == 0
    run_async(_exam_day_comes(session))  # the served app reads the real clock
    staff.reload()
    staff.wait_for_load_state()
    # the template lists the confirmed candidate: only the scores are typed in
    with staff.expect_download() as download:
        staff.click("a:has-text('下载 Excel 模板')")
    template = Path(download.value.path()).read_bytes()
    rows = list(openpyxl.load_workbook(io.BytesIO(template))["成绩"].iter_rows(
        min_row=1, max_row=2, values_only=True))
    assert rows == [("身份证号", "姓名", "理论成绩", "实操成绩", "缺考"),
                    (ids["id_number"], "刘洋", None, None, None)]
    staff.set_input_files("#file", files=[{
        "name": "成绩.xlsx", "mimeType": "application/octet-stream", "buffer": template}])
    click(staff, "button:has-text('上传成绩')")
    assert "表头下没有成绩数据" in staff.content()  # downloaded and sent back unfilled
    staff.set_input_files("#file", files=[{
        "name": "成绩.xlsx", "mimeType": "application/octet-stream",
        "buffer": _fill_template(template, "刘阳", 85, "八十")}])
    click(staff, "button:has-text('上传成绩')")
    content = staff.content()
    assert "未保存任何成绩" in content and "姓名与报名信息不一致" in content
    assert "实际为“八十”" in content
    with staff.expect_download() as download:
        staff.click("a:has-text('下载标注错误的文件')")
    assert download.value.suggested_filename.endswith(".xlsx")
    staff.set_input_files("#file", files=[{
        "name": "成绩.xlsx", "mimeType": "application/octet-stream",
        "buffer": _fill_template(template, "", 85, 90)}])
    click(staff, "button:has-text('上传成绩')")
    assert "成绩已保存：1 人，合格 1 人" in staff.content()
    # the summary is confirmed before submitting
    click(staff, "a:has-text('核对成绩汇总并提交人社局审核')")
    summary = staff.content()
    assert '<dd class="count-candidates">1 人</dd>' in summary
    assert '<dd class="count-passed">1 人</dd>' in summary
    assert '<dd class="count-absent">0 人</dd>' in summary
    # the form confirms these exact results (their digest), not only the counts
    assert len(staff.locator("input[name=confirm_digest]").get_attribute("value")) == 64
    click(staff, "button:has-text('人数无误，提交人社局审核')")
    assert "提交后成绩即锁定" in staff.confirmations[-1]  # asked before the irreversible
    assert "已提交人社局审核" in staff.content()
    assert "已锁定" in staff.content()
