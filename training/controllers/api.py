"""The training API under /api/v1: providers (officers), courses, enrolment, class hours,
exam sessions, registrations and the bulk results upload."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from litestar import Controller, Request, Response, get, post, put
from litestar.datastructures import UploadFile
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody, MultipartBody
from pydantic import BaseModel, Field

from core.accounts.auth import actor_of, login_required, roles
from core.pagination import clamp_page
from core.reporting.exports import attachment
from core.roles import Role
from training import schemas as sc
from training.results_file import MAX_LISTED_ERRORS
from training.services import (
    courses,
    enrolment,
    exams,
    hours,
    hours_changes,
    providers,
    results,
)
from training.services.courses import CatalogueFilter, CourseInput
from training.services.evidence import EvidenceSeen, evidence_download
from training.services.providers import ProviderInput, ScopeInput
from training.services.results_template import session_template

OFFICERS = (Role.HRSS_OFFICER, Role.ADMIN)
STAFF = (Role.PROVIDER_STAFF,)


async def provider_out(provider_id: int, request: Request) -> sc.ProviderOut:
    return sc.ProviderOut.model_validate(
        await providers.provider_view(provider_id, actor_of(request)))


def provider_input(data: sc.ProviderIn) -> ProviderInput:
    return ProviderInput(
        name=data.name, uscc=data.uscc, address=data.address, contact_name=data.contact_name,
        contact_phone=data.contact_phone, is_assessment_body=data.is_assessment_body,
        body_type=data.body_type, body_code=data.body_code, site_serial=data.site_serial,
        province_code=data.province_code,
        scopes=[ScopeInput(s.qualification_code, s.level, s.scope) for s in data.scopes])


class ProvidersApi(Controller):
    path = "/api/v1/providers"
    guards = [roles(*OFFICERS, Role.PROVIDER_STAFF)]
    tags = ["培训机构"]

    @get("/", summary="培训机构列表（人社局）", guards=[roles(*OFFICERS)])
    async def index(self, request: Request, q: FromQuery[str] = "", status: FromQuery[str] = "",
                    page: FromQuery[int] = 1, per_page: FromQuery[int] = 20) -> sc.ProviderPage:
        number, per = clamp_page(page, per_page)
        result = await providers.search(q.strip(), status, number, per)
        return sc.ProviderPage(items=[sc.ProviderOut.model_validate(p) for p in result.items],
                               total=result.total, page=number, per_page=per)

    @post("/", summary="新建培训机构（人社局）", guards=[roles(*OFFICERS)], status_code=201)
    async def create(self, request: Request, data: JSONBody[sc.ProviderIn]) -> sc.ProviderOut:
        provider_id = await providers.create_provider(provider_input(data), actor_of(request))
        return await provider_out(provider_id, request)

    @get("/{provider_id:int}", summary="培训机构详情（本机构或人社局）")
    async def one(self, request: Request, provider_id: FromPath[int]) -> sc.ProviderOut:
        return await provider_out(provider_id, request)

    @post("/{provider_id:int}/approve", summary="批准培训机构", guards=[roles(*OFFICERS)],
          status_code=200)
    async def approve(self, request: Request, provider_id: FromPath[int]) -> sc.ProviderOut:
        await providers.set_status(provider_id, "approved", "", actor_of(request))
        return await provider_out(provider_id, request)

    @post("/{provider_id:int}/suspend", summary="暂停培训机构（须填原因）",
          guards=[roles(*OFFICERS)], status_code=200)
    async def suspend(self, request: Request, provider_id: FromPath[int],
                      data: JSONBody[sc.ReasonIn]) -> sc.ProviderOut:
        await providers.set_status(provider_id, "suspended", data.reason, actor_of(request))
        return await provider_out(provider_id, request)


def course_input(data: sc.CourseIn) -> CourseInput:
    return CourseInput(**data.model_dump())


class CoursesApi(Controller):
    path = "/api/v1/courses"
    tags = ["培训班次"]

    @get("/", summary="公开的班次目录（报名中）")
    async def catalogue(self, qualification_code: FromQuery[str] = "",
                        level: FromQuery[int | None] = None,
                        provider_id: FromQuery[int | None] = None,
                        date_from: FromQuery[date | None] = None,
                        date_to: FromQuery[date | None] = None, q: FromQuery[str] = "",
                        page: FromQuery[int] = 1, per_page: FromQuery[int] = 20) -> sc.CoursePage:
        number, per = clamp_page(page, per_page)
        result = await courses.catalogue(CatalogueFilter(
            qualification_code, level, provider_id, date_from, date_to, q.strip()), number, per)
        return sc.CoursePage(items=[sc.CourseOut.model_validate(r) for r in result.items],
                             total=result.total, page=number, per_page=per)

    @post("/", summary="新建班次（培训机构）", guards=[roles(*STAFF)], status_code=201)
    async def create(self, request: Request, data: JSONBody[sc.CourseIn]) -> sc.CourseOut:
        course_id = await courses.create_course(course_input(data), actor_of(request))
        return await self._out(course_id, request)

    async def _out(self, course_id: int, request: Request) -> sc.CourseOut:
        return sc.CourseOut.model_validate(await courses.course_row(course_id, actor_of(request)))

    @get("/{course_id:int}", summary="班次详情（本机构）", guards=[roles(*STAFF, *OFFICERS)])
    async def one(self, request: Request, course_id: FromPath[int]) -> sc.CourseOut:
        return await self._out(course_id, request)

    @put("/{course_id:int}", summary="修改班次（草稿或报名中）", guards=[roles(*STAFF)])
    async def update(self, request: Request, course_id: FromPath[int],
                     data: JSONBody[sc.CourseIn]) -> sc.CourseOut:
        await courses.update_course(course_id, course_input(data), actor_of(request))
        return await self._out(course_id, request)

    @post("/{course_id:int}/state", summary="班次状态：开放报名、开班、结业、取消",
          guards=[roles(*STAFF)], status_code=200)
    async def state(self, request: Request, course_id: FromPath[int],
                    data: JSONBody[sc.CourseStateIn]) -> sc.CourseOut:
        await courses.transition(course_id, data.state, actor_of(request), data.reason)
        return await self._out(course_id, request)

    @post("/{course_id:int}/enrolments", summary="报名班次（学员）", guards=[roles(Role.TRAINEE)],
          status_code=201)
    async def apply(self, request: Request, course_id: FromPath[int]) -> sc.StateOut:
        enrolment_id = await enrolment.apply(course_id, actor_of(request))
        return sc.StateOut(id=enrolment_id, state="applied")

    @get("/{course_id:int}/enrolments", summary="班次报名名单（本机构）", guards=[roles(*STAFF)])
    async def enrolments(self, request: Request, course_id: FromPath[int]) -> list[sc.EnrolmentOut]:
        course = await courses.get_course(course_id, actor_of(request))
        progress = await hours.progress_by_enrolment(course)
        return [sc.EnrolmentOut.model_validate(replace(r, progress=progress.get(r.id))) for r in
                await enrolment.course_enrolments(course_id, actor_of(request))]

    @post("/{course_id:int}/enrolments/decisions",
          summary="批量录取或不录取（按报名时间先后录取至名额满，其余列入候补；一个事务）",
          guards=[roles(*STAFF)], status_code=200)
    async def decide_many(self, request: Request, course_id: FromPath[int],
                          data: JSONBody[sc.BulkDecisionIn]) -> sc.BulkDecisionOut:
        outcomes = await enrolment.decide_many(course_id, data.ids, data.action, data.reason,
                                               actor_of(request))
        return sc.BulkDecisionOut(course_id=course_id, action=data.action, items=[
            sc.BulkDecisionItemOut.model_validate(o) for o in outcomes])

    @post("/{course_id:int}/class-sessions", summary="记录一次课及全班出勤", guards=[roles(*STAFF)],
          status_code=201)
    async def class_session(self, request: Request, course_id: FromPath[int],
                            data: JSONBody[sc.ClassSessionIn]) -> sc.IdOut:
        session_id = await hours.record_session(course_id, data.held_on, data.kind, data.hours,
                                                data.topic, set(data.present), actor_of(request),
                                                starts_at=data.starts_at, ends_at=data.ends_at)
        return sc.IdOut(id=session_id)

    @get("/{course_id:int}/class-sessions", summary="本班上课记录（含作废的与待更正标记）",
         guards=[roles(*STAFF, *OFFICERS)])
    async def class_sessions(self, request: Request,
                             course_id: FromPath[int]) -> list[sc.ClassSessionOut]:
        return [sc.ClassSessionOut.model_validate(r) for r in
                await hours_changes.sessions_with_flags(course_id, actor_of(request))]


class EnrolmentsApi(Controller):
    path = "/api/v1/enrolments"
    tags = ["报名与学时"]
    guards = [login_required]

    @post("/{enrolment_id:int}/decision", summary="录取、不录取（须填原因）或列入候补",
          guards=[roles(*STAFF)], status_code=200)
    async def decide(self, request: Request, enrolment_id: FromPath[int],
                     data: JSONBody[sc.DecisionIn]) -> sc.StateOut:
        state = await enrolment.decide(enrolment_id, data.decision, data.reason, actor_of(request))
        return sc.StateOut(id=enrolment_id, state=state)

    @post("/{enrolment_id:int}/withdraw", summary="学员开班前退出", guards=[roles(Role.TRAINEE)],
          status_code=200)
    async def withdraw(self, request: Request, enrolment_id: FromPath[int]) -> sc.StateOut:
        await enrolment.withdraw(enrolment_id, actor_of(request))
        return sc.StateOut(id=enrolment_id, state="withdrawn")

    @post("/{enrolment_id:int}/complete", summary="结业（学时达标；培训班次同时发放培训合格证明）",
          guards=[roles(*STAFF)], status_code=200)
    async def complete(self, request: Request, enrolment_id: FromPath[int]) -> sc.CompletionOut:
        credential_id = await hours.complete(enrolment_id, actor_of(request))
        return sc.CompletionOut(enrolment_id=enrolment_id, state="completed",
                                credential_id=credential_id)

    @get("/mine", summary="我的报名与学时进度（学员）", guards=[roles(Role.TRAINEE)])
    async def mine(self, request: Request) -> list[sc.EnrolmentOut]:
        result = await enrolment.my_enrolments(actor_of(request), 1, 200)
        return [sc.EnrolmentOut.model_validate(
            replace(row, progress=await hours.progress_of(row.id))) for row in result.items]


@dataclass
class ResultsFile:
    file: UploadFile


class ExamSessionsApi(Controller):
    path = "/api/v1/exam-sessions"
    tags = ["考试场次与成绩"]
    guards = [login_required]

    @post("/", summary="新建考试场次（评价机构）", guards=[roles(*STAFF)], status_code=201)
    async def create(self, request: Request, data: JSONBody[sc.ExamSessionIn]) -> sc.ExamSessionOut:
        actor = actor_of(request)
        session_id = await exams.create_session(data.qualification_code, data.level,
                                                data.exam_on, data.place, actor)
        return sc.ExamSessionOut.model_validate(await exams.get_session(session_id, actor))

    @get("/open", summary="报名中的考试场次")
    async def open_sessions(self) -> list[sc.ExamSessionOut]:
        return [sc.ExamSessionOut.model_validate(r) for r in await exams.open_sessions()]

    @get("/{session_id:int}", summary="考试场次详情（本机构）", guards=[roles(*STAFF, *OFFICERS)])
    async def one(self, request: Request, session_id: FromPath[int]) -> sc.ExamSessionOut:
        return sc.ExamSessionOut.model_validate(
            await exams.get_session(session_id, actor_of(request)))

    @post("/{session_id:int}/{action:str}",
          summary="开放报名 open、截止报名 close（提交审核见 .../submit，须带 confirm_digest）",
          guards=[roles(*STAFF)], status_code=200)
    async def move(self, request: Request, session_id: FromPath[int],
                   action: FromPath[str]) -> sc.ExamSessionOut:
        actor = actor_of(request)
        await exams.move(session_id, action, actor)
        return sc.ExamSessionOut.model_validate(await exams.get_session(session_id, actor))

    @post("/{session_id:int}/registrations", summary="报名考试（学员；按申报条件审查）",
          guards=[roles(Role.TRAINEE)], status_code=201)
    async def register(self, request: Request, session_id: FromPath[int],
                       data: JSONBody[sc.RegistrationIn]) -> sc.RegistrationOut:
        reg_id, view = await exams.register(session_id, actor_of(request),
                                            frozenset(data.diplomas), data.apprenticeship)
        return sc.RegistrationOut(id=reg_id, session_id=session_id, status="pending",
                                  route=view.route,
                                  eligibility=sc.EligibilityOut.model_validate(view))

    @get("/{session_id:int}/registrations",
         summary="报名名单（本机构确认用；declared 标出仅凭本人自述的申报条件）",
         guards=[roles(*STAFF)])
    async def registrations(self, request: Request,
                            session_id: FromPath[int]) -> list[sc.SessionRegistrationOut]:
        return [sc.SessionRegistrationOut.model_validate(r)
                for r in await exams.registrations_of(session_id, actor_of(request))]

    @post("/{session_id:int}/results",
          summary="上传成绩文件（CSV/XLSX，全部正确才保存；按考生补充或替换成绩，缺考填“缺考”）",
          guards=[roles(*STAFF)], status_code=200,
          responses={422: ResponseSpec(data_container=sc.ResultsRefused,
                                       description="前 200 处问题及总数；未保存任何成绩")})
    async def upload(self, request: Request, session_id: FromPath[int],
                     data: MultipartBody[ResultsFile]) -> Response[sc.ResultsAccepted]:
        body = await data.file.read()
        outcome = await results.upload_results(session_id, body, data.file.filename or "",
                                               actor_of(request))
        if not outcome.ok:
            errors = outcome.errors or []
            return Response({"errors": [e.as_dict() for e in errors[:MAX_LISTED_ERRORS]],
                             "total": len(errors), "sheet": outcome.sheet}, status_code=422)
        return Response(sc.ResultsAccepted.model_validate(outcome))

    @get("/{session_id:int}/results/template",
         summary="成绩模板（已列出本场已确认考生的身份证号、姓名，成绩与缺考列留空）；"
                 "format=xlsx（默认）或 csv",
         guards=[roles(*STAFF)], media_type="application/octet-stream")
    async def results_template(self, request: Request, session_id: FromPath[int],
                               format: FromQuery[str] = "xlsx") -> Response[bytes]:
        body, name, media_type = await session_template(session_id, format, actor_of(request))
        return attachment(body, name, media_type)

    @get("/{session_id:int}/results/summary",
         summary="成绩汇总（考生、缺考、合格、不合格、未上传）；提交时带回 confirm_digest",
         guards=[roles(*STAFF, *OFFICERS)])
    async def results_summary(self, request: Request,
                              session_id: FromPath[int]) -> sc.ResultsSummaryOut:
        return sc.ResultsSummaryOut.model_validate(
            await results.summary_of(session_id, actor_of(request)))

    @post("/{session_id:int}/submit",
          summary="提交人社局审核：须每位考生都有成绩或缺考，且 confirm_digest（及可选的 "
                  "confirm_counts）与当前成绩一致",
          guards=[roles(*STAFF)], status_code=200)
    async def submit(self, request: Request, session_id: FromPath[int],
                     data: JSONBody[sc.SubmitIn | None] = None) -> sc.ExamSessionOut:
        actor = actor_of(request)
        counts = data.confirm_counts.model_dump() if data and data.confirm_counts else None
        await exams.move(session_id, "submit", actor, counts,
                         data.confirm_digest if data else None)
        return sc.ExamSessionOut.model_validate(await exams.get_session(session_id, actor))

    @get("/{session_id:int}/results", summary="本场成绩（本机构或人社局）",
         guards=[roles(*STAFF, *OFFICERS)])
    async def results(self, request: Request, session_id: FromPath[int]) -> list[sc.ExamResultOut]:
        return [sc.ExamResultOut.model_validate(r)
                for r in await results.results_of(session_id, actor_of(request))]


class RegistrationsApi(Controller):
    path = "/api/v1/exam-registrations"
    tags = ["考试场次与成绩"]
    guards = [login_required]

    @get("/mine", summary="我的考试报名与成绩（学员）", guards=[roles(Role.TRAINEE)])
    async def mine(self, request: Request) -> list[sc.MyRegistrationOut]:
        return [sc.MyRegistrationOut.model_validate(r)
                for r in await exams.my_registrations(actor_of(request))]

    @post("/{registration_id:int}/confirm",
          summary="确认考生报名（申报条件仅凭自述的，须填写核验依据 evidence_note）",
          guards=[roles(*STAFF)], status_code=200)
    async def confirm(self, request: Request, registration_id: FromPath[int],
                      data: JSONBody[sc.ConfirmIn | None] = None) -> sc.StateOut:
        seen = EvidenceSeen(note=data.evidence_note if data else "")
        await exams.decide_registration(registration_id, True, "", actor_of(request), seen)
        return sc.StateOut(id=registration_id, state="confirmed")

    @get("/{registration_id:int}/evidence", summary="确认报名时上传的核验材料（本机构或人社局）",
         guards=[roles(*STAFF, *OFFICERS)], media_type="application/octet-stream")
    async def evidence(self, request: Request, registration_id: FromPath[int]) -> Response[bytes]:
        name, content_type, body = await evidence_download(registration_id, actor_of(request))
        from urllib.parse import quote
        return Response(body, media_type=content_type, headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})

    @post("/{registration_id:int}/reject", summary="不予通过（须填原因）", guards=[roles(*STAFF)],
          status_code=200)
    async def reject(self, request: Request, registration_id: FromPath[int],
                     data: JSONBody[sc.ReasonIn]) -> sc.StateOut:
        await exams.decide_registration(registration_id, False, data.reason, actor_of(request))
        return sc.StateOut(id=registration_id, state="rejected")


class OnBehalfIn(BaseModel):
    """A provider registers a trainee for its open exam session (pending the trainee)."""

    session_id: int
    id_type: str = Field(default="居民身份证", description="证件类型")
    id_number: str = Field(max_length=40, description="证件号码")
    name: str = Field(max_length=50, description="姓名（与证件一致）")
    condition: int = Field(description="符合的申报条件序号（见 .../conditions，从 1 起）")
    evidence_note: str = Field(default="", max_length=500, description="核验依据：所见材料及编号")


class OnBehalfOut(BaseModel):
    """Only what the provider entered, the condition and the state; nothing of the person
    (training.services.exams.OnBehalfRequest)."""

    model_config = sc.FROM_ROWS

    id: int
    session_id: int
    id_type: str
    id_number: str = Field(description="证件号码（已遮蔽）")
    name: str
    condition: int
    met: str | None
    evidence_note: str
    state: str = Field(description="awaiting 待本人确认, confirmed 本人已确认, "
                                   "declined 本人已拒绝")
    state_label: str


class ConditionOut(BaseModel):
    number: int
    description: str


class CodeIn(BaseModel):
    code: str = Field(max_length=20, description="本人收到的 6 位短信验证码")


class DetailOut(BaseModel):
    detail: str


class MyOnBehalfOut(exams.OnBehalfSummary):
    """A request awaiting the trainee's answer: training.services.exams.OnBehalfSummary, its
    state documented as a plain string."""

    model_config = sc.FROM_ROWS

    state: str


class OnBehalfApi(Controller):
    """Exam registrations a provider makes for a trainee, pending until the trainee confirms
    them in their account or tells the provider the SMS code sent to the phone on file."""

    path = "/api/v1/on-behalf-registrations"
    tags = ["考试场次与成绩"]
    guards = [login_required]

    @get("/conditions", summary="本场考试的申报条件（代为报名时选择）", guards=[roles(*STAFF)])
    async def conditions(self, request: Request,
                         session_id: FromQuery[int]) -> list[ConditionOut]:
        session = await exams.get_session(session_id, actor_of(request))
        return [ConditionOut(number=n, description=d) for n, d in exams.conditions_of(session)]

    @post("/", summary="代为报名考试（评价机构；待本人确认）", guards=[roles(*STAFF)],
          status_code=201)
    async def create(self, request: Request, data: JSONBody[OnBehalfIn]) -> OnBehalfOut:
        actor = actor_of(request)
        request_id = await exams.register_on_behalf(
            data.session_id, exams.OnBehalfInput(data.id_type, data.id_number, data.name,
                                                 data.condition),
            EvidenceSeen(note=data.evidence_note), actor)
        rows = await exams.on_behalf_of_session(data.session_id, actor)
        return OnBehalfOut.model_validate(next(r for r in rows if r.id == request_id))

    @get("/", summary="本场代报名（评价机构）", guards=[roles(*STAFF)])
    async def index(self, request: Request, session_id: FromQuery[int]) -> list[OnBehalfOut]:
        return [OnBehalfOut.model_validate(r)
                for r in await exams.on_behalf_of_session(session_id, actor_of(request))]

    @post("/{request_id:int}/send-code", summary="向本人登记的手机发送确认验证码",
          guards=[roles(*STAFF)], status_code=202)
    async def send_code(self, request: Request, request_id: FromPath[int]) -> DetailOut:
        return DetailOut(detail=await exams.send_on_behalf_code(request_id, actor_of(request)))

    @post("/{request_id:int}/confirm-code", summary="填写本人收到的验证码，确认代报名",
          guards=[roles(*STAFF)], status_code=200)
    async def confirm_code(self, request: Request, request_id: FromPath[int],
                           data: JSONBody[CodeIn]) -> sc.StateOut:
        state = await exams.confirm_on_behalf_by_code(request_id, data.code, actor_of(request))
        return sc.StateOut(id=request_id, state=state)

    @get("/mine", summary="机构为我代报名、待我确认的考试（学员）", guards=[roles(Role.TRAINEE)])
    async def mine(self, request: Request) -> list[MyOnBehalfOut]:
        return [MyOnBehalfOut.model_validate(r)
                for r in await exams.my_on_behalf(actor_of(request))]

    @post("/{request_id:int}/accept", summary="本人确认机构代为报名（学员）",
          guards=[roles(Role.TRAINEE)], status_code=200)
    async def accept(self, request: Request, request_id: FromPath[int]) -> sc.StateOut:
        state = await exams.answer_on_behalf(request_id, True, actor_of(request))
        return sc.StateOut(id=request_id, state=state)

    @post("/{request_id:int}/decline", summary="本人拒绝机构代为报名（学员）",
          guards=[roles(Role.TRAINEE)], status_code=200)
    async def decline(self, request: Request, request_id: FromPath[int]) -> sc.StateOut:
        state = await exams.answer_on_behalf(request_id, False, actor_of(request))
        return sc.StateOut(id=request_id, state=state)


def _api_routes() -> list:
    from training.controllers.hours_api import ClassSessionsApi

    return [ProvidersApi, CoursesApi, EnrolmentsApi, ExamSessionsApi, RegistrationsApi,
            ClassSessionsApi, OnBehalfApi]


API_ROUTES = _api_routes()
