"""The 教育局 dashboard: kindergartens with toddler classes and the share of their caregivers
holding a valid skill certificate, by street and by kindergarten. Each chart with its table
and an XLSX export of the same numbers."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.response import Template

from core.accounts.auth import roles
from core.clock import today
from core.reporting.charts import Series, bar_chart
from core.reporting.exports import xlsx_response
from core.reporting.panels import Panel, share
from core.roles import Role
from core.tables import Qualification
from core.web import page
from employers.labour import staff


async def edu_panels(day: date) -> tuple[list[tuple[str, Any]], list[Panel]]:
    """The summary ``(label, value)`` pairs and the panels (by street, by kindergarten) of the
    kindergartens with toddler classes on ``day``; rates in percent, None with no caregiver."""
    kindergartens = await staff.kindergartens_with_toddler_classes()
    skill = [r["code"] for r in await Qualification.select(Qualification.code).where(
        Qualification.kind == "skill")]
    counts = await staff.caregiver_certification([k.id for k in kindergartens], day, skill)
    rows, by_street = [], defaultdict(lambda: [0, 0, 0])
    for k in kindergartens:
        people, held = counts.get(k.id, (0, 0))
        rows.append([k.street, k.name, k.toddler_classes, people, held, share(held, people)])
        street = by_street[k.street or "未填写"]
        street[0] += 1
        street[1] += people
        street[2] += held
    streets = sorted(by_street)
    street_panel = Panel(
        "streets", "开设托班的幼儿园及保育人员持证率（按街镇）",
        bar_chart("保育人员持证率（按街镇）", streets,
                  [Series("持证率", [share(by_street[s][2], by_street[s][1]) for s in streets])],
                  unit="%", max_value=100),
        ["街镇", "幼儿园数", "保育人员数", "持证人数", "持证率（%）"],
        [[s, *by_street[s], share(by_street[s][2], by_street[s][1])] for s in streets],
    )
    kg_panel = Panel(
        "kindergartens", "开设托班的幼儿园",
        bar_chart("各幼儿园保育人员持证率", [r[1] for r in rows[:40]],
                  [Series("持证率", [r[5] for r in rows[:40]])], unit="%", max_value=100),
        ["街镇", "幼儿园", "托班数", "保育人员数", "持证人数", "持证率（%）"], rows,
        note="持证：持有有效的保育师、育婴员或婴幼儿发展引导员职业技能等级证书。"
             + ("图中显示前 40 所，表格列出全部。" if len(rows) > 40 else ""),
    )
    total_people = sum(r[3] for r in rows)
    total_held = sum(r[4] for r in rows)
    rate = share(total_held, total_people)
    summary = [("开设托班的幼儿园", len(rows)), ("保育人员", total_people),
               ("持证率", "—" if rate is None else f"{rate}%")]
    return summary, [street_panel, kg_panel]


class EduDashboard(Controller):
    path = "/dashboards"
    include_in_schema = False
    guards = [roles(Role.EDU_OFFICER, Role.ADMIN)]

    @get("/edu")
    async def show(self, request: Request) -> Template:
        summary, panels = await edu_panels(today())
        return page(request, "dashboards/dashboard.html", page_title="教育局统计",
                    heading="教育局统计：幼儿园托班与保育人员持证", intro=f"截至 {today()}。",
                    summary=summary, panels=panels, export_href="/dashboards/edu.xlsx")

    @get("/edu.xlsx")
    async def export(self) -> Response:
        _, panels = await edu_panels(today())
        return xlsx_response("教育局统计.xlsx", [p.sheet() for p in panels])
