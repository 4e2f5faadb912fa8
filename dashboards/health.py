"""The 卫健委 dashboard: filings by state, and the share of accepted facilities whose staffing
meets the rules today, by street. Each chart with its table and an XLSX export of the same
numbers."""

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
from core.web import page
from employers.labour import staff


async def health_panels(day: date) -> tuple[list[tuple[str, Any]], list[Panel]]:
    """The summary ``(label, value)`` pairs and the panels (facilities by their filing's
    current state, compliance by street, the accepted facilities) on ``day``; compliance is
    checked against today's staff. Only accepted facilities (``Facility.filing_status``
    accepted) are listed and rated, whatever the state of earlier filings."""
    counts = await staff.filing_counts()  # facilities by their filing's current state
    labels = [label for _, label in staff.FILING_STATES]
    values = [counts.get(state, 0) for state, _ in staff.FILING_STATES]
    filings = Panel(
        "filings", "机构按当前备案状态",
        bar_chart("机构数（按当前备案状态）", labels, [Series("机构数", values)], whole=True),
        ["当前备案状态", "机构数"], [[label, n] for label, n in zip(labels, values, strict=True)],
        note="每个机构按最近一次备案的当前状态计一次：已退回指退回后尚未重新提交；"
             "退回后重新提交的计入已提交待审核或已备案。",
    )
    accepted = await staff.accepted_facilities()
    compliant = await staff.compliant_now([f.id for f in accepted], day)
    by_street = defaultdict(lambda: [0, 0])
    rows = []
    for f in accepted:
        ok = compliant.get(f.id)
        by_street[f.street or "未填写"][0] += 1
        by_street[f.street or "未填写"][1] += 1 if ok else 0
        rows.append([f.street, f.name, f.places, "达标" if ok else "不达标"])
    streets = sorted(by_street)
    comply = Panel(
        "compliance", "已备案机构当前达标比例（按街镇）",
        bar_chart("已备案机构当前达标比例", streets,
                  [Series("达标比例", [share(by_street[s][1], by_street[s][0]) for s in streets])],
                  unit="%", max_value=100),
        ["街镇", "已备案机构", "当前达标", "达标比例（%）"],
        [[s, *by_street[s], share(by_street[s][1], by_street[s][0])] for s in streets],
        note="按今日的人员配备重新检查（备案后人员变动会改变结果）。",
    )
    listing = Panel("facilities", "已备案机构", "",
                    ["街镇", "机构", "托位数", "当前人员配备"], rows)
    ok_total = sum(1 for r in rows if r[3] == "达标")
    rate = share(ok_total, len(rows))
    summary = [("提交过备案的机构", sum(values)), ("已备案机构", len(rows)),
               ("当前达标比例", "—" if rate is None else f"{rate}%")]
    return summary, [filings, comply, listing]


class HealthDashboard(Controller):
    path = "/dashboards"
    include_in_schema = False
    guards = [roles(Role.HEALTH_REVIEWER, Role.ADMIN)]

    @get("/health")
    async def show(self, request: Request) -> Template:
        summary, panels = await health_panels(today())
        return page(request, "dashboards/dashboard.html", page_title="卫健委统计",
                    heading="卫健委统计：备案与人员配备达标", intro=f"截至 {today()}。",
                    summary=summary, panels=panels, export_href="/dashboards/health.xlsx")

    @get("/health.xlsx")
    async def export(self) -> Response:
        _, panels = await health_panels(today())
        return xlsx_response("卫健委统计.xlsx", [p.sheet() for p in panels])
