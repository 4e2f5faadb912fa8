"""Officer pages: providers — list and search, create, edit, approve, suspend."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from core.accounts.auth import actor_of, roles
from core.errors import DomainError
from core.roles import Role
from core.web import FormData, PageNumber, form_page, page, redirect_with
from training import states as s
from training.controllers.common import form_of
from training.services import providers
from training.services.catalogue import qualification_names, skill_levels
from training.services.providers import ProviderInput, ScopeInput

BASE = "/training/providers"


async def _scope_options() -> list[tuple[str, str]]:
    """Checkbox values 'CODE:level' (skill) or 'CODE' (training) with labels."""
    return [*await skill_levels(),
            *[(code, name) for code, name in (await qualification_names("training")).items()]]


def _input(data: FormData, form: dict[str, Any]) -> ProviderInput:
    scopes = []
    for scope in (s.SCOPE_TRAIN, s.SCOPE_EXAMINE):
        raw = data.get(scope, [])
        for value in [raw] if isinstance(raw, str) else raw:
            code, _, lvl = str(value).partition(":")
            scopes.append(ScopeInput(code, int(lvl) if lvl.isdigit() else None, scope))
    return ProviderInput(
        name=form.get("name", ""), uscc=form.get("uscc", ""), address=form.get("address", ""),
        contact_name=form.get("contact_name", ""), contact_phone=form.get("contact_phone", ""),
        is_assessment_body=form.get("is_assessment_body") == "1",
        body_type=form.get("body_type") or None, body_code=form.get("body_code") or None,
        site_serial=form.get("site_serial") or None,
        province_code=form.get("province_code") or "12", scopes=scopes)


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
            return await self._form(request, form, {error.field or "__all__": error.message},
                                    _selected(data))
        return redirect_with(request, f"{BASE}/{provider_id}", "培训机构已登记，待批准")

    @get("/{provider_id:int}")
    async def detail(self, request: Request, provider_id: FromPath[int]) -> Template:
        row = await providers.get_provider(provider_id, actor_of(request))
        scopes = await providers.scopes_of(provider_id)
        selected = {scope: [f"{r['qualification_code']}:{r['level']}" if r["level"] is not None
                            else r["qualification_code"] for r in scopes if r["scope"] == scope]
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
            return await self._form(request, form, {error.field or "__all__": error.message},
                                    _selected(data), row)
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
