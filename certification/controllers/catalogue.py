"""Officer pages to maintain the qualification catalogue (qualifications, condition editions)."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from certification.access import ISSUING_ROLES
from certification.services.catalogue_admin import (
    CODE_RE,
    KINDS,
    QualificationInput,
    add_edition,
    add_qualification,
    catalogue,
    parse_levels,
)
from core.accounts.auth import actor_of, roles
from core.errors import DomainError
from core.forms import FormReader
from core.web import FormData, errors_of, form_page, page, redirect_with

TEMPLATE = "certification/catalogue.html"


def read_qualification(form: dict[str, str]) -> QualificationInput:
    """The new-qualification form, every field judged at once (code, name, kind, lengths,
    validity in months, level lines and whether the kind has levels). Raises FieldErrors."""
    reader = FormReader(form)
    code = reader.text("code", "代码", required=True, max_length=40)
    if code and not CODE_RE.fullmatch(code.upper()):
        reader.fail("code", "代码应为 3–40 位大写字母、数字或下划线，以字母开头")
    name = reader.text("name", "名称", required=True, max_length=100)
    kind = reader.choice("kind", "类别", KINDS) or ""
    occupation_code = reader.text("occupation_code", "职业编码", max_length=20)
    issuer_kind = reader.text("issuer_kind", "发证机构类型", max_length=100)
    months = reader.int("validity_months", "有效期（月）", required=False, minimum=1, maximum=600)
    source = reader.text("source", "依据", max_length=2000)
    levels = reader.run("levels_text", parse_levels, reader.raw("levels_text"))
    if levels is not None and kind == "skill" and not levels:
        reader.fail("levels_text", "职业技能等级证书至少要有一个等级")
    if levels and kind and kind != "skill":
        reader.fail("levels_text", "只有职业技能等级证书有等级")
    reader.done()
    return QualificationInput(code=code, name=name, kind=kind, occupation_code=occupation_code,
                              issuer_kind=issuer_kind, validity_months=months, source=source,
                              levels_text=reader.raw("levels_text"))


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
            await add_qualification(read_qualification(form), actor_of(request))
        except DomainError as error:
            return form_page(request, TEMPLATE, form, errors_of(error),
                             which="qualification", **await self._context())
        return redirect_with(request, "/certification/catalogue/", "已添加证书类别")

    @post("/qualifications/{qualification_id:int}/editions")
    async def edition(self, request: Request, qualification_id: FromPath[int],
                      data: FormData) -> Template | Redirect:
        form = {k: str(v) for k, v in data.items()}
        try:
            reader = FormReader(form)
            edition = reader.text("edition", "版本", required=True, max_length=40)
            effective_from = reader.date("effective_from", "生效日期", required=True)
            source = reader.text("source", "依据", max_length=2000)
            if not reader.raw("conditions").strip():
                reader.fail("conditions", "请填写申报条件")
            reader.done()
            await add_edition(qualification_id, edition, effective_from, source,
                              form.get("conditions", ""), actor_of(request))
        except DomainError as error:
            if error.status_code == 404:
                raise
            return form_page(request, TEMPLATE, form, errors_of(error),
                             which=f"edition-{qualification_id}", **await self._context())
        return redirect_with(request, "/certification/catalogue/", "已添加申报条件新版本")
