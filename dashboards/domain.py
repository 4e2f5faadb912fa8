"""What the dashboards package brings: the bureaus' statistics pages (see core.domain)."""

from __future__ import annotations

from certification.dashboards import HrssDashboard
from core.domain import Domain, card, nav
from core.roles import Role

DOMAIN = Domain(
    name="dashboards",
    routes=(HrssDashboard,),
    nav=(nav("人社统计", "/dashboards/hrss", [Role.HRSS_OFFICER, Role.ADMIN], order=60),),
    cards=(card("培训与发证统计", "报名、结业、考试通过率、每月发证和补贴，附图表与导出。",
                "/dashboards/hrss", [Role.HRSS_OFFICER, Role.ADMIN], order=60),),
)
