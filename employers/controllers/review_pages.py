"""Reviewer pages (卫健委): filing queue with deadlines, facilities that no longer comply,
a filing's detail with accept / return and re-verification; the working-day calendar officers
maintain; and the public list (信息公示)."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from core import clock
from core.accounts.auth import actor_of, roles
from core.confirm import ask, confirmed
from core.errors import DomainError
from core.forms import FormReader
from core.labels import label
from core.roles import Role
from core.web import FormData, PageNumber, errors_of, form_page, page, redirect_with
from employers.compliance.snapshot import display_names, display_report, display_text
from employers.controllers.common import LABELS, form_of
from employers.facilities import FilingState, document_kinds
from employers.services import calendar, facilities, filings, rechecks
from employers.services.access import OFFICER_ROLES

REVIEWERS = (Role.HEALTH_REVIEWER, Role.ADMIN)


def accept_question(facility: str, report: dict) -> str:
    """What accepting the filing of ``facility`` will do (core.confirm); when its frozen
    ``report`` failed the staffing check, the rules it failed, by name."""
    failed = [label("compliance_rule", r["code"]) for r in report.get("rules", [])
              if r.get("status") == "fail"]
    warning = (f"该备案人员配备核查未通过 {len(failed)} 项：{'、'.join(failed)}。"
               if not report.get("compliant", True) else "")
    return (f"予以备案「{facility}」？{warning}予以备案后将出具备案回执并对外公示，"
            "不能撤回。确定予以备案吗？")


def _by_name(alerts: list[rechecks.FacilityAlert]) -> list[rechecks.FacilityAlert]:
    """The alerts' reasons with staff named as people read them (no internal ids)."""
    return [alert.model_copy(update={"reasons": [
        r | {"message": display_text(r.get("message") or "")} for r in alert.reasons]})
        for alert in alerts]


class ReviewPages(Controller):
    path = "/employers/filings"
    include_in_schema = False

    @get("/", guards=[roles(*REVIEWERS)])
    async def index(self, request: Request) -> Template:
        return page(request, "employers/review_queue.html", page_title="备案审核",
                    queue=await filings.queue(FilingState.SUBMITTED),
                    alerts=_by_name(await rechecks.no_longer_compliant()), labels=LABELS)

    async def _detail(self, request: Request, filing_id: int, form: dict | None = None,
                      errors: dict | None = None) -> Template:
        row = await filings.filing_for(filing_id, actor_of(request))
        context = {"page_title": f"备案第 {row.id} 号", "filing": row,
                   "verification": await filings.verify(filing_id, actor_of(request)),
                   "documents": document_kinds(), "labels": LABELS,
                   "names": display_names(row.snapshot.get("staff", [])),
                   "report": display_report(row.report, row.snapshot),
                   "history": await filings.history(row.facility),
                   "accept_question": accept_question(row.snapshot["facility"]["name"],
                                                      row.report)}
        if errors:
            return form_page(request, "employers/filing.html", form or {}, errors, **context)
        return page(request, "employers/filing.html", **context)

    @get("/{filing_id:int}", guards=[roles(Role.FACILITY_OPERATOR, *OFFICER_ROLES)])
    async def show(self, request: Request, filing_id: FromPath[int]) -> Template:
        return await self._detail(request, filing_id)

    @post("/{filing_id:int}/decision", guards=[roles(*REVIEWERS)])
    async def decide(self, request: Request, filing_id: FromPath[int],
                     data: FormData) -> Template | Redirect:
        form = form_of(data)
        if form.get("decision") == "accept" and not confirmed(form):
            row = await filings.filing_for(filing_id, actor_of(request))
            if row.state == FilingState.SUBMITTED:  # else the refusal says why
                return ask(request, question=accept_question(row.snapshot["facility"]["name"],
                                                             row.report),
                           action=f"/employers/filings/{filing_id}/decision", form=form,
                           label="确认予以备案", back=f"/employers/filings/{filing_id}",
                           title="予以备案", kind="primary")
        try:
            if form.get("decision") == "accept":
                row = await filings.accept(filing_id, actor_of(request))
                message = f"已予备案，回执编号 {row.receipt_number}"
            else:
                await filings.return_filing(filing_id, form.get("reasons", ""),
                                            actor_of(request))
                message = "已退回，机构修改后可重新提交"
        except DomainError as error:
            return await self._detail(request, filing_id, form, errors_of(error))
        return redirect_with(request, f"/employers/filings/{filing_id}", message)


class CalendarPages(Controller):
    path = "/employers/calendar"
    include_in_schema = False
    guards = [roles(*OFFICER_ROLES)]

    async def _page(self, request: Request, year: int, form: dict | None = None,
                    errors: dict | None = None) -> Template:
        context = {"page_title": "工作日历（节假日与调休）", "year": year,
                   "days": await calendar.list_days(year), "kinds": calendar.KINDS}
        if errors:
            return form_page(request, "employers/calendar.html", form or {}, errors, **context)
        return page(request, "employers/calendar.html", form=form or {}, **context)

    @get("/")
    async def index(self, request: Request, year: FromQuery[int | None] = None) -> Template:
        return await self._page(request, year or clock.today().year)

    @post("/")
    async def save(self, request: Request, data: FormData) -> Template | Redirect:
        form = form_of(data)
        try:
            reader = FormReader(data)
            day = reader.date("day", "日期", required=True)
            if form.get("kind", "") not in calendar.KINDS:
                reader.fail("kind", "请选择类型（放假或调休上班）")
            reader.text("name", "名称", max_length=30)
            if not reader.text("source", "依据", max_length=500):
                reader.fail("source", "请填写依据（国务院办公厅通知名称、文号）")
            reader.done()
            await calendar.save_day(day, form.get("kind", ""),  # type: ignore[arg-type]
                                    form.get("name", ""),
                                    form.get("source", ""), form.get("provisional") == "1",
                                    actor_of(request))
        except DomainError as error:
            return await self._page(request, clock.today().year, form, errors_of(error))
        return redirect_with(request, f"/employers/calendar?year={day.year}", "已保存")

    @post("/{day_id:int}/delete")
    async def delete(self, request: Request, day_id: FromPath[int], data: FormData) -> Redirect:
        try:
            await calendar.delete_day(day_id, actor_of(request))
        except DomainError as error:
            return redirect_with(request, "/employers/calendar", error.message, "error")
        return redirect_with(request, "/employers/calendar", "已删除")


class PublicPages(Controller):
    path = "/facilities/public"
    include_in_schema = False

    @get("/", exclude_from_auth=True)
    async def index(self, request: Request, q: FromQuery[str] = "",
                    page_number: PageNumber = 1) -> Template:
        result = await facilities.public_list(q.strip()[:50], page_number)
        return page(request, "employers/public.html", page_title="托育机构备案信息公示",
                    result=result, q=q, labels=LABELS)
