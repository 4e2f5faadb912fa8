"""What labour-rights records and the oversight views add to the app."""

from __future__ import annotations

from typing import Any

from core.demo import SEEDERS
from core.roles import Role
from core.web import register_card, register_nav
from employers.labour.api import LabourApi
from employers.labour.dashboards import BureauDashboards, PublicStatistics
from employers.labour.demo import seed_labour_demo
from employers.labour.pages import LabourPages, MinimumWagePages, TraineeReminders

ROUTES: list[Any] = [LabourApi, LabourPages, MinimumWagePages, TraineeReminders,
                     BureauDashboards, PublicStatistics]

OFFICERS = (Role.HRSS_OFFICER, Role.ADMIN)


def setup() -> None:
    """Register navigation entries, dashboard cards and demo seeders."""
    register_nav("劳动保障", "/labour", [Role.FACILITY_OPERATOR], order=40)
    register_nav("劳动保障问题", "/labour/findings", OFFICERS, order=40)
    register_nav("到期提醒", "/me/reminders", [Role.TRAINEE], order=70)
    register_nav("教育局统计", "/dashboards/edu", [Role.EDU_OFFICER, Role.ADMIN], order=60)
    register_nav("卫健委统计", "/dashboards/health", [Role.HEALTH_REVIEWER, Role.ADMIN], order=60)
    register_nav("公开统计", "/statistics", None, order=85)
    register_card("劳动保障", "劳动合同、社会保险、工资、案件的登记，到期提醒和职工名册。",
                  "/labour", [Role.FACILITY_OPERATOR], order=40)
    register_card("劳动保障问题", "全区未签合同、社保逾期、低于最低工资等问题，可筛选、导出。",
                  "/labour/findings", OFFICERS, order=40)
    register_card("最低工资标准", "按执行日期维护的本市最低工资标准。", "/labour/minimum-wage",
                  OFFICERS, order=45)
    register_card("到期提醒", "我的证书、健康检查和劳动合同到期提醒。", "/me/reminders",
                  [Role.TRAINEE], order=70)
    register_card("托班与持证统计", "开设托班的幼儿园及其保育人员持证比例。", "/dashboards/edu",
                  [Role.EDU_OFFICER, Role.ADMIN], order=60)
    register_card("备案统计", "备案按状态分布，已备案机构当前达标比例。", "/dashboards/health",
                  [Role.HEALTH_REVIEWER, Role.ADMIN], order=60)
    if seed_labour_demo not in SEEDERS:
        SEEDERS.append(seed_labour_demo)
