"""Officer pages and API: the certificate registry (search, detail, XLSX, statistics) and the
lifecycle actions (suspend, reinstate, revoke, re-issue)."""

from __future__ import annotations

from datetime import date

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Redirect, Template

from certification.access import ISSUING_ROLES, OFFICER_ROLES
from certification.controllers.downloads import certificate_out
from certification.reasons import check_reasons
from certification.schemas import CertificateOut, CertificatePage, IdOut, LifecycleIn, ReissueIn
from certification.services import lifecycle
from certification.services.catalogue import names_by_code
from certification.services.certificates import get_view
from certification.services.registry import RegistryFilter, export_xlsx, search, statistics
from certification.tables import LifecycleRequest
from core import clock
from core.accounts.auth import actor_of, current_user, roles
from core.confirm import ask, confirmed
from core.credentials import STATUS_LABELS
from core.errors import DomainError, ValidationError
from core.forms import FormReader
from core.forms import parse_date as _date
from core.pagination import clamp_page
from core.people import former_names
from core.reporting.exports import XLSX_MEDIA_TYPE, attachment
from core.web import FormData, PageNumber, errors_of, page, redirect_with

ACTIONS = {"suspend": "暂停", "reinstate": "恢复", "revoke": "撤销"}
REASON_FIELDS = ("public_reason", "internal_note")


def _filters(q, code, level, status, date_from, date_to) -> RegistryFilter:
    """The registry's search form; every field at fault at once (FieldErrors: status, dates)."""
    reader = FormReader({"status": status, "date_from": date_from, "date_to": date_to})
    reader.choice("status", "状态", STATUS_LABELS, required=False)
    day_from, day_to = reader.date("date_from", "发证日期起"), reader.date("date_to", "发证日期止")
    reader.done()
    return RegistryFilter(
        q=(q or "").strip(), code=code or "", level=int(level) if level and str(level).isdigit()
        else None, status=status or "", date_from=day_from, date_to=day_to)


def _sees_internal_notes(request: Request) -> bool:
    """Internal notes of status changes are for 人社局 only (not 教育局 or 卫健委 officers)."""
    return current_user(request).role in ISSUING_ROLES


def lifecycle_question(action: str, number: str, holder: str) -> str:
    """What suspending or revoking certificate ``number`` of ``holder`` will do, asked before
    the page form goes (core.confirm)."""
    if action == "suspend":
        return (f"暂停证书 {number}（持证人：{holder}）？暂停后公众查验和持证人都将看到该证书"
                "已暂停，之后可恢复有效。确定暂停吗？")
    return (f"撤销证书 {number}（持证人：{holder}）？撤销不可恢复，公众查验和持证人都将看到该"
            "证书已撤销。确定撤销吗？")


CONFIRMED_ACTIONS = {"suspend": "确认暂停证书", "revoke": "确认撤销证书"}


async def _detail_context(credential_id: int, internal_notes: bool) -> dict:
    view = await get_view(credential_id, clock.today(), internal_notes=internal_notes)
    requests = await LifecycleRequest.select().where(
        (LifecycleRequest.old_credential == credential_id)
        | (LifecycleRequest.new_credential == credential_id))
    return {"cert": view, "requests": requests, "former_names": await former_names(view.person_id),
            "status_labels": STATUS_LABELS, "show_internal_notes": internal_notes,
            "questions": {a: lifecycle_question(a, view.number, view.holder_name)
                          for a in CONFIRMED_ACTIONS}}


