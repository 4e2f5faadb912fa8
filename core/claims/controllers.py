"""Identity claims over the web: the claimant's "验证身份" page and API, the 人社局 officers'
queue of ID documents, and the gate that leads an unverified trainee to the verify page."""

from __future__ import annotations

import time
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.connection import ASGIConnection
from litestar.datastructures import UploadFile
from litestar.handlers.base import BaseRouteHandler
from litestar.params import FromPath, JSONBody, MultipartBody
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK, HTTP_202_ACCEPTED
from pydantic import BaseModel, ConfigDict, Field

from core import ratelimit
from core.accounts.auth import actor_of, client_ip, login_required, require_user
from core.claims import services
from core.errors import DomainError, NotFound
from core.files import read_file
from core.forms import FormReader
from core.identity import IdType, normalise_id_number, normalise_mobile, normalise_name
from core.roles import Role
from core.web import FormData, errors_of, page, redirect_with

VERIFY_PAGE = "/account/verify"
QUEUE = "/officer/claims"
# what an unverified trainee may still reach besides the verify page
OPEN_WHILE_UNVERIFIED = ("/account/", "/logout", "/static/", "/api/", "/schema", "/health")
# registration attempts per client address and hour
REGISTER_LIMIT = 10
REGISTER_WINDOW_S = 3600
ID_TYPES = [(t.value, t.value) for t in IdType]


class RegistrationThrottled(DomainError):
    """Too many registrations from one address (429); ``retry_after`` in seconds."""

    status_code = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__("注册过于频繁，请稍后再试", None)
        self.retry_after = retry_after


async def check_registration_rate(connection: ASGIConnection) -> None:
    """Count a registration attempt of the caller's address; raises RegistrationThrottled."""
    store = connection.app.stores.get("throttle")
    key = f"register:ip:{client_ip(connection)}"
    if not await ratelimit.allow(store, key, REGISTER_LIMIT, REGISTER_WINDOW_S):
        raise RegistrationThrottled(int(REGISTER_WINDOW_S - time.time() % REGISTER_WINDOW_S) + 1)


def read_person_fields(reader: FormReader) -> dict[str, str]:
    """The identity fields of a registration or claim form (name, id_number and phone required;
    id_type 居民身份证 when left empty), each refusal kept beside its own field by ``reader``.
    Returns the values in stored form where they are valid, else as typed (only used to judge
    a password). The form alone is judged here: nothing is looked up in the registry (the
    answer to a registration must not depend on what it holds, see ``core.claims.services``)."""
    id_type = reader.choice("id_type", "证件类型", [t.value for t in IdType], required=False)
    values = {"name": reader.raw("name"), "id_type": id_type or IdType.RESIDENT.value,
              "id_number": reader.raw("id_number"), "phone": reader.raw("phone")}
    values["name"] = reader.run("name", normalise_name, values["name"]) or values["name"]
    if "id_type" not in reader.errors:
        values["id_number"] = reader.run("id_number", normalise_id_number, values["id_number"],
                                         values["id_type"]) or values["id_number"]
    if not values["phone"].strip():
        reader.fail("phone", "请填写手机号码")
    else:
        values["phone"] = reader.run("phone", normalise_mobile, values["phone"]) or values["phone"]
    return values


def identity_gate(request: Request) -> Response | None:
    """App-wide before_request hook: an unverified trainee is led from every page to the
    verify page (the API needs no gate: ``person_id`` is None, so it shows nothing)."""
    user = request.scope.get("user")
    if user is None or not getattr(user, "identity_unverified", False):
        return None
    path = request.url.path
    if path == VERIFY_PAGE or path.startswith(OPEN_WHILE_UNVERIFIED):
        return None
    return Redirect(path=VERIFY_PAGE)


