"""What the dashboards package brings: the bureaus' statistics pages and the public statistics
(see core.domain)."""

from __future__ import annotations

from core.domain import Domain, card, nav
from core.roles import Role
from dashboards.edu import EduDashboard
from dashboards.health import HealthDashboard
from dashboards.hrss import HrssDashboard
from dashboards.public import PublicStatistics

DOMAIN = Domain(
    name="dashboards",
    routes=(EduDashboard, HealthDashboard, PublicStatistics, HrssDashboard),
    nav=(
        nav("教育局统计", "/dashboards/edu", [Role.EDU_OFFICER, Role.ADMIN], order=60),
        nav("卫健委统计", "/dashboards/health", [Role.HEALTH_REVIEWER, Role.ADMIN], order=60),
        nav("公开统计", "/statistics", None, order=85),
        nav("人社统计", "/dashboards/hrss", [Role.HRSS_OFFICER, Role.ADMIN], order=60),
    ),
    cards=(
        card("托班与持证统计", "开设托班的幼儿园及其保育人员持证比例。", "/dashboards/edu",
             [Role.EDU_OFFICER, Role.ADMIN], order=60),
        card("备案统计", "备案按状态分布，已备案机构当前达标比例。", "/dashboards/health",
             [Role.HEALTH_REVIEWER, Role.ADMIN], order=60),
        card("培训与发证统计", "报名、结业、考试通过率、每月发证和补贴，附图表与导出。",
             "/dashboards/hrss", [Role.HRSS_OFFICER, Role.ADMIN], order=60),
    ),
)
