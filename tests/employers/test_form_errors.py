"""Every employers page form is read by the one forms layer
(core.forms.FormReader): a form posted with several bad fields answers 422 with EVERY message
beside its own field (``id="<field>-error"``) and writes nothing. The labour forms:
tests/employers/labour/test_form_errors.py."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

import pytest

from core.tables import AuditLog
from employers.tables import (
    CredentialAccessLog,
    Facility,
    FacilityClass,
    StaffLink,
    WorkCalendarDay,
)
from tests.conftest import csrf_token, login, post_form


def _facility_fields() -> tuple[dict[str, str], dict[str, str]]:
    return ({"name": "", "uscc": "123", "registering_authority": "nowhere", "address": "",
             "street": "", "capacity": "abc"},
            {"name": "请填写机构名称",
             "uscc": "统一社会信用代码应为 18 位数字或大写字母（不含 I、O、Z、S、V）",
             "registering_authority": "请选择登记机关", "address": "请填写地址",
             "street": "请填写所在街镇", "service_types": "请至少选择一种服务类型",
             "capacity": "核定托位数应为整数"})


def _employers(world: dict) -> dict[str, Any]:
    """(user, path, form, expected {field: message}, tables that must not change)."""
    fid = world["facility_id"]
    form, expected = _facility_fields()
    return {
        "register facility": ("op1", "/employers/facilities/new", form, expected, [Facility]),
        "edit facility": ("op1", f"/employers/facilities/{fid}/edit", form, expected, [Facility]),
        "add class": ("op1", f"/employers/facilities/{fid}/classes",
                      {"code": "", "type": "nursery", "children": "inf"},
                      {"code": "请填写班级编号", "type": "请选择班型",
                       "children": "婴幼儿人数应为整数"}, [FacilityClass]),
        "link staff": ("op1", f"/employers/facilities/{fid}/staff",
                       {"id_type": "居民身份证", "id_number": "123", "name": "王1",
                        "phone": "999", "education": "phd", "employment": "",
                        "employment_form": "freelance", "started_on": "2026-13-01",
                        "management_years": "99"},
                       {"id_number": "身份证号应为 18 位（17 位数字加 1 位数字或 X）",
                        "name": "姓名不能包含数字", "phone": "手机号码应为 11 位数字，以 1 开头",
                        "education": "学历取值无效", "positions": "请至少选择一个岗位",
                        "employment": "请选择全职或兼职", "employment_form": "请选择用工形式",
                        "started_on": "日期格式应为 YYYY-MM-DD",
                        "management_years": "管理工作年限应在 0 到 60 之间"}, [StaffLink]),
        "what-if": ("op1", f"/employers/facilities/{fid}/what-if", {"children_A1": "inf"},
                    {"children_A1": "A1 班人数应为整数"}, [FacilityClass]),
        "check a person": ("op1", "/employers/checks",
                           {"id_type": "居民身份证", "id_number": "", "name": "", "reason": ""},
                           {"id_number": "请填写身份证号", "name": "请填写姓名",
                            "reason": "请填写查询事由"}, [CredentialAccessLog]),
        "calendar day": ("hrss1", "/employers/calendar",
                         {"day": "2026-02-30", "kind": "festival", "name": "", "source": ""},
                         {"day": "日期格式应为 YYYY-MM-DD", "kind": "请选择类型（放假或调休上班）",
                          "source": "请填写依据（国务院办公厅通知名称、文号）"},
                         [WorkCalendarDay]),
    }


def _rows(run: Callable, tables: list[Any]) -> list[int]:
    return [run(table.count()) for table in [*tables, AuditLog]]


def _assert_beside(text: str, expected: dict[str, str]) -> None:
    for field, message in expected.items():
        found = re.search(rf'id="{re.escape(field)}-error">([^<]*)<', text)
        assert found, (field, message, re.findall(r'id="([\w-]+)-error"', text))
        assert html.unescape(found.group(1)) == message, field


EMPLOYERS = ["register facility", "edit facility", "add class", "link staff",
             "what-if", "check a person", "calendar day"]


@pytest.mark.parametrize("case", EMPLOYERS)
def test_employers_forms_show_every_field_error(client, run, make_user, staffed, case) -> None:
    world = staffed()
    make_user("hrss_officer", "hrss1")
    user, path, form, expected, tables = _employers(
        {"facility_id": world["id"], "class_id": world["class_id"]})[case]
    before = _rows(run, tables)
    login(client, user)
    response = post_form(client, path, form)
    assert response.status_code == 422, response.text[:500]
    _assert_beside(response.text, expected)
    assert _rows(run, tables) == before


def test_bulk_check_reports_the_file_and_the_reason_at_once(client, run, staffed) -> None:
    staffed()
    before = run(CredentialAccessLog.count())
    login(client, "op1")
    response = client.post("/employers/checks/bulk", data={
        "bulk_reason": "", "_csrf_token": csrf_token(client)},
        files={"file": ("", b"", "application/octet-stream")})
    assert response.status_code == 422, response.text[:500]
    text = response.text
    assert "请选择 XLSX 或 CSV 文件" in text
    _assert_beside(text, {"bulk_reason": "请填写查询事由"})
    assert run(CredentialAccessLog.count()) == before


def test_a_staff_row_action_reports_every_field(client, run, staffed) -> None:
    """The row forms (check, leave) report all their fields at once, beside the row's fields."""
    world = staffed()
    link_id = world["people"]["s1"]["id"]
    before = run(StaffLink.count()), run(AuditLog.count())
    login(client, "op1")
    response = client.post(
        f"/employers/facilities/{world['id']}/staff/{link_id}",
        data={"action": "check", "code": "HEALTH_CERT", "outcome": "clear",
              "checked_on": "2026-99-01",
              "issuer_name": "", "_csrf_token": csrf_token(client)},
        files={"scan": ("", b"", "application/octet-stream")})
    assert response.status_code == 422, response.text[:500]
    for field, message in {"outcome": "请选择检查结论", "checked_on": "日期格式应为 YYYY-MM-DD",
                           "issuer_name": "请填写检查机构"}.items():
        assert f'id="{field}_{link_id}-error">{message}<' in response.text, field
    assert (run(StaffLink.count()), run(AuditLog.count())) == before


def test_a_class_row_reports_its_fields_in_that_row(client, run, staffed) -> None:
    """保存人数 in a class's row: code and children refused together, shown in that row (not
    beside the add-class form's fields of the same names)."""
    world = staffed()
    class_id = world["class_id"]
    before = run(FacilityClass.count()), run(AuditLog.count())
    login(client, "op1")
    response = post_form(client, f"/employers/facilities/{world['id']}/classes/{class_id}",
                         {"code": "", "type": "infant", "children": "1001"})
    assert response.status_code == 422, response.text[:500]
    assert (f'id="class-error-{class_id}">请填写班级编号；婴幼儿人数应在 0 到 1000 之间<'
            in response.text)
    assert 'id="children-error"' not in response.text
    assert (run(FacilityClass.count()), run(AuditLog.count())) == before
