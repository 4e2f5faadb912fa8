"""Recording credentials issued elsewhere: a page and an API for officers and operators."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, MultipartBody
from litestar.response import Redirect, Template

from certification.schemas import ExternalCredentialOut, IdOut
from certification.services.external import (
    MAX_SCAN_BYTES,
    OUTCOME_LABELS,
    ExternalInput,
    external_codes,
    list_external,
    record_external,
    scan_of,
)
from core import clock
from core.accounts.auth import actor_of, roles
from core.credentials import normalise_recorded_number
from core.errors import DomainError
from core.files import read_file
from core.forms import FormReader
from core.happened import require_happened
from core.identity import IdType, normalise_id_number, normalise_name
from core.pagination import clamp_page
from core.roles import Role
from core.uploads import SCAN_KINDS, check_upload
from core.web import PageNumber, errors_of, form_page, page, redirect_with

RECORDING_ROLES = (Role.HRSS_OFFICER, Role.EDU_OFFICER, Role.HEALTH_REVIEWER, Role.ADMIN,
                   Role.FACILITY_OPERATOR)


async def _record(request: Request, data: dict[str, Any]) -> int:
    upload = data.get("scan")
    content = await upload.read() if hasattr(upload, "read") else b""
    form = {k: str(v).strip() for k, v in data.items() if not hasattr(v, "read")}
    # every field judged at once (FieldErrors); the service judges them again and the rest
    reader = FormReader(form)
    id_type = reader.choice("id_type", "证件类型", [t.value for t in IdType], required=False)
    if "id_type" not in reader.errors:
        reader.run("id_number", normalise_id_number, form.get("id_number", ""),
                   id_type or IdType.RESIDENT)
    reader.run("name", normalise_name, form.get("name", ""))
    if form.get("code", "") not in dict(await external_codes()):
        reader.fail("code", "请选择证件类别")
    if reader.text("number", "证书（证明）编号", required=True, max_length=40):
        reader.run("number", normalise_recorded_number, form.get("number", ""))
    issuer_name = reader.text("issuer_name", "发证机构", required=True, max_length=100)
    issued_on = reader.date("issued_on", "发证（检查）日期", required=True)
    if issued_on is not None:
        reader.run("issued_on", require_happened, issued_on, clock.today(), "issued_on",
                   "发证（检查）日期")
    expires_on = reader.date("expires_on", "有效期至")
    outcome = reader.choice("outcome", "结论", OUTCOME_LABELS, required=False)
    reader.run("scan", lambda: check_upload(content, allowed=SCAN_KINDS,
                                            max_bytes=MAX_SCAN_BYTES, field="scan",
                                            label="扫描件"))
    reader.done()
    return await record_external(ExternalInput(
        id_type=id_type or IdType.RESIDENT, id_number=form.get("id_number", ""),
        name=form.get("name", ""), code=form.get("code", ""), number=form.get("number", ""),
        issuer_name=issuer_name, issued_on=issued_on, expires_on=expires_on, outcome=outcome,
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
                                      errors=errors_of(error))
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
        return [ExternalCredentialOut.model_validate(r) for r in result.items]