class RegistryPages(Controller):
    path = "/certification/certificates"
    guards = [roles(*OFFICER_ROLES)]
    include_in_schema = False

    @get("/")
    async def index(self, request: Request, q: FromQuery[str | None] = None,
                    code: FromQuery[str | None] = None, level: FromQuery[str | None] = None,
                    status: FromQuery[str | None] = None, date_from: FromQuery[str | None] = None,
                    date_to: FromQuery[str | None] = None, page_number: PageNumber = 1) -> Template:
        errors = {}
        try:
            filters = _filters(q, code, level, status, date_from, date_to)
        except DomainError as error:
            errors = errors_of(error)
            filters = RegistryFilter(q=(q or "").strip())
        result = await search(filters, page_number, 20, clock.today())
        return page(request, "certification/registry.html", page_title="证书登记簿",
                    result=result, filters=filters, errors=errors,
                    qualifications=await names_by_code(), status_labels=STATUS_LABELS,
                    export_href="/certification/certificates/export.xlsx" + result.url_for_page(1))

    @get("/export.xlsx")
    async def export(self, q: FromQuery[str | None] = None, code: FromQuery[str | None] = None,
                     level: FromQuery[str | None] = None, status: FromQuery[str | None] = None,
                     date_from: FromQuery[str | None] = None,
                     date_to: FromQuery[str | None] = None) -> Response[bytes]:
        filters = _filters(q, code, level, status, date_from, date_to)
        data = await export_xlsx(filters, clock.today())
        return attachment(data, "certificates.xlsx", XLSX_MEDIA_TYPE)

    @get("/stats")
    async def stats(self, request: Request, date_from: FromQuery[str | None] = None,
                    date_to: FromQuery[str | None] = None) -> Template:
        data = await statistics(_date(date_from, "date_from"), _date(date_to, "date_to"))
        return page(request, "certification/stats.html", page_title="发证统计", stats=data,
                    filters={"date_from": date_from or "", "date_to": date_to or ""})

    @get("/{credential_id:int}")
    async def detail(self, request: Request, credential_id: FromPath[int]) -> Template:
        issuing = _sees_internal_notes(request)
        return page(request, "certification/detail.html", page_title="证书详情",
                    can_act=issuing, **await _detail_context(credential_id, issuing))

    @post("/{credential_id:int}/{action:str}", guards=[roles(*ISSUING_ROLES)])
    async def act(self, request: Request, credential_id: FromPath[int], action: FromPath[str],
                  data: FormData) -> Template | Redirect:
        form = {k: str(v) for k, v in data.items()}
        actor = actor_of(request)
        try:
            if action in CONFIRMED_ACTIONS and not confirmed(form):  # ask first (core.confirm)
                public, note = (form.get(f"{action}_{k}", "") for k in REASON_FIELDS)
                check_reasons(public, note)  # a refused form is shown before asking
                view = await get_view(credential_id, clock.today(), internal_notes=True)
                return ask(request, question=lifecycle_question(action, view.number,
                                                                view.holder_name),
                           action=f"/certification/certificates/{credential_id}/{action}",
                           form=form, label=CONFIRMED_ACTIONS[action],
                           back=f"/certification/certificates/{credential_id}",
                           title=f"{ACTIONS[action]}证书",
                           details=[("公开原因", public), ("内部备注", note)])
            if action in ACTIONS:  # each form's fields are prefixed with its action
                await getattr(lifecycle, action)(
                    credential_id, form.get(f"{action}_public_reason", ""), actor,
                    form.get(f"{action}_internal_note", ""))
                message = f"证书已{ACTIONS[action]}"
                target = credential_id
            elif action == "reissue":
                target = await lifecycle.reissue(
                    credential_id, form.get("kind", ""), form.get("evidence", ""), actor,
                    new_name=form.get("new_name", ""))
                message = "已补发新证书，原证书已被替代"
            else:
                raise ValidationError("不支持的操作", "action")
        except DomainError as error:
            context = await _detail_context(credential_id, True)
            errors = getattr(error, "errors", None) or {error.field or "__all__": error.message}
            if action in ACTIONS:
                errors = {f"{action}_{k}" if k in REASON_FIELDS else k: v
                          for k, v in errors.items()}
            return page(request, "certification/detail.html", status_code=error.status_code,
                        page_title="证书详情", can_act=True, form=form, action=action,
                        errors=errors, **context)
        return redirect_with(request, f"/certification/certificates/{target}", message)


class RegistryApi(Controller):
    path = "/api/v1/certification/certificates"
    guards = [roles(*OFFICER_ROLES)]
    tags = ["证书登记簿（主管部门）"]

    @get("/", summary="检索证书（编号、姓名、证件号码、类别、等级、状态、发证日期）")
    async def list(self, q: FromQuery[str | None] = None, code: FromQuery[str | None] = None,
                   level: FromQuery[int | None] = None, status: FromQuery[str | None] = None,
                   date_from: FromQuery[date | None] = None, date_to: FromQuery[date | None] = None,
                   page: FromQuery[int] = 1, per_page: FromQuery[int] = 20) -> CertificatePage:
        number, per = clamp_page(page, per_page)
        filters = _filters(q, code, str(level) if level else None, status,
                           date_from.isoformat() if date_from else None,
                           date_to.isoformat() if date_to else None)
        result = await search(filters, number, per, clock.today())
        return CertificatePage(items=[certificate_out(v) for v in result.items],
                               total=result.total, page=result.number, per_page=result.per_page)

    @post("/{credential_id:int}/suspend", guards=[roles(*ISSUING_ROLES)], status_code=200,
          summary="暂停证书（须填公开原因；内部备注不公开）")
    async def suspend(self, request: Request, credential_id: FromPath[int],
                      data: JSONBody[LifecycleIn]) -> CertificateOut:
        await lifecycle.suspend(credential_id, data.public_reason, actor_of(request),
                                data.internal_note)
        return certificate_out(await get_view(credential_id, clock.today(), internal_notes=True))

    @post("/{credential_id:int}/reinstate", guards=[roles(*ISSUING_ROLES)], status_code=200,
          summary="恢复暂停的证书（须填公开原因；内部备注不公开）")
    async def reinstate(self, request: Request, credential_id: FromPath[int],
                        data: JSONBody[LifecycleIn]) -> CertificateOut:
        await lifecycle.reinstate(credential_id, data.public_reason, actor_of(request),
                                  data.internal_note)
        return certificate_out(await get_view(credential_id, clock.today(), internal_notes=True))

    @post("/{credential_id:int}/revoke", guards=[roles(*ISSUING_ROLES)], status_code=200,
          summary="撤销证书（须填公开原因，不可恢复；内部备注不公开）")
    async def revoke(self, request: Request, credential_id: FromPath[int],
                     data: JSONBody[LifecycleIn]) -> CertificateOut:
        await lifecycle.revoke(credential_id, data.public_reason, actor_of(request),
                               data.internal_note)
        return certificate_out(await get_view(credential_id, clock.today(), internal_notes=True))

    @post("/{credential_id:int}/reissue", guards=[roles(*ISSUING_ROLES)], status_code=201,
          summary="补发（遗失）或更名换发：新编号，原证书已被替代")
    async def reissue(self, request: Request, credential_id: FromPath[int],
                      data: JSONBody[ReissueIn]) -> IdOut:
        new_id = await lifecycle.reissue(credential_id, data.kind, data.evidence,
                                         actor_of(request), new_name=data.new_name)
        view = await get_view(new_id, clock.today(), with_history=False)
        return IdOut(id=new_id, number=view.number)
