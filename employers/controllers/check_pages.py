"""Credential checks (operators), and the person's own page: links to accept or refuse,
consents to withdraw and their history, and who viewed their records."""

from __future__ import annotations

import secrets
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, MultipartBody
from litestar.response import Redirect, Template

from core import clock
from core.accounts.auth import actor_of, roles
from core.errors import DomainError, NotFound
from core.forms import FormReader
from core.reporting.exports import Sheet, xlsx_response
from core.roles import Role
from core.web import FormData, errors_of, form_page, page, redirect_with
from employers.controllers.common import LABELS, form_of, read_person, upload_of
from employers.services import checks, consents, staff

ID_TYPES = [("居民身份证", "居民身份证"), ("港澳台居民居住证", "港澳台居民居住证"),
            ("外国人永久居留身份证", "外国人永久居留身份证"), ("护照", "护照")]
# The session keeps the download rows of the operator's last few bulk checks, by token.
BULK_RESULTS_KEY = "employers_bulk_checks"
BULK_RESULTS_KEPT = 3


def keep_results(request: Request, results: list[checks.CheckResult], reason: str) -> str:
    """Keep a bulk check's download rows (exactly what the page shows) in the session; the
    token the download link names. Only the last BULK_RESULTS_KEPT checks are kept."""
    token = secrets.token_urlsafe(12)
    kept = dict(request.session.get(BULK_RESULTS_KEY) or {})
    while len(kept) >= BULK_RESULTS_KEPT:
        kept.pop(next(iter(kept)))
    kept[token] = {"reason": reason, "persons": len(results),
                   "at": clock.now_china().strftime("%Y%m%d-%H%M"),
                   "rows": checks.export_rows(results)}
    request.session[BULK_RESULTS_KEY] = kept
    return token


class CheckPages(Controller):
    path = "/employers/checks"
    include_in_schema = False
    guards = [roles(Role.FACILITY_OPERATOR)]

    @get("/")
    async def index(self, request: Request) -> Template:
        return page(request, "employers/checks.html", page_title="资质核查", id_types=ID_TYPES,
                    results=None, form={"id_type": "居民身份证"})

    @post("/")
    async def check(self, request: Request, data: FormData) -> Template:
        form = form_of(data)
        try:
            reader = FormReader(data)
            read_person(reader, data)
            reader.text("certificate_number", "证书编号", max_length=50)
            reader.text("reason", "查询事由", required=True, max_length=200)
            reader.done()
            result = await checks.check_person(
                actor_of(request), form.get("id_type", ""), form.get("id_number", ""),
                form.get("name", ""), form.get("reason", ""),
                form.get("certificate_number", ""))
        except DomainError as error:
            return form_page(request, "employers/checks.html", form,
                             errors_of(error), page_title="资质核查",
                             id_types=ID_TYPES, results=None)
        return page(request, "employers/checks.html", page_title="资质核查", id_types=ID_TYPES,
                    results=[result], form=form)

    @post("/bulk")
    async def bulk(self, request: Request, data: MultipartBody[dict[str, Any]]) -> Template:
        form = form_of(data)
        content, name = await upload_of(data, "file")
        try:
            reader = FormReader(data)
            if not content:
                reader.fail("file", "请选择 XLSX 或 CSV 文件")
            reader.text("bulk_reason", "查询事由", required=True, max_length=200)
            reader.done()
            rows = checks.parse_list(content, name)
            results = await checks.bulk_check(actor_of(request), rows,
                                              form.get("bulk_reason", ""))
        except DomainError as error:
            errors = {("bulk_reason" if field == "reason" else field): message
                      for field, message in errors_of(error).items()}
            return form_page(request, "employers/checks.html", form, errors,
                             page_title="资质核查", id_types=ID_TYPES, results=None)
        return page(request, "employers/checks.html", page_title="资质核查", id_types=ID_TYPES,
                    results=results, form=form,
                    download=keep_results(request, results, form.get("bulk_reason", "")))

    @get("/bulk/{token:str}/results.xlsx")
    async def bulk_download(self, request: Request, token: FromPath[str]) -> Response[bytes]:
        """A bulk check's results as XLSX (checks.export_rows: what the page showed, no more),
        from this session's last checks; the download is audited (who, reason, how many)."""
        kept = (request.session.get(BULK_RESULTS_KEY) or {}).get(token)
        if kept is None:
            raise NotFound("核查结果已过期，请重新上传名单核查")
        await checks.record_export(actor_of(request), kept["reason"], kept["persons"],
                                   len(kept["rows"]))
        return xlsx_response(f"资质核查结果-{kept['at']}",
                             [Sheet("核查结果", checks.EXPORT_HEADERS, kept["rows"])])


class MyEmploymentPages(Controller):
    path = "/employers/my"
    include_in_schema = False
    guards = [roles(Role.TRAINEE)]

    @get("/")
    async def index(self, request: Request) -> Template:
        actor = actor_of(request)
        links = await staff.links_of_person(actor.person_id) if actor.person_id else []
        log = await checks.access_log_for_person(actor.person_id) if actor.person_id else []
        history = await consents.history_of_person(actor.person_id) if actor.person_id else []
        return page(request, "employers/my.html", page_title=consents.MY_PAGE_TITLE, links=links,
                    log=log, history=history, labels=LABELS, shown=checks.SHOWN,
                    withdrawn_via=consents.WITHDRAWN_VIA)

    @post("/links/{link_id:int}/accept")
    async def accept(self, request: Request, link_id: FromPath[int], data: FormData) -> Redirect:
        await staff.accept_link(link_id, actor_of(request))
        return redirect_with(request, "/employers/my", "已同意关联，机构可查看您的证书记录")

    @post("/links/{link_id:int}/refuse")
    async def refuse(self, request: Request, link_id: FromPath[int], data: FormData) -> Redirect:
        await consents.refuse(link_id, actor_of(request))
        return redirect_with(request, "/employers/my", "已拒绝关联，该机构不能查看您的证书记录")

    @post("/links/{link_id:int}/withdraw")
    async def withdraw(self, request: Request, link_id: FromPath[int], data: FormData
                       ) -> Redirect:
        await consents.withdraw(link_id, actor_of(request))
        return redirect_with(request, "/employers/my",
                             "已撤回授权，该机构即时失去查看您证书记录的权限")
