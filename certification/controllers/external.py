"""Recording credentials issued elsewhere: a page and an API for officers and operators."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, MultipartBody
from litestar.response import Redirect, Template

from certification.schemas import ExternalCredentialOut, IdOut
from certification.services.external import (
    OUTCOME_LABELS,
    ExternalInput,
    external_codes,
    list_external,
    record_external,
    scan_of,
)
from core.accounts.auth import actor_of, roles
from core.errors import DomainError
from core.files import read_file
from core.forms import parse_date as _date
from core.identity import IdType
from core.pagination import clamp_page
from core.roles import Role
from core.web import PageNumber, form_page, page, redirect_with

RECORDING_ROLES = (Role.HRSS_OFFICER, Role.EDU_OFFICER, Role.HEALTH_REVIEWER, Role.ADMIN,
                   Role.FACILITY_OPERATOR)


async def _record(request: Request, data: dict[str, Any]) -> int:
    upload = data.get("scan")
    content = await upload.read() if hasattr(upload, "read") else b""
    form = {k: str(v).strip() for k, v in data.items() if not hasattr(v, "read")}
    return await record_external(ExternalInput(
        id_type=form.get("id_type") or IdType.RESIDENT, id_number=form.get("id_number", ""),
        name=form.get("name", ""), code=form.get("code", ""), number=form.get("number", ""),
        issuer_name=form.get("issuer_name", ""),
        issued_on=_date(form.get("issued_on"), "issued_on", required=True),
        expires_on=_date(form.get("expires_on"), "expires_on"),
        outcome=form.get("outcome") or None,
    ), content, getattr(upload, "filename", "") or "", actor_of(request))


class ExternalPages(Controller):
    path = "/certification/external"
    guards = [roles(*RECORDING_ROLES)]
    include_in_schema = False

    async def _render(self, request: Request, page_number: int, **extra: Any) -> Template:
        result = await list_external(actor_of(request), page_number, 20,
                                     request.query_params.get("q", ""))
        context = dict(page_title="外部证件登记", result=result, codes=await external_codes(),
                       outcomes=OUTCOME_LABELS, id_types=[(t.value, t.value) for t in IdType])
        if "errors" in extra:
            return form_page(request, "certification/external.html", extra.pop("form"),
                             extra.pop("errors"), **context)
        return page(request, "certification/external.html", **context)

    @get("/")
    async def index(self, request: Request, page_number: PageNumber = 1) -> Template:
        return await self._render(request, page_number)

    @post("/")
    async def create(self, request: Request,
                     data: MultipartBody[dict[str, Any]]) -> Template | Redirect:
        try:
            await _record(request, data)
        except DomainError as error:
            form = {k: v for k, v in data.items() if not hasattr(v, "read")}
            return await self._render(request, 1, form=form,
                                      errors={error.field or "__all__": error.message})
        return redirect_with(request, "/certification/external/", "已登记")

    @get("/{credential_id:int}/scan")
    async def scan(self, request: Request, credential_id: FromPath[int]) -> Response[bytes]:
        stored, data = await read_file(await scan_of(credential_id, actor_of(request)))
        return Response(data, media_type=stored.content_type,
                        headers={"Cache-Control": "private, no-store"})


class ExternalApi(Controller):
    path = "/api/v1/certification/external"
    guards = [roles(*RECORDING_ROLES)]
    tags = ["外部证件"]

    @post("/", status_code=201,
          summary="登记外部证件（multipart：人员、类别、编号、发证机构、日期、结论、扫描件）")
    async def create(self, request: Request, data: MultipartBody[dict[str, Any]]) -> IdOut:
        return IdOut(id=await _record(request, data))

    @get("/", summary="已登记的外部证件（经办人只看到自己登记的）")
    async def list(self, request: Request, q: FromQuery[str] = "", page: FromQuery[int] = 1,
                   per_page: FromQuery[int] = 20) -> list[ExternalCredentialOut]:
        number, per = clamp_page(page, per_page)
        result = await list_external(actor_of(request), number, per, q)
        return [ExternalCredentialOut(
            id=r["id"], code=r["code"], number=r["number"], issuer=r["issuer_name"],
            issued_on=r["issued_on"], expires_on=r["expires_on"], outcome=r["outcome"],
            status=r["status"], holder_name=r["holder_name"], has_scan=r["scan"] is not None,
        ) for r in result.items]
