"""The officer's exam-session review (page and API): candidates with scores, approve or return,
and the progress of the rendering/signing job that follows."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.response import Redirect, Template

from certification.access import ISSUING_ROLES
from certification.schemas import ApproveOut, JobOut, ReturnIn, SessionOut
from certification.services.approval import (
    SessionView,
    approve_session,
    list_sessions,
    return_session,
    session_view,
)
from certification.services.jobs_queue import job_progress, recent_jobs
from core.accounts.auth import actor_of, roles
from core.confirm import ask, confirmed
from core.errors import DomainError, NotFound
from core.pagination import clamp_page
from core.web import FormData, PageNumber, errors_of, page, redirect_with
from training.states import EXAM_STATE_LABELS

# ``state`` is a reserved handler argument in Litestar: the query parameter is mapped by name.
StateParam = Annotated[str, QueryParameter(name="state")]


def approve_question(view: SessionView) -> str:
    """What approving session ``view`` will do (core.confirm): the session, its provider and the
    number of certificates to be issued (one per candidate who passed)."""
    failed = len(view.candidates) - view.absent - view.passed
    others = "，".join(text for count, text in ((failed, f"不合格 {failed} 人"),
                                                (view.absent, f"缺考 {view.absent} 人"))
                      if count)
    return (f"审核通过「{view.title}」（{view.provider}）并发证？将为 {view.passed} 名合格考生"
            f"发放 {view.passed} 本证书" + (f"（{others}，不发证）" if others else "")
            + "，证书编号随即分配，不可撤回。确定审核通过吗？")


class ApprovalPages(Controller):
    path = "/certification/sessions"
    guards = [roles(*ISSUING_ROLES)]
    include_in_schema = False

    @get("/")
    async def index(self, request: Request, session_state: StateParam = "submitted",
                    page_number: PageNumber = 1) -> Template:
        state = session_state
        result = await list_sessions(state, page_number, 20)
        return page(request, "certification/sessions.html", page_title="考核结果审核",
                    result=result, state=state, state_labels=EXAM_STATE_LABELS,
                    jobs=await recent_jobs(10))

    @get("/{session_id:int}")
    async def detail(self, request: Request, session_id: FromPath[int]) -> Template:
        view = await session_view(session_id, full=True)
        return page(request, "certification/session.html", page_title="考核结果审核",
                    session=view, approve_question=approve_question(view))

    @post("/{session_id:int}/approve")
    async def approve(self, request: Request, session_id: FromPath[int],
                      data: FormData) -> Template | Redirect:
        view = None if confirmed(data) else await session_view(session_id, full=True)
        if view and view.state == "submitted" and view.body_ready and not view.not_before:
            # (else approving is refused and the refusal says why)
            return ask(request, question=approve_question(view),
                       action=f"/certification/sessions/{session_id}/approve", form={},
                       label="确认审核通过并发证", back=f"/certification/sessions/{session_id}",
                       title="审核通过并发证", kind="primary")
        try:
            approval = await approve_session(session_id, actor_of(request))
        except DomainError as error:
            if isinstance(error, NotFound):
                raise
            view = await session_view(session_id, full=True)
            return page(request, "certification/session.html", status_code=error.status_code,
                        page_title="考核结果审核", errors={"__all__": error.message},
                        session=view, approve_question=approve_question(view))
        return redirect_with(request, f"/certification/sessions/{session_id}",
                             f"已审核通过，向 {len(approval.issued)} 名合格考生发证；"
                             "证书文件正在生成")

    @post("/{session_id:int}/return")
    async def return_(self, request: Request, session_id: FromPath[int],
                      data: FormData) -> Template | Redirect:
        reason = str(data.get("reason", ""))
        try:
            await return_session(session_id, reason, actor_of(request))
        except DomainError as error:
            if isinstance(error, NotFound):
                raise
            view = await session_view(session_id, full=True)
            return page(request, "certification/session.html", status_code=error.status_code,
                        page_title="考核结果审核", form={"reason": reason},
                        errors=errors_of(error), session=view,
                        approve_question=approve_question(view))
        return redirect_with(request, "/certification/sessions/", "已退回培训机构更正")


class ApprovalApi(Controller):
    path = "/api/v1/certification"
    guards = [roles(*ISSUING_ROLES)]
    tags = ["考核审核与发证（人社局）"]

    @get("/exam-sessions", summary="待审核（或指定状态）的考核批次")
    async def sessions(self, session_state: StateParam = "submitted", page: FromQuery[int] = 1,
                       per_page: FromQuery[int] = 20) -> list[SessionOut]:
        number, per = clamp_page(page, per_page)
        return [SessionOut.model_validate(v)
                for v in (await list_sessions(session_state, number, per)).items]

    @get("/exam-sessions/{session_id:int}", summary="考核批次：全部考生成绩与是否合格")
    async def session(self, session_id: FromPath[int]) -> SessionOut:
        return SessionOut.model_validate(await session_view(session_id, full=True))

    @post("/exam-sessions/{session_id:int}/approve", status_code=200,
          summary="审核通过：以评价机构名义向合格考生发证（幂等：重复审核返回 409）")
    async def approve(self, request: Request, session_id: FromPath[int]) -> ApproveOut:
        approval = await approve_session(session_id, actor_of(request))
        return ApproveOut(session_id=session_id, state="approved", issued=approval.issued,
                          job_id=approval.job_id)

    @post("/exam-sessions/{session_id:int}/return", status_code=200,
          summary="退回机构更正（须填原因）")
    async def return_(self, request: Request, session_id: FromPath[int],
                      data: JSONBody[ReturnIn]) -> SessionOut:
        await return_session(session_id, data.reason, actor_of(request))
        return SessionOut.model_validate(await session_view(session_id, full=True))

    @get("/jobs/{job_id:int}", summary="证书生成与签名任务的进度")
    async def job(self, job_id: FromPath[int]) -> JobOut:
        row = await job_progress(job_id)
        if row is None:
            raise NotFound("未找到该任务")
        return JobOut.model_validate(row)
