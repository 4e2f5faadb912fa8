"""Every labour page form is read by the one forms layer (core.forms.FormReader,
amounts by core.forms.parse_yuan): a form posted with several bad fields answers 422 with EVERY
message beside its own field (``id="<field>-error"``) and writes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from employers.labour.tables import (
    InsuranceRegistration,
    LabourCase,
    LabourContract,
    LabourRecord,
    MinimumWageRate,
    WageEntry,
)
from tests.conftest import api_token, login, post_form
from tests.employers.test_form_errors import _assert_beside, _rows

LABOUR = ["labour record", "labour contract", "labour insurance", "labour wage", "labour case",
          "labour wage edit", "labour contract edit", "labour case edit", "minimum wage"]


USCC_LENGTH = "统一社会信用代码应为 18 位数字或大写字母（不含 I、O、Z、S、V）"


def _labour(world: Any, ids: dict[str, int]) -> dict[str, Any]:
    link = world.link_id
    wage_form = {"month": "2026-13", "gross": "inf", "countable": "-1", "pay_date": "x",
                 "hours": "NaN"}
    wage_expected = {"month": "月份格式应为 YYYY-MM，如 2026-03",
                     "gross": "应发工资应为金额（元），最多两位小数，如 2510.00",
                     "countable": "计入最低工资的部分不能为负数",
                     "pay_date": "日期格式应为 YYYY-MM-DD", "hours": "工时应为有限的数字"}
    return {
        "labour record": (world.operator, f"/labour/staff/{link}/record",
                          {"form": "dispatched", "agency_name": "", "agency_uscc": "123",
                           "contact": "1" * 51},
                          {"agency_name": "劳务派遣用工应填写劳务派遣单位名称",
                           "agency_uscc": USCC_LENGTH,
                           "contact": "联系方式最多 50 个字符"}, [LabourRecord]),
        "labour contract": (world.operator, f"/labour/staff/{link}/contracts",
                            {"type": "forever", "signed_on": "abc", "start": "",
                             "end": "2026-13-01", "probation_end": "2200-01-01"},
                            {"type": "请选择合同类型", "signed_on": "日期格式应为 YYYY-MM-DD",
                             "start": "请填写合同起始日期", "end": "日期格式应为 YYYY-MM-DD",
                             "probation_end": "日期应在 1900-01-01 至 2099-12-31 之间"},
                            [LabourContract]),
        "labour insurance": (world.operator, f"/labour/staff/{link}/insurance",
                             {"insurance_kind": "", "registered_on": "abc"},
                             {"insurance_kind": "请选择险种",
                              "registered_on": "日期格式应为 YYYY-MM-DD"},
                             [InsuranceRegistration]),
        "labour wage": (world.operator, f"/labour/staff/{link}/wages", wage_form, wage_expected,
                        [WageEntry]),
        "labour case": (world.operator, f"/labour/staff/{link}/cases",
                        {"kind": "", "filed_on": "", "status": "lost"},
                        {"kind": "请选择案件类型", "filed_on": "请填写受理日期",
                         "status": "请选择状态"}, [LabourCase]),
        "labour wage edit": ("hrss1", f"/labour/wages/{ids['wage']}/edit",
                             {**wage_form, "gross": ""},
                             {**wage_expected, "gross": "请填写应发工资（元）",
                              "reason": "主管部门更正记录须填写更正原因"}, [WageEntry]),
        "labour contract edit": (world.operator, f"/labour/contracts/{ids['contract']}/edit",
                                 {"type": "", "signed_on": "", "start": "1899-12-31"},
                                 {"type": "请选择合同类型", "signed_on": "请填写签订日期",
                                  "start": "日期应在 1900-01-01 至 2099-12-31 之间"},
                                 [LabourContract]),
        "labour case edit": (world.operator, f"/labour/cases/{ids['case']}/edit",
                             {"kind": "other", "filed_on": "x", "status": "x",
                              "resolution": "结" * 2001},
                             {"filed_on": "日期格式应为 YYYY-MM-DD", "status": "请选择状态",
                              "resolution": "处理结果最多 2000 个字符"}, [LabourCase]),
        "minimum wage": ("hrss1", "/labour/minimum-wage",
                         {"effective_from": "", "monthly": "1.234", "hourly": "inf",
                          "source": ""},
                         {"effective_from": "请填写执行日期",
                          "monthly": "月最低工资应为金额（元），最多两位小数，如 2510.00",
                          "hourly": "小时最低工资应为金额（元），最多两位小数，如 2510.00",
                          "source": "请填写文件依据"}, [MinimumWageRate]),
    }


@pytest.mark.parametrize("case", LABOUR)
def test_labour_forms_show_every_field_error(client, run, make_user, labour_world,
                                             case) -> None:
    from core.clock import today

    world = labour_world(start=today() - timedelta(days=40))
    make_user("hrss_officer", "hrss1")
    headers = api_token(client, world.operator)
    base = f"/api/v1/labour/staff/{world.link_id}"
    ids = {
        "contract": client.post(f"{base}/contracts", headers=headers, json={
            "type": "open_ended", "signed_on": "2025-01-01", "start": "2025-01-01"}).json()["id"],
        "wage": client.post(f"{base}/wages", headers=headers, json={
            "month": "2025-12", "gross_fen": 300000, "countable_fen": 300000}).json()["id"],
        "case": client.post(f"{base}/cases", headers=headers, json={
            "kind": "other", "filed_on": "2025-12-01"}).json()["id"],
    }
    user, path, form, expected, tables = _labour(world, ids)[case]
    before = _rows(run, tables)
    login(client, user)
    response = post_form(client, path, form)
    assert response.status_code == 422, response.text[:500]
    _assert_beside(response.text, expected)
    assert _rows(run, tables) == before


