"""The labour-rights journey in a browser: an operator records a contract and wages on a phone;
an officer sees the finding in the district view and exports it as XLSX."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from openpyxl import load_workbook

from tests.browser.conftest import run_async, sign_in


async def _facility_with_staff(operator_id: int) -> tuple[int, int]:
    from core.actor import Actor
    from core.clock import today
    from core.identity import id_check_char, uscc_check_char
    from core.people import PersonInput, find_or_create_person
    from employers.labour.services.minimum_wage import seed_minimum_wages
    from employers.tables import Facility, FacilityOperator, StaffLink

    await seed_minimum_wages()  # PostgreSQL runs start from truncated tables
    now = datetime.now(UTC)
    first17 = "91120221MA0099001"
    facility = Facility(
        name="芦台街浏览器测试托育园",
        uscc=first17 + uscc_check_char(first17),
        registering_authority="civil",
        address="宁河区光明路1号",
        street="芦台街道",
        capacity=40,
        created_at=now,
        updated_at=now,
    )
    await facility.save()
    await FacilityOperator(facility=facility.id, user=operator_id, created_at=now).save()
    id17 = "12022119950505002"
    person = await find_or_create_person(
        PersonInput("居民身份证", id17 + id_check_char(id17), "孙丽", "13820005678"),
        Actor.system("test"),
    )
    link = StaffLink(
        facility=facility.id,
        person=person.id,
        positions=["caregiver"],
        employment="full_time",
        employment_form="full_time",
        started_on=today() - timedelta(days=75),
        status="active",
        created_at=now,
        updated_at=now,
    )
    await link.save()
    return facility.id, link.id


def test_operator_records_contract_and_wages_officer_sees_and_exports(new_page, db_user):
    from core.clock import today

    operator_id = db_user("facility_operator", "b_labour_op")
    db_user("hrss_officer", "b_labour_hrss")
    _, link_id = run_async(_facility_with_staff(operator_id))
    day = today()
    start = day - timedelta(days=75)
    last_month = (day.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")

    page = new_page(phone=True)
    sign_in(page, "b_labour_op")
    page.goto("/labour")
    page.click(f"a[href='/labour/staff/{link_id}']")
    assert "孙丽" in page.locator("h1.page-title").inner_text()
    assert "未订立书面劳动合同" in page.content()  # 75 days without a written contract

    page.select_option("#type", "fixed")
    page.fill("#signed_on", (start + timedelta(days=50)).isoformat())  # signed late
    page.fill("#start", start.isoformat())
    page.fill("#end", (start + timedelta(days=3 * 365)).isoformat())
    page.click("#contracts button[type=submit]")
    page.wait_for_load_state()
    assert "已登记劳动合同" in page.content()
    assert "逾期订立书面劳动合同" in page.content()

    page.fill("#month", last_month)
    page.fill("#gross", "2600")
    page.fill("#countable", "2100.00")  # under the 2510 monthly minimum
    page.fill("#pay_date", day.replace(day=1).isoformat())
    page.click("#wages button[type=submit]")
    page.wait_for_load_state()
    assert "已登记工资" in page.content()
    assert "工资低于最低工资标准" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1

    officer = new_page()
    sign_in(officer, "b_labour_hrss")
    officer.goto("/labour/findings")
    officer.select_option("#code", "WAGE_BELOW_MINIMUM")
    officer.click("form.filters button[type=submit]")
    officer.wait_for_load_state()
    assert "芦台街浏览器测试托育园" in officer.content()
    assert "工资低于最低工资标准" in officer.content()
    with officer.expect_download() as info:
        officer.click("a:has-text('导出 Excel')")
    with open(info.value.path(), "rb") as download:
        data = download.read()
    ws = load_workbook(io.BytesIO(data)).active
    assert [c.value for c in ws[1]][:4] == ["街镇", "托育机构", "从业人员", "问题类型"]
    assert ws["B2"].value == "芦台街浏览器测试托育园"
    assert ws["D2"].value == "工资低于最低工资标准"
