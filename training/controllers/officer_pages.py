"""Officer pages: providers — list and search, create, edit, approve, suspend."""

from __future__ import annotations

import re
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from core.accounts.auth import actor_of, roles
from core.errors import DomainError, ValidationError
from core.forms import FormReader
from core.identity import fold_code, normalise_mobile, normalise_uscc
from core.roles import Role
from core.web import FormData, PageNumber, errors_of, form_page, page, redirect_with
from training import states as s
from training.controllers.common import form_of, many
from training.services import providers
from training.services.catalogue import qualification_names, skill_levels
from training.services.providers import ProviderInput, ScopeInput

BASE = "/training/providers"


async def _scope_options() -> list[tuple[str, str]]:
    """Checkbox values 'CODE:level' (skill) or 'CODE' (training) with labels."""
    return [*await skill_levels(),
            *[(code, name) for code, name in (await qualification_names("training")).items()]]


def _digits(value: str, label: str, field: str, count: int) -> str:
    code = fold_code(value, label, field)
    if not re.fullmatch(f"[0-9]{{{count}}}", code):
        raise ValidationError(f"{label}应为 {count} 位数字", field)
    return code


def _input(data: FormData, form: dict[str, Any]) -> ProviderInput:
    """Read the provider form; every field at fault is reported at once (FieldErrors). The
    service checks the same rules again (and the scopes against the catalogue)."""
    reader = FormReader(form)
    name = reader.text("name", "机构名称", required=True, max_length=100)
    uscc = reader.run("uscc", normalise_uscc, form.get("uscc", ""), "uscc")
    address = reader.text("address", "地址", max_length=200)
    contact_name = reader.text("contact_name", "联系人", max_length=50)
    phone = reader.raw("contact_phone").strip()
    if phone:
        phone = reader.run("contact_phone", normalise_mobile, phone, "contact_phone") or ""
    assessment = form.get("is_assessment_body") == "1"
    body_type = body_code = site_serial = None
    province_code = reader.raw("province_code").strip() or "12"
    if assessment:
        body_type = reader.choice("body_type", "评价机构类型", providers.BODY_TYPES)
        body_code = reader.run("body_code", _digits, reader.raw("body_code"), "评价机构代码",
                               "body_code", 4)
        site_serial = reader.run("site_serial", _digits, reader.raw("site_serial"),
                                 "评价站点序号", "site_serial", 6)
        province_code = reader.run("province_code", _digits, province_code, "省份代码",
                                   "province_code", 2) or province_code
    scopes = []
    for scope in (s.SCOPE_TRAIN, s.SCOPE_EXAMINE):
        for value in many(data, scope):
            code, _, lvl = value.partition(":")
            scopes.append(ScopeInput(code, int(lvl) if lvl.isdigit() and len(lvl) == 1 else None,
                                     scope))
    reader.done()
    return ProviderInput(
        name=name, uscc=uscc or "", address=address, contact_name=contact_name,
        contact_phone=phone, is_assessment_body=assessment, body_type=body_type,
        body_code=body_code, site_serial=site_serial, province_code=province_code,
        scopes=scopes)


def _selected(data: FormData) -> dict[str, list[str]]:
    out = {}
    for scope in (s.SCOPE_TRAIN, s.SCOPE_EXAMINE):
        raw = data.get(scope, [])
        out[scope] = [raw] if isinstance(raw, str) else list(raw)
    return out


class OfficerProviderPages(Controller):
    path = BASE
    include_in_schema = False
    guards = [roles(Role.HRSS_OFFICER, Role.ADMIN)]

    @get("/")
    async def index(self, request: Request, q: FromQuery[str] = "", status: FromQuery[str] = "",
                    page_number: PageNumber = 1) -> Template:
        result = await providers.search(q.strip()[:50], status, page_number)
        return page(request, "training/providers.html", page_title="培训机构管理", result=result,
                    filters={"q": q, "status": status}, labels=s.PROVIDER_STATUS_LABELS)

    async def _form(self, request: Request, form: dict, errors: dict, selected: dict,
                    provider: Any = None, status_code: int = 200) -> Template:
        context = {"page_title": "培训机构", "options": await _scope_options(),
                   "selected": selected, "provider": provider, "labels": s.PROVIDER_STATUS_LABELS}
        if errors:
            return form_page(request, "training/provider_form.html", form, errors, **context)
        return page(request, "training/provider_form.html", status_code=status_code, form=form,
                    **context)

    @get("/new")
    async def new(self, request: Request) -> Template:
        return await self._form(request, {"province_code": "12"}, {}, {"train": [], "examine": []})

    @post("/new")
    async def create(self, request: Request, data: FormData) -> Template | Redirect:
        form = form_of(data)
        try:
            provider_id = await providers.create_provider(_input(data, form), actor_of(request))
        except DomainError as error:
            return await self._form(request, form, errors_of(error), _selected(data))
        return redirect_with(request, f"{BASE}/{provider_id}", "培训机构已登记，待批准")

    @get("/{provider_id:int}")
    async def detail(self, request: Request, provider_id: FromPath[int]) -> Template:
        row = await providers.get_provider(provider_id, actor_of(request))
        scopes = await providers.scopes_of(provider_id)
        selected = {scope: [r.choice for r in scopes if r.scope == scope]
                    for scope in (s.SCOPE_TRAIN, s.SCOPE_EXAMINE)}
        form = {k: getattr(row, k) or "" for k in (
            "name", "uscc", "address", "contact_name", "contact_phone", "body_type", "body_code",
            "site_serial", "province_code")}
        form["is_assessment_body"] = "1" if row.is_assessment_body else ""
        return await self._form(request, form, {}, selected, row)

    @post("/{provider_id:int}")
    async def update(self, request: Request, provider_id: FromPath[int],
                     data: FormData) -> Template | Redirect:
        form = form_of(data)
        actor = actor_of(request)
        try:
            await providers.update_provider(provider_id, _input(data, form), actor)
        except DomainError as error:
            row = await providers.get_provider(provider_id, actor)
            return await self._form(request, form, errors_of(error), _selected(data), row)
        return redirect_with(request, f"{BASE}/{provider_id}", "已保存")

    @post("/{provider_id:int}/status")
    async def status(self, request: Request, provider_id: FromPath[int],
                     data: FormData) -> Redirect:
        form = form_of(data)
        try:
            await providers.set_status(provider_id, form.get("status", ""),
                                       form.get("reason", ""), actor_of(request))
        except DomainError as error:
            return redirect_with(request, f"{BASE}/{provider_id}", error.message, "error")
        return redirect_with(request, f"{BASE}/{provider_id}", "状态已更新")
