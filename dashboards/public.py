"""The public statistics page: no login, only totals, no personal data (certified
practitioners by occupation and level, accepted facilities and places by street)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from litestar import Controller, Request, get
from litestar.response import Template

from core.clock import today
from core.db import engine
from core.reporting.charts import Series, bar_chart
from core.reporting.panels import Panel
from core.tables import Qualification, QualificationLevel
from core.web import page
from employers.labour import staff


async def public_panels(day: date) -> tuple[list[tuple[str, Any]], list[Panel]]:
    """The summary ``(label, value)`` pairs and the panels (certified people by occupation and
    level, accepted facilities and places by street) on ``day``; counts only."""
    quals = {r["id"]: r for r in await Qualification.select().where(Qualification.kind == "skill")}
    level_names = {(quals[r["qualification"]]["code"], r["level"]): r["name"]
                   for r in await QualificationLevel.select().where(
                       QualificationLevel.qualification.is_in(list(quals) or [-1]))}
    from piccolo.querystring import QueryString

    codes = [q["code"] for q in quals.values()] or [""]
    rows = await engine().run_querystring(QueryString(
        "SELECT code, level, COUNT(DISTINCT person) AS n FROM credential WHERE status = 'valid' "
        "AND issued_on <= {} AND (expires_on IS NULL OR expires_on >= {}) "
        f"AND code IN ({', '.join('{}' for _ in codes)}) GROUP BY code, level",
        day, day, *codes))
    names = {q["code"]: q["name"] for q in quals.values()}
    table = [[names[r["code"]], level_names.get((r["code"], r["level"]), ""), r["n"]]
             for r in sorted(rows, key=lambda r: (r["code"], -(r["level"] or 0)))]
    certified = Panel(
        "certified", "持证从业人员（按职业和等级）",
        bar_chart("持证人数", [f"{r[0]} {r[1]}" for r in table],
                  [Series("人数", [r[2] for r in table])], whole=True),
        ["职业", "等级", "持证人数"], table,
        note="持有有效职业技能等级证书的人数（同一人持多个等级分别计入）。",
    )
    accepted = await staff.accepted_facilities()
    by_street = defaultdict(lambda: [0, 0])
    for f in accepted:
        by_street[f.street or "未填写"][0] += 1
        by_street[f.street or "未填写"][1] += f.places or 0
    streets = sorted(by_street)
    facilities = Panel(
        "facilities", "已备案托育机构及托位（按街镇）",
        bar_chart("已备案机构与托位", streets, [
            Series("机构数", [by_street[s][0] for s in streets]),
            Series("托位数", [by_street[s][1] for s in streets])], whole=True),
        ["街镇", "已备案机构", "托位数"], [[s, *by_street[s]] for s in streets],
    )
    summary = [("持证从业人员（人次）", sum(r[2] for r in table)),
               ("已备案托育机构", len(accepted)),
               ("托位", sum(f.places or 0 for f in accepted))]
    return summary, [certified, facilities]


class PublicStatistics(Controller):
    include_in_schema = False

    @get("/statistics")
    async def show(self, request: Request) -> Template:
        summary, panels = await public_panels(today())
        return page(request, "dashboards/dashboard.html", page_title="公开统计",
                    heading="宁河区托育服务公开统计",
                    intro=f"截至 {today()}。仅含汇总数字，不含个人信息。",
                    summary=summary, panels=panels, export_href=None)
