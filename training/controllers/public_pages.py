"""Pages anyone or a trainee uses: the public course catalogue, applying, my courses with
hours progress, exam registration with the 申报条件 check, my results (phone-first)."""

from __future__ import annotations

import contextlib

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from core.accounts.auth import actor_of, roles
from core.errors import DomainError
from core.forms import FormReader
from core.roles import Role
from core.web import FormData, PageNumber, errors_of, page, redirect_with
from training import eligibility as el
from training.controllers.common import form_of, labels, many
from training.services import courses, enrolment, exams, hours
from training.services.courses import CatalogueFilter


class CataloguePages(Controller):
    path = "/courses"
    include_in_schema = False

    @get("/")
    async def index(self, request: Request, qualification_code: FromQuery[str] = "",
                    level: FromQuery[str] = "", provider_id: FromQuery[str] = "",
                    date_from: FromQuery[str] = "", date_to: FromQuery[str] = "",
                    q: FromQuery[str] = "", page_number: PageNumber = 1) -> Template:
        reader = FormReader({"date_from": date_from, "date_to": date_to})
        start = reader.date("date_from", "开班日期起")
        end = reader.date("date_to", "开班日期止")
        errors = reader.errors  # a search still runs; the bad dates are shown beside them
        filters = CatalogueFilter(
            qualification_code=qualification_code,
            level=int(level) if level.isdigit() else None,
            provider_id=int(provider_id) if provider_id.isdigit() else None,
            date_from=start, date_to=end, q=q.strip()[:50])
        result = await courses.catalogue(filters, page_number, 20)
        return page(request, "training/catalogue.html", page_title="培训课程", result=result,
                    filters=filters, errors=errors,
                    providers=await courses.approved_providers(), **await labels())

    @get("/{course_id:int}")
    async def detail(self, request: Request, course_id: FromPath[int]) -> Template:
        course = await courses.get_public_course(course_id)
        return page(request, "training/course.html", page_title=course.title, course=course,
                    **await labels())

    @post("/{course_id:int}/apply", guards=[roles(Role.TRAINEE)])
    async def apply(self, request: Request, course_id: FromPath[int]) -> Redirect:
        try:
            await enrolment.apply(course_id, actor_of(request))
        except DomainError as error:
            return redirect_with(request, f"/courses/{course_id}", error.message, "error")
        return redirect_with(request, "/training/my", "已提交报名，请等待培训机构审核")


class TraineePages(Controller):
    path = "/training"
    include_in_schema = False
    guards = [roles(Role.TRAINEE)]

    @get("/my")
    async def my(self, request: Request, page_number: PageNumber = 1) -> Template:
        result = await enrolment.my_enrolments(actor_of(request), page_number, 20)
        progress = {row.id: await hours.progress_of(row.id) for row in result.items}
        return page(request, "training/my.html", page_title="我的培训", result=result,
                    progress=progress, **await labels())

    @post("/my/{enrolment_id:int}/withdraw")
    async def withdraw(self, request: Request, enrolment_id: FromPath[int]) -> Redirect:
        try:
            await enrolment.withdraw(enrolment_id, actor_of(request))
        except DomainError as error:
            return redirect_with(request, "/training/my", error.message, "error")
        return redirect_with(request, "/training/my", "已退出该班次")

    @get("/exams")
    async def my_exams(self, request: Request) -> Template:
        return page(request, "training/my_exams.html", page_title="我的考试",
                    registrations=await exams.my_registrations(actor_of(request)),
                    on_behalf=await exams.my_on_behalf(actor_of(request)),
                    sessions=await exams.open_sessions(), **await labels())

    @post("/exams/on-behalf/{request_id:int}/{answer:str}")
    async def answer_on_behalf(self, request: Request, request_id: FromPath[int],
                               answer: FromPath[str]) -> Redirect:
        """Confirm (accept) or decline a registration a provider made for the trainee."""
        if answer not in ("accept", "decline"):
            return redirect_with(request, "/training/exams", "不支持的操作", "error")
        try:
            await exams.answer_on_behalf(request_id, answer == "accept", actor_of(request))
        except DomainError as error:
            return redirect_with(request, "/training/exams", error.message, "error")
        return redirect_with(request, "/training/exams",
                             "已确认报名" if answer == "accept" else "已拒绝该报名")

    async def _register_page(self, request: Request, session_id: int, form: dict,
                             errors: dict, view: exams.EligibilityView | None,
                             status_code: int = 200) -> Template:
        session = await exams.open_session_for_registration(session_id)
        return page(request, "training/exam_register.html", status_code=status_code,
                    page_title="考试报名", session=session, form=form, errors=errors, view=view,
                    diploma_kinds=[(k, el.diploma_label(k)) for k in exams.DIPLOMA_KINDS],
                    declared_labels=lambda keys: [el.DECLARED_LABELS[k] for k in keys],
                    **await labels())

    @get("/exams/{session_id:int}/register")
    async def register_form(self, request: Request, session_id: FromPath[int]) -> Template:
        view = await exams.preview(session_id, actor_of(request), frozenset(), False)
        return await self._register_page(request, session_id, {}, {}, view)

    @post("/exams/{session_id:int}/register")
    async def register(self, request: Request, session_id: FromPath[int],
                       data: FormData) -> Template | Redirect:
        form = form_of(data)
        reader = FormReader(form)
        diplomas = frozenset(many(data, "diplomas"))
        if diplomas - set(exams.DIPLOMA_KINDS):
            reader.fail("diplomas", "学历类别无效")
        apprenticeship = form.get("apprenticeship") == "1"
        actor = actor_of(request)
        try:
            reader.done()
            if form.get("action") == "check":
                view = await exams.preview(session_id, actor, diplomas, apprenticeship)
                return await self._register_page(request, session_id,
                                                 {**form, "diplomas": sorted(diplomas)}, {}, view)
            await exams.register(session_id, actor, diplomas, apprenticeship)
        except DomainError as error:
            view = None
            with contextlib.suppress(DomainError):
                view = await exams.preview(session_id, actor, diplomas, apprenticeship)
            return await self._register_page(
                request, session_id, {**form, "diplomas": sorted(diplomas)},
                errors_of(error), view, error.status_code)
        return redirect_with(request, "/training/exams", "报名已提交，请等待评价机构确认")


