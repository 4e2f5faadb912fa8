"""Officer pages to maintain the qualification catalogue (qualifications, condition editions)."""

from __future__ import annotations

from datetime import date

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from certification.access import ISSUING_ROLES
from certification.services.catalogue_admin import (
    KINDS,
    QualificationInput,
    add_edition,
    add_qualification,
    catalogue,
)
from core import forms
from core.accounts.auth import actor_of, roles
from core.errors import DomainError, ValidationError
from core.web import FormData, form_page, page, redirect_with

TEMPLATE = "certification/catalogue.html"


def _int(value: str, field: str) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    if not value.isdigit() or len(value) > 9:
        raise ValidationError("请填写整数（不超过 9 位）", field)
    return int(value)


def _day(value: str, field: str) -> date | None:
    return forms.parse_date(value, field)  # format and the 1900…2099 range


class CataloguePages(Controller):
    path = "/certification/catalogue"
    guards = [roles(*ISSUING_ROLES)]
    include_in_schema = False

    async def _context(self) -> dict:
        return {"page_title": "证书目录", "quals": await catalogue(), "kinds": KINDS}

    @get("/")
    async def index(self, request: Request) -> Template:
        return page(request, TEMPLATE, **await self._context())

    @post("/qualifications")
    async def add(self, request: Request, data: FormData) -> Template | Redirect:
        form = {k: str(v) for k, v in data.items()}
        try:
            await add_qualification(QualificationInput(
                code=form.get("code", ""), name=form.get("name", ""), kind=form.get("kind", ""),
                occupation_code=form.get("occupation_code", ""),
                issuer_kind=form.get("issuer_kind", ""),
                validity_months=_int(form.get("validity_months", ""), "validity_months"),
                source=form.get("source", ""), levels_text=form.get("levels_text", ""),
            ), actor_of(request))
        except DomainError as error:
            return form_page(request, TEMPLATE, form, {error.field or "__all__": error.message},
                             which="qualification", **await self._context())
        return redirect_with(request, "/certification/catalogue/", "已添加证书类别")

    @post("/qualifications/{qualification_id:int}/editions")
    async def edition(self, request: Request, qualification_id: FromPath[int],
                      data: FormData) -> Template | Redirect:
        form = {k: str(v) for k, v in data.items()}
        try:
            await add_edition(qualification_id, form.get("edition", ""),
                              _day(form.get("effective_from", ""), "effective_from"),
                              form.get("source", ""), form.get("conditions", ""),
                              actor_of(request))
        except DomainError as error:
            return form_page(request, TEMPLATE, form, {error.field or "__all__": error.message},
                             which=f"edition-{qualification_id}", **await self._context())
        return redirect_with(request, "/certification/catalogue/", "已添加申报条件新版本")
