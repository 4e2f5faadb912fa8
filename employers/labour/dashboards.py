"""教育局 and 卫健委 dashboards, and the public statistics page (no login, no personal data).

Each chart has its table and (for the bureaus) an XLSX export of the same numbers.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.response import Template

from core.accounts.auth import roles
from core.clock import today
from core.db import engine
from core.roles import Role
from core.tables import Qualification, QualificationLevel
from core.web import page
from employers.labour import staff
from employers.labour.charts import Series, bar_chart
from employers.labour.exports import xlsx_response
from employers.labour.reporting import Panel, share


async def edu_panels(day: date) -> tuple[list[tuple[str, Any]], list[Panel]]:
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


async def health_panels(day: date) -> tuple[list[tuple[str, Any]], list[Panel]]:
    counts = await staff.filing_counts()
    labels = [label for _, label in staff.FILING_STATES]
    values = [counts.get(state, 0) for state, _ in staff.FILING_STATES]
    filings = Panel(
        "filings", "备案按状态",
        bar_chart("备案数（按状态）", labels, [Series("备案数", values)]),
        ["状态", "备案数"], [[label, n] for label, n in zip(labels, values, strict=True)],
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
    summary = [("备案总数", sum(values)), ("已备案机构", len(rows)),
               ("当前达标比例", "—" if rate is None else f"{rate}%")]
    return summary, [filings, comply, listing]


async def public_panels(day: date) -> tuple[list[tuple[str, Any]], list[Panel]]:
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
                  [Series("人数", [r[2] for r in table])]),
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
            Series("托位数", [by_street[s][1] for s in streets])]),
        ["街镇", "已备案机构", "托位数"], [[s, *by_street[s]] for s in streets],
    )
    summary = [("持证从业人员（人次）", sum(r[2] for r in table)),
               ("已备案托育机构", len(accepted)),
               ("托位", sum(f.places or 0 for f in accepted))]
    return summary, [certified, facilities]


EDU = roles(Role.EDU_OFFICER, Role.ADMIN)
HEALTH = roles(Role.HEALTH_REVIEWER, Role.ADMIN)


class BureauDashboards(Controller):
    path = "/dashboards"
    include_in_schema = False

    @get("/edu", guards=[EDU])
    async def edu(self, request: Request) -> Template:
        summary, panels = await edu_panels(today())
        return page(request, "dashboards/dashboard.html", page_title="教育局统计",
                    heading="教育局统计：幼儿园托班与保育人员持证", intro=f"截至 {today()}。",
                    summary=summary, panels=panels, export_href="/dashboards/edu.xlsx")

    @get("/edu.xlsx", guards=[EDU])
    async def edu_export(self) -> Response:
        _, panels = await edu_panels(today())
        return xlsx_response("教育局统计.xlsx", [p.sheet() for p in panels])

    @get("/health", guards=[HEALTH])
    async def health(self, request: Request) -> Template:
        summary, panels = await health_panels(today())
        return page(request, "dashboards/dashboard.html", page_title="卫健委统计",
                    heading="卫健委统计：备案与人员配备达标", intro=f"截至 {today()}。",
                    summary=summary, panels=panels, export_href="/dashboards/health.xlsx")

    @get("/health.xlsx", guards=[HEALTH])
    async def health_export(self) -> Response:
        _, panels = await health_panels(today())
        return xlsx_response("卫健委统计.xlsx", [p.sheet() for p in panels])


class PublicStatistics(Controller):
    include_in_schema = False

    @get("/statistics")
    async def show(self, request: Request) -> Template:
        summary, panels = await public_panels(today())
        return page(request, "dashboards/dashboard.html", page_title="公开统计",
                    heading="宁河区托育服务公开统计",
                    intro=f"截至 {today()}。仅含汇总数字，不含个人信息。",
                    summary=summary, panels=panels, export_href=None)
