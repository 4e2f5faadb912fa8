"""The officers' certificate review queue: page and API (人社局: HRSS officers and admins).

An item is decided once: confirm (stays valid), suspend (stays pending), revoke or re-issue —
through ``certification.services.reviews.decide`` and the lifecycle."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.response import Redirect, Template
from pydantic import BaseModel, ConfigDict, Field

from certification.access import ISSUING_ROLES
from certification.reasons import INTERNAL_NOTE_MAX_LENGTH, PUBLIC_REASON_MAX_LENGTH
from certification.services import reviews
from core.accounts.auth import actor_of, roles
from core.errors import DomainError
from core.pagination import clamp_page
from core.web import FormData, PageNumber, page, redirect_with

BASE = "/certification/reviews"
StateQuery = Annotated[str, QueryParameter(name="state", description=(
    "pending（待处理：open 或 suspended）、open、suspended、confirmed、revoked、reissued；"
    "空为全部"))]


class ReviewOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    credential_id: int
    certificate_number: str
    holder_name: str
    certificate_status: str
    kind: str
    kind_label: str
    reason: str
    state: str = Field(description="open | suspended | confirmed | revoked | reissued")
    state_label: str
    created_at: datetime
    decided_at: datetime | None
    decision_note: str
    new_credential_id: int | None


class ReviewPage(BaseModel):
    items: list[ReviewOut]
    total: int
    page: int
    per_page: int


class ReviewDecisionIn(BaseModel):
    action: str = Field(description="confirm | suspend | revoke | reissue")
    note: str = Field(default="", max_length=INTERNAL_NOTE_MAX_LENGTH,
                      description="核查意见（必填；作为内部备注，仅人社局可见，不公开）")
    public_reason: str = Field(
        default="", max_length=PUBLIC_REASON_MAX_LENGTH,
        description="公开原因（暂停、撤销时必填，将在公开查验页面和查验接口显示，并告知持证人；"
                    "不能换行或含控制字符）")


class ReviewPages(Controller):
    path = BASE
    guards = [roles(*ISSUING_ROLES)]
    include_in_schema = False

    async def _index(self, request: Request, state: str, page_number: int,
                     errors: dict | None = None, status_code: int = 200) -> Template:
        result = await reviews.list_reviews(state, page_number, 20)
        return page(request, "certification/reviews.html", status_code=status_code,
                    page_title="证书核查", result=result, state=state, errors=errors or {},
                    states=reviews.STATES, actions=reviews.ACTIONS)

    @get("/")
    async def index(self, request: Request, wanted: StateQuery = "pending",
                    page_number: PageNumber = 1) -> Template:
        try:
            return await self._index(request, wanted, page_number)
        except DomainError as error:
            return await self._index(request, "pending", 1, {"state": error.message}, 422)

    @post("/{review_id:int}")
    async def decide(self, request: Request, review_id: FromPath[int],
                     data: FormData) -> Template | Redirect:
        form = {k: str(v) for k, v in data.items()}
        try:
            item = await reviews.decide(review_id, form.get("action", ""), form.get("note", ""),
                                        actor_of(request), form.get("public_reason", ""))
        except DomainError as error:
            messages = getattr(error, "errors", None) or {error.field: error.message}
            return await self._index(request, "pending", 1,
                                     {f"item-{review_id}": "；".join(messages.values())},
                                     error.status_code)
        return redirect_with(request, BASE + "/",
                             f"证书 {item.certificate_number}：{item.state_label}")


class ReviewApi(Controller):
    path = "/api/v1/certification/reviews"
    guards = [roles(*ISSUING_ROLES)]
    tags = ["证书核查（主管部门）"]

    @get("/", summary="待核查证书（state=pending 为待处理；也可 open/confirmed/… 或空为全部）")
    async def index(self, wanted: StateQuery = "pending", page: FromQuery[int] = 1,
                    per_page: FromQuery[int] = 20) -> ReviewPage:
        number, per = clamp_page(page, per_page)
        result = await reviews.list_reviews(wanted, number, per)
        return ReviewPage(items=[ReviewOut.model_validate(r) for r in result.items],
                          total=result.total,
                          page=result.number, per_page=result.per_page)

    @post("/{review_id:int}/decision", status_code=200,
          summary="处理核查事项：确认有效、暂停、撤销或核查换发（须填意见；暂停、撤销须填公开原因）")
    async def decide(self, request: Request, review_id: FromPath[int],
                     data: JSONBody[ReviewDecisionIn]) -> ReviewOut:
        return ReviewOut.model_validate(await reviews.decide(
            review_id, data.action, data.note, actor_of(request), data.public_reason))