def hrss_only(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """人社局 officers only; anyone else signed in gets 404 (the queue's existence is not
    revealed), anonymous visitors are asked to sign in."""
    user = require_user(connection)
    if user.role != Role.HRSS_OFFICER:
        raise NotFound("页面不存在")


class ClaimResponse(BaseModel):
    model_config = ConfigDict(from_attributes=True)  # from services.ClaimView

    state: str = Field(description="pending | verified | rejected | unlinked")
    message: str
    phone_masked: str = Field("", description="新登记人员填写的手机号码（脱敏）")
    may_upload: bool = Field(False, description="可上传证件照片由人社局核验")
    document_uploaded: bool = False
    decision_note: str = ""


class RegisterAccepted(BaseModel):
    status: str = services.ACCEPTED_STATUS
    message: str = services.ACCEPTED_MESSAGE


class ClaimRestartRequest(BaseModel):
    name: str = Field(max_length=50, description="姓名")
    id_type: str = Field(default="居民身份证", max_length=20, description="证件类型")
    id_number: str = Field(max_length=40, description="证件号码")
    phone: str = Field(max_length=20, description="手机号码")


class CodeRequest(BaseModel):
    code: str = Field(max_length=20, description="短信验证码（6 位数字）")


async def _upload(data: dict[str, Any]) -> tuple[bytes, str]:
    value = data.get("document")
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, UploadFile) and value.filename:
        return await value.read(), value.filename
    return b"", ""


class VerifyPages(Controller):
    path = VERIFY_PAGE
    include_in_schema = False
    guards = [login_required]

    async def _page(self, request: Request, errors: dict[str, str] | None = None,
                    status_code: int = 200) -> Template | Redirect:
        user = require_user(request)
        if not user.identity_unverified:
            return Redirect(path="/")
        view = await services.claim_view(user.id, actor_of(request))
        return page(request, "claims/verify.html", status_code=status_code, view=view,
                    errors=errors or {}, consent_text=services.DOCUMENT_CONSENT,
                    id_types=ID_TYPES, page_title="验证身份")

    @get("/")
    async def show(self, request: Request) -> Template | Redirect:
        return await self._page(request)

    @post("/", status_code=HTTP_200_OK)
    async def verify(self, request: Request, data: FormData) -> Template | Redirect:
        user = require_user(request)
        try:
            await services.verify_claim(user.id, str(data.get("code", "")), actor_of(request))
        except DomainError as exc:
            return await self._page(request, errors_of(exc), 422)
        return redirect_with(request, "/", "身份核验成功，已关联您的培训与证书记录")

    @post("/resend", status_code=HTTP_200_OK)
    async def resend(self, request: Request) -> Template | Redirect:
        user = require_user(request)
        try:
            await services.resend_code(user.id, actor_of(request))
        except DomainError as exc:
            response = await self._page(request, errors_of(exc),
                                        exc.status_code if exc.status_code == 429 else 422)
            if getattr(exc, "retry_after", None):
                response.headers["Retry-After"] = str(exc.retry_after)  # type: ignore[attr-defined]
            return response
        return redirect_with(request, VERIFY_PAGE,
                             "如信息与登记一致，新的验证码已发送至登记的手机号码")

    @post("/restart", status_code=HTTP_200_OK)
    async def restart(self, request: Request, data: FormData) -> Template | Redirect:
        user = require_user(request)
        try:
            await check_registration_rate(request)
            reader = FormReader(data)
            read_person_fields(reader)
            reader.done()
            await services.restart_claim(user.id, services.ClaimInput(
                *(str(data.get(k, "")) for k in ("name", "id_type", "id_number", "phone"))),
                actor_of(request))
        except DomainError as exc:
            response = await self._page(request, errors_of(exc),
                                        429 if exc.status_code == 429 else 422)
            if getattr(exc, "retry_after", None):
                response.headers["Retry-After"] = str(exc.retry_after)  # type: ignore[attr-defined]
            return response
        return redirect_with(request, VERIFY_PAGE, services.ACCEPTED_MESSAGE, "info")

    @post("/document", status_code=HTTP_200_OK)
    async def document(self, request: Request,
                       data: MultipartBody[dict[str, Any]]) -> Template | Redirect:
        user = require_user(request)
        body, name = await _upload(data)
        try:
            await services.upload_document(user.id, body, name, data.get("consent") == "yes",
                                           actor_of(request))
        except DomainError as exc:
            return await self._page(request, errors_of(exc), 422)
        return redirect_with(request, VERIFY_PAGE,
                             "证件照片已提交，人社局工作人员核验后将短信通知您")


