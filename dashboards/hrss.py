"""The 人社局 dashboard: enrolments, completions, pass rates, certificates issued per month by
qualification and level, subsidy-eligible certificates. Each chart with its table and an XLSX
export."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.response import Template

from core import clock
from core.accounts.auth import roles
from core.credentials import CredentialStatus
from core.db import engine
from core.reporting.charts import Series, bar_chart, line_chart
from core.reporting.exports import xlsx_response
from core.reporting.panels import Panel, china_month_sql, last_months, share
from core.roles import Role
from core.tables import Qualification, QualificationLevel
from core.web import page

MONTHS = 12
SUBSIDY_CLAIM_MONTHS = 12  # domain.md: claimed within 12 months of issue (a local parameter)


async def _rows(sql: str, *args: Any) -> list[dict[str, Any]]:
    return await engine().run_querystring(_querystring(sql, args))


def _querystring(sql: str, args: tuple[Any, ...]) -> Any:
    from piccolo.querystring import QueryString

    return QueryString(sql, *args)


async def _level_names() -> tuple[dict[str, str], dict[tuple[str, int], dict[str, Any]]]:
    quals = {r["id"]: r for r in await Qualification.select().where(Qualification.kind == "skill")}
    names = {q["code"]: q["name"] for q in quals.values()}
    levels = {}
    for row in await QualificationLevel.select().where(
            QualificationLevel.qualification.is_in(list(quals) or [-1])):
        code = quals[row["qualification"]]["code"]
        levels[(code, row["level"])] = row
    return names, levels


async def certificates_panels(day: date) -> list[Panel]:
    months = last_months(day, MONTHS)
    names, levels = await _level_names()
    codes = sorted(names) or [""]
    since = day - timedelta(days=365)
    start = min(date.fromisoformat(months[0] + "-01"), since + timedelta(days=1))
    # One pass over the credentials: by day, code, level and status; both panels read it.
    rows = await _rows(
        "SELECT issued_on, code, level, status, COUNT(*) AS n FROM credential "
        "WHERE source = 'issued' AND issued_on >= {} AND issued_on <= {} "
        f"AND code IN ({', '.join('{}' for _ in codes)}) GROUP BY issued_on, code, level, status",
        start, day, *codes,
    )
    by_key: dict[tuple[str, int], dict[str, int]] = defaultdict(dict)
    subsidy_counts: dict[tuple[str, int], int] = defaultdict(int)
    first_month = months[0]
    for r in rows:
        issued = r["issued_on"]
        issued = issued if isinstance(issued, date) else date.fromisoformat(str(issued)[:10])
        month = f"{issued:%Y-%m}"
        key = (r["code"], r["level"])
        if month >= first_month:
            by_key[key][month] = by_key[key].get(month, 0) + r["n"]
        if r["status"] == CredentialStatus.VALID and issued > since:
            subsidy_counts[key] += r["n"]
    keys = sorted(by_key, key=lambda k: (k[0], -k[1]))
    label = {k: f"{names[k[0]]} {levels.get(k, {}).get('name', str(k[1]) + '级')}" for k in keys}
    series = [Series(label[k], [by_key[k].get(m, 0) for m in months]) for k in keys]
    table = [[label[k], *[by_key[k].get(m, 0) for m in months], sum(by_key[k].values())]
             for k in keys]
    per_month = Panel(
        "certificates", "每月颁发职业技能等级证书（按职业和等级）",
        line_chart("每月颁发证书数", months, series, unit="", whole=True),
        ["职业 / 等级", *months, "合计"], table,
    )
    subsidy_rows = [{"code": k[0], "level": k[1], "n": n} for k, n in subsidy_counts.items()]
    sub_table, cats, counts, amounts = [], [], [], []
    for r in sorted(subsidy_rows, key=lambda r: (r["code"], -(r["level"] or 0))):
        level = levels.get((r["code"], r["level"]))
        if not level or not level["subsidy_fen"]:
            continue
        text = f"{names[r['code']]} {level['name']}"
        amount = r["n"] * level["subsidy_fen"] / 100
        sub_table.append([text, r["n"], level["subsidy_fen"] / 100, amount])
        cats.append(text)
        counts.append(r["n"])
        amounts.append(amount)
    subsidy = Panel(
        "subsidy", "可申领技能提升补贴的证书（近 12 个月颁发）",
        bar_chart("可申领补贴证书数", cats, [Series("证书数", counts)], whole=True),
        ["职业 / 等级", "证书数", "补贴标准（元）", "补贴总额（元）"], sub_table,
        note="按目录中的补贴标准计算；每人每职业每等级限一次，须在发证后 12 个月内申领。",
    )
    return [per_month, subsidy]


def _qual_label(names: dict[str, str], levels: dict, code: str, level: int | None) -> str:
    if level is None:
        return names.get(code, code)
    return f"{names.get(code, code)} {levels.get((code, level), {}).get('name', f'{level}级')}"


PASS_RATE_NOTE = "仅统计人社局已审核通过的考核批次，按审核通过日期计入月份；每个批次只计一次。"


def _as_date(value: Any) -> date:
    return date.fromisoformat(value[:10]) if isinstance(value, str) else value


def _as_instant(value: Any) -> datetime | None:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value


def counted_on(exam_on: date, approved_at: datetime | None) -> date:
    """The day an approved session's results count in the pass rate: the China date of the
    bureau's approval (when the results became official), or the exam date for an approved
    session with no approval time recorded. One day per session, so it is counted once."""
    return clock.to_china_date(approved_at) if approved_at is not None else exam_on


@dataclass(frozen=True)
class ApprovedSession:
    """An approved exam session as the pass rate counts it: its id, qualification ``code``
    and ``level`` (None for none), exam date, approval time (None when not recorded), how many
    candidates ``sat`` and ``passed``, and the China date it is ``counted_on``."""

    id: int
    code: str
    level: int | None
    exam_on: date
    approved_at: datetime | None
    sat: int
    passed: int
    counted_on: date


async def approved_sessions(start: date, day: date) -> list[ApprovedSession]:
    """Approved exam sessions counted between ``start`` and ``day`` (China dates, inclusive).
    Sessions not approved are not counted; an approved session is counted on its
    ``counted_on`` day whatever its exam date (one approved before its exam date, as older
    records may be, is counted on its approval day rather than left out)."""
    rows = await _rows(
        "SELECT s.id AS id, s.qualification_code AS code, s.level AS level, "
        "s.exam_on AS exam_on, s.approved_at AS approved_at, COUNT(r.id) AS sat, "
        "SUM(CASE WHEN r.passed THEN 1 ELSE 0 END) AS passed "
        "FROM training_exam_session s JOIN training_exam_result r ON r.session = s.id "
        "WHERE s.state = {} GROUP BY s.id, s.qualification_code, s.level, s.exam_on, "
        "s.approved_at", "approved")
    out = []
    for row in rows:
        exam_on, approved_at = _as_date(row["exam_on"]), _as_instant(row["approved_at"])
        session = ApprovedSession(
            id=row["id"], code=row["code"], level=row["level"], exam_on=exam_on,
            approved_at=approved_at, sat=row["sat"], passed=row["passed"] or 0,
            counted_on=counted_on(exam_on, approved_at))
        if start <= session.counted_on <= day:
            out.append(session)
    return out


async def training_panels(day: date) -> list[Panel]:
    """Enrolments and completions per month, exam pass rates, subsidy-eligible training."""
    months = last_months(day, MONTHS)
    start = date.fromisoformat(months[0] + "-01")
    names, levels = await _level_names()
    names.update({r["code"]: r["name"] for r in await Qualification.select(
        Qualification.code, Qualification.name)})
    applied, completed = china_month_sql("e.applied_at"), china_month_sql("e.completed_at")
    # One pass over the enrolments, grouped by course, state and the two China months; the
    # WHERE takes a day more (China's first day starts the UTC day before), months filter below.
    since = start - timedelta(days=1)
    enrolment_rows = await _rows(
        f"SELECT e.course AS course, e.state AS state, {applied} AS applied_month, "
        f"{completed} AS completed_month, COUNT(*) AS n FROM training_enrolment e "
        "WHERE e.applied_at >= {} OR e.completed_at >= {} "
        f"GROUP BY e.course, e.state, {applied}, {completed}", since, since)
    courses = {r["id"]: r for r in await _rows(
        "SELECT id, qualification_code, level, subsidy_eligible FROM training_course")}
    first = months[0]
    enrolled: dict[str, int] = defaultdict(int)
    done: dict[str, int] = defaultdict(int)
    grouped: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for r in enrolment_rows:
        finished = r["state"] == "completed"
        if r["completed_month"] and r["completed_month"] >= first and finished:
            done[r["completed_month"]] += r["n"]
        if not r["applied_month"] or r["applied_month"] < first:
            continue
        enrolled[r["applied_month"]] += r["n"]
        course = courses.get(r["course"])
        if course is None:
            continue
        key = _qual_label(names, levels, course["qualification_code"], course["level"])
        grouped[key][0] += r["n"]
        grouped[key][1] += r["n"] if finished else 0
        if course["subsidy_eligible"]:
            grouped[key][2] += r["n"]
            grouped[key][3] += r["n"] if finished else 0
    monthly = Panel(
        "enrolments", "每月报名与结业人次",
        line_chart("每月报名与结业", months, [
            Series("报名", [enrolled.get(m, 0) for m in months]),
            Series("结业", [done.get(m, 0) for m in months])], whole=True),
        ["月份", "报名人次", "结业人次"],
        [[m, enrolled.get(m, 0), done.get(m, 0)] for m in months],
    )
    keys = sorted(grouped)
    by_qualification = Panel(
        "by_qualification", "近 12 个月报名与结业（按职业和等级）",
        bar_chart("报名与结业（按职业和等级）", keys, [
            Series("报名", [grouped[k][0] for k in keys]),
            Series("结业", [grouped[k][1] for k in keys])], whole=True),
        ["职业 / 等级", "报名人次", "结业人次", "结业率（%）"],
        [[k, grouped[k][0], grouped[k][1], share(grouped[k][1], grouped[k][0])] for k in keys],
    )
    subsidy_keys = [k for k in keys if grouped[k][2]]
    subsidy_training = Panel(
        "subsidy_training", "补贴性培训（近 12 个月）",
        bar_chart("补贴性培训报名与结业", subsidy_keys, [
            Series("报名", [grouped[k][2] for k in subsidy_keys]),
            Series("结业", [grouped[k][3] for k in subsidy_keys])], whole=True),
        ["职业 / 等级", "报名人次", "结业人次"],
        [[k, grouped[k][2], grouped[k][3]] for k in subsidy_keys],
        note="开班时标注为可享受培训补贴的班次。",
    )
    per_qual: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    per_month: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in await approved_sessions(start, day):
        key = _qual_label(names, levels, r.code, r.level)
        for bucket in (per_qual[key], per_month[f"{r.counted_on:%Y-%m}"]):
            bucket[0] += r.sat
            bucket[1] += r.passed
    qual_keys = sorted(per_qual)
    exams = Panel(
        "exams", "考试通过率（近 12 个月，按职业和等级）",
        bar_chart("考试通过率", qual_keys,
                  [Series("通过率", [share(per_qual[k][1], per_qual[k][0]) for k in qual_keys])],
                  unit="%", max_value=100),
        ["职业 / 等级", "参考人次", "通过人次", "通过率（%）"],
        [[k, per_qual[k][0], per_qual[k][1], share(per_qual[k][1], per_qual[k][0])]
         for k in qual_keys],
        note=PASS_RATE_NOTE,
    )
    exam_trend = Panel(
        "exam_months", "每月考试通过率",
        line_chart("每月考试通过率", months, [Series("通过率", [
            share(per_month[m][1], per_month[m][0]) if m in per_month else None
            for m in months])], unit="%", max_value=100),
        ["月份", "参考人次", "通过人次", "通过率（%）"],
        [[m, per_month[m][0], per_month[m][1], share(per_month[m][1], per_month[m][0])]
         for m in months if m in per_month],
        note=PASS_RATE_NOTE,
    )
    return [monthly, by_qualification, exams, exam_trend, subsidy_training]


async def hrss_panels(day: date) -> tuple[list[tuple[str, Any]], list[Panel]]:
    panels = await training_panels(day) + await certificates_panels(day)
    summary = []
    for panel in panels:
        if panel.key == "certificates":
            summary.append(("近 12 个月颁发证书", sum(r[-1] for r in panel.rows)))
        if panel.key == "subsidy":
            summary.append(("可申领补贴证书", sum(r[1] for r in panel.rows)))
        if panel.key == "exams" and panel.rows:
            sat = sum(r[1] for r in panel.rows)
            passed = sum(r[2] for r in panel.rows)
            rate = share(passed, sat)
            summary.append(("近 12 个月考试通过率", "—" if rate is None else f"{rate}%"))
    return summary, panels


GUARD = roles(Role.HRSS_OFFICER, Role.ADMIN)


class HrssDashboard(Controller):
    path = "/dashboards"
    include_in_schema = False
    guards = [GUARD]

    @get("/hrss")
    async def show(self, request: Request) -> Template:
        summary, panels = await hrss_panels(clock.today())
        return page(request, "dashboards/dashboard.html", page_title="人社局统计",
                    heading="人社局统计：培训、考核与发证",
                    intro=f"近 {MONTHS} 个月，截至 {clock.today()}。",
                    summary=summary, panels=panels, export_href="/dashboards/hrss.xlsx")

    @get("/hrss.xlsx")
    async def export(self) -> Response:
        _, panels = await hrss_panels(clock.today())
        return xlsx_response("人社局统计.xlsx", [p.sheet() for p in panels])

