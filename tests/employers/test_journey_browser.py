"""The main journey in a browser: an operator links staff, sees a failing
report, fixes it and files; a reviewer returns the filing, the operator resubmits, the reviewer
accepts and the facility is on the public list."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from core import clock
from tests.browser.conftest import (  # noqa: F401 — fixtures used by name
    CHROMIUM,
    browser,
    live_server,
    new_page,
    run_async,
    sign_in,
)
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(CHROMIUM is None, reason="未找到 chromium：跳过浏览器测试")]
PDF = b"%PDF-1.7\n1 0 obj\n<< >>\nendobj\ntrailer\n<< >>\n%%EOF\n"
NAME = "宁河区旅程测试托育园"


def _id(first17: str) -> str:
    from core.identity import id_check_char

    return first17 + id_check_char(first17)


async def _arrange() -> dict:
    """A facility with one infant class of 9 and a staff short of one caregiver; the new
    caregiver is already in the registry with her certificates."""
    from core import db
    from core.accounts.services import NewUser, create_user
    from core.actor import Actor
    from core.credentials import CredentialInput, create_credential
    from core.identity import uscc_check_char
    from core.people import PersonInput, find_or_create_person
    from employers.facilities import ClassInput, FacilityInput, StaffTerms
    from employers.services import classes, facilities, staff

    system = Actor.system("test")
    op_id = await create_user(NewUser("j_operator", PASSWORD, "facility_operator", "园长"), system)
    await create_user(NewUser("j_reviewer", PASSWORD, "health_reviewer", "审核员"), system)
    op = Actor(op_id, "j_operator", "facility_operator")
    serial = iter(range(1, 1000))
    checked = clock.today() - timedelta(days=30)

    async def qualify(person_id: int, codes: list) -> None:
        for code, level, outcome in codes:
            await create_credential(CredentialInput(
                person_id=person_id, code=code, level=level, number=f"J{next(serial):06d}",
                issued_on=checked if outcome else date(2025, 6, 1), outcome=outcome,
                source="recorded"), system)

    checks = [("HEALTH_CERT", None, "pass"), ("BACKGROUND_CHECK", None, "clear")]
    async with db.transaction():
        first17 = "91120221MA9005001"
        facility = await facilities.register_facility(FacilityInput(
            NAME, first17 + uscc_check_char(first17), False, "civil_affairs", "芦台街道1号",
            "芦台街道", ["full_day"], 30), op)
        group = await classes.create_class(facility.id, ClassInput("A1", "infant", 9), op)
        team = [("赵敏", "12022119800101011", ["director"], [("DIRECTOR_TRAINING", None, None)]),
                ("王芳", "12022119900101022", ["caregiver"],
                 [("CAREGIVER_TRAINING", None, None), ("MENTAL_HEALTH_TRAINING", None, None)]),
                ("李华", "12022119900101033", ["caregiver"],
                 [("CHILDCARE_WORKER", 4, None), ("MENTAL_HEALTH_TRAINING", None, None)]),
                ("孙丽", "12022119900101044", ["health"], [("HEALTH_CARE_TRAINING", None, None)]),
                ("周强", "12022119900101055", ["security"], [("SECURITY_LICENSE", None, None)])]
        for name, id17, positions, codes in team:
            link = await staff.link_person(
                facility.id, PersonInput("居民身份证", _id(id17), name, education="bachelor"),
                StaffTerms(positions, "full_time", "full_time", date(2026, 1, 5), 5), op)
            await staff.upload_consent(link.id, PDF, "同意书.pdf", op)
            await qualify(link.person, codes + checks)
            if positions == ["caregiver"]:
                await classes.assign(group.id, link.id, op)
        newcomer = await find_or_create_person(
            PersonInput("居民身份证", _id("12022119950505066"), "陈静", education="associate"),
            system)
        await qualify(newcomer.id, [("INFANT_CARER", 4, None),
                                    ("MENTAL_HEALTH_TRAINING", None, None)] + checks)
    return {"facility": facility.id, "newcomer_id": _id("12022119950505066")}


def click(page, selector: str) -> None:
    page.click(selector)
    page.wait_for_load_state()


def upload(page, selector: str, name: str = "file.pdf") -> None:
    page.set_input_files(selector, files=[{"name": name, "mimeType": "application/pdf",
                                           "buffer": PDF}])


def submit_filing(page, explanation: str = "") -> None:
    for kind in ("licence", "premises", "health_evaluation", "fire_safety"):
        upload(page, f"#{kind}", f"{kind}.pdf")
    if explanation:
        page.fill("#explanation", explanation)
    click(page, "button:has-text('提交备案')")


def test_main_journey(new_page):  # noqa: F811
    ids = run_async(_arrange())
    fid = ids["facility"]
    op = new_page(phone=True)
    sign_in(op, "j_operator")
    op.goto(f"/employers/facilities/{fid}")
    assert "乳儿班 A1 有 9 名婴幼儿，需要至少 3 名合格保育人员，现有 2 名" in op.content()
    assert op.locator("#compliance [data-status=non_compliant]").count() == 1

    # Link the newcomer, with her signed consent form.
    op.fill("#id_number", ids["newcomer_id"])
    op.fill("#name", "陈静")
    op.check("#positions_caregiver_")
    op.select_option("#employment", "full_time")
    op.fill("#started_on", clock.today().isoformat())
    click(op, "button:has-text('关联')")
    assert "人员已关联" in op.content()
    row = op.locator("tr:has-text('陈静')")
    row.locator("summary").click()
    link_id = row.get_attribute("data-link")
    upload(op, f"#consent_form_{link_id}", "同意书.pdf")
    click(op, f"tr[data-link='{link_id}'] button:has-text('上传同意书')")
    assert "已上传签字同意书" in op.content()

    # Still failing until she is in A1; then compliant.
    assert op.locator("#compliance [data-status=non_compliant]").count() == 1
    op.select_option("select[name=staff_link_id]", link_id)
    click(op, "button:has-text('分配')")
    assert op.locator("#compliance [data-status=compliant]").count() == 1
    assert op.evaluate("document.documentElement.scrollWidth") <= 390 + 40

    submit_filing(op)
    assert "备案已提交" in op.content()

    rev = new_page()
    sign_in(rev, "j_reviewer")
    rev.goto("/employers/filings")
    assert NAME in rev.content() and "剩 5 个工作日" in rev.content()
    click(rev, f"a:has-text('{NAME}')")
    assert "摘要、签名与文件均一致" in rev.content()
    rev.fill("#reasons", "卫生评价报告不清晰，请重新上传")
    click(rev, "button:has-text('退回')")
    assert "已退回" in rev.content()

    op.goto(f"/employers/facilities/{fid}")
    assert "卫生评价报告不清晰" in op.content()
    submit_filing(op)
    assert "备案已提交" in op.content()

    rev.goto("/employers/filings")
    assert "重新提交" in rev.content()
    click(rev, f"a:has-text('{NAME}')")
    click(rev, "button:has-text('予以备案')")
    assert rev.confirmations[-1].startswith(f"予以备案「{NAME}」？")  # asked first, by name
    assert "对外公示" in rev.confirmations[-1] and "未通过" not in rev.confirmations[-1]
    assert "已予备案，回执编号 宁卫托备〔" in rev.content()

    public = new_page(phone=True)
    public.goto("/facilities/public")
    assert NAME in public.content() and "全日托" in public.content()