class ClaimApi(Controller):
    path = "/api/v1/auth/claim"
    tags = ["账号与认证"]
    guards = [login_required]

    @get("/", summary="本人身份核验状态")
    async def state(self, request: Request) -> ClaimResponse:
        user = require_user(request)
        return ClaimResponse.model_validate(
            await services.claim_view(user.id, actor_of(request)))

    @post("/code", status_code=HTTP_202_ACCEPTED, summary="重新发送身份核验验证码")
    async def resend(self, request: Request) -> ClaimResponse:
        user = require_user(request)
        await services.resend_code(user.id, actor_of(request))
        return ClaimResponse.model_validate(
            await services.claim_view(user.id, actor_of(request)))

    @post("/verify", status_code=HTTP_200_OK, summary="输入验证码完成身份核验")
    async def verify(self, request: Request, data: JSONBody[CodeRequest]) -> ClaimResponse:
        user = require_user(request)
        await services.verify_claim(user.id, data.code, actor_of(request))
        return ClaimResponse.model_validate(
            await services.claim_view(user.id, actor_of(request)))

    @post("/restart", status_code=HTTP_202_ACCEPTED,
          summary="重新填写身份信息（撤回当前申请，按注册同样处理并答复“已受理”）")
    async def restart(self, request: Request,
                      data: JSONBody[ClaimRestartRequest]) -> RegisterAccepted:
        user = require_user(request)
        await check_registration_rate(request)
        await services.restart_claim(user.id, services.ClaimInput(**data.model_dump()),
                                     actor_of(request))
        return RegisterAccepted()

    @post("/document", status_code=HTTP_202_ACCEPTED,
          summary="上传证件照片由人社局核验（multipart：document，consent=yes）")
    async def document(self, request: Request,
                       data: MultipartBody[dict[str, Any]]) -> ClaimResponse:
        user = require_user(request)
        body, name = await _upload(data)
        await services.upload_document(user.id, body, name, data.get("consent") == "yes",
                                       actor_of(request))
        return ClaimResponse.model_validate(
            await services.claim_view(user.id, actor_of(request)))


class OfficerClaimPages(Controller):
    path = QUEUE
    include_in_schema = False
    guards = [hrss_only]

    @get("/")
    async def index(self, request: Request) -> Template:
        return page(request, "claims/queue.html", claims=await services.pending_documents(),
                    page_title="身份核验")

    async def _detail(self, request: Request, claim_id: int, errors: dict[str, str] | None = None,
                      status_code: int = 200, form: dict | None = None) -> Template:
        claim = await services.claim_for_officer(claim_id)
        return page(request, "claims/detail.html", status_code=status_code, claim=claim,
                    errors=errors or {}, form=form or {}, page_title="身份核验")

    @get("/{claim_id:int}")
    async def detail(self, request: Request, claim_id: FromPath[int]) -> Template:
        return await self._detail(request, claim_id)

    @get("/{claim_id:int}/document")
    async def document(self, request: Request, claim_id: FromPath[int]) -> Response:
        row, data = await read_file(await services.document_of(claim_id, actor_of(request)))
        return Response(data, media_type=row.content_type,
                        headers={"Cache-Control": "no-store",
                                 "Content-Disposition": "inline"})

    @post("/{claim_id:int}/decide", status_code=HTTP_200_OK)
    async def decide(self, request: Request, claim_id: FromPath[int],
                     data: FormData) -> Template | Redirect:
        accept = data.get("decision") == "accept"
        try:
            await services.decide_claim(claim_id, accept, str(data.get("note", "")),
                                        actor_of(request))
        except NotFound:
            raise
        except DomainError as exc:
            return await self._detail(request, claim_id, errors_of(exc),
                                      422, {"note": str(data.get("note", ""))})
        return redirect_with(request, QUEUE, "已通过，账号已关联该人员" if accept
                             else "已退回，申请人将收到短信通知")
