"""人社局 officers' people area: find a person by ID number, the person page with the person's
linked identity numbers and a form to link another one, and the list of stored names that break
the name rule (``core.name_rules``; recorded before it existed, listed to be corrected, never
blocked). Also the API to link a number (``POST /api/v1/people/{id}/id-numbers``).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Redirect, Template
from pydantic import BaseModel, ConfigDict, Field

from core.accounts.auth import actor_of, require_user, roles
from core.errors import DomainError, ValidationError
from core.forms import FormReader
from core.identity import IdType, mask_name, normalise_id_number
from core.name_rules import is_invisible
from core.people import (
    find_person,
    get_person,
    id_numbers,
    link_id_number,
    names_breaking_rule,
    person_record,
)
from core.people_controllers import ENTITLED_ROLES
from core.roles import Role
from core.web import FormData, PageNumber, errors_of, page, redirect_with

BASE = "/officer/people"
OFFICERS = (Role.HRSS_OFFICER, Role.ADMIN)
ID_TYPES = [(t.value, t.value) for t in IdType]


def visible_name(name: str) -> str:
    """The name with every invisible or control character shown as ⟨U+XXXX⟩, so an officer
    sees what is stored (a name of one zero-width space would otherwise look empty)."""
    return "".join(f"⟨U+{ord(ch):04X}⟩" if is_invisible(ch) or not ch.isprintable() else ch
                   for ch in name)


def _form_of(data: FormData) -> dict[str, str]:
    return {k: (v.strip() if isinstance(v, str) else "") for k, v in data.items()
            if k != "_csrf_token"}


class OfficerPeoplePages(Controller):
    path = BASE
    include_in_schema = False
    guards = [roles(*OFFICERS)]

    @get("/")
    async def index(self, request: Request, id_type: FromQuery[str] = "",
                    id_number: FromQuery[str] = "") -> Template | Redirect:
        """Find a person by an ID number (their own or a linked one)."""
        errors: dict[str, str] = {}
        if id_number.strip():
            try:
                person = await find_person(id_type or IdType.RESIDENT, id_number[:40])
            except ValidationError as error:
                errors[error.field or "id_number"] = error.message
            else:
                if person is not None:
                    return Redirect(path=f"{BASE}/{person.id}")
                errors["id_number"] = "未找到持该证件号码的人员"
        return page(request, "people/officer_index.html", page_title="人员",
                    status_code=422 if errors else 200, errors=errors,
                    form={"id_type": id_type, "id_number": id_number[:40]}, id_types=ID_TYPES)

    @get("/names")
    async def names(self, request: Request, page_number: PageNumber = 1) -> Template:
        """Stored names that break the name rule, paginated."""
        user = require_user(request)
        full = user.role in ENTITLED_ROLES
        result = (await names_breaking_rule(page_number, 20)).map(lambda r: replace(
            r, name=visible_name(r.name if full else mask_name(r.name))))
        return page(request, "people/officer_names.html", page_title="姓名不合规的人员",
                    result=result)

    async def _person(self, request: Request, person_id: int, form: dict, errors: dict,
                      status_code: int = 200) -> Template:
        person = await person_record(person_id)
        return page(request, "people/officer_person.html", page_title="人员信息",
                    status_code=status_code, person=person, shown_name=visible_name(person.name),
                    numbers=await id_numbers(person_id), id_types=ID_TYPES, form=form,
                    errors=errors)

    @get("/{person_id:int}")
    async def detail(self, request: Request, person_id: FromPath[int]) -> Template:
        return await self._person(request, person_id,
                                  {"id_type": IdType.FOREIGN_PERMANENT.value}, {})

    @post("/{person_id:int}/id-numbers")
    async def link(self, request: Request, person_id: FromPath[int],
                   data: FormData) -> Template | Redirect:
        form = _form_of(data)
        try:
            reader = FormReader(form)
            id_type = reader.choice("id_type", "证件类型", [t.value for t in IdType])
            if id_type:
                reader.run("id_number", normalise_id_number, reader.raw("id_number"), id_type)
            reader.text("note", "备注", max_length=200)
            reader.done()
            await link_id_number(person_id, form.get("id_type", ""), form.get("id_number", ""),
                                 form.get("note", ""), actor_of(request))
        except DomainError as error:
            if error.status_code == 404:
                raise
            return await self._person(request, person_id, form,
                                      errors_of(error),
                                      status_code=error.status_code)
        return redirect_with(request, f"{BASE}/{person_id}", "证件号码已关联")


class LinkNumberIn(BaseModel):
    id_type: str = Field(max_length=20, description="证件类型")
    id_number: str = Field(max_length=40, description="证件号码")
    note: str = Field(default="", max_length=200, description="备注（如依据）")


class LinkedNumberOut(BaseModel):
    """A linked identity number (core.people.LinkedNumber)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    id_type: str
    id_number: str
    note: str
    created_at: datetime


class PersonNumbersApi(Controller):
    path = "/api/v1/people"
    tags = ["人员"]
    guards = [roles(*OFFICERS)]

    @post("/{person_id:int}/id-numbers", status_code=201,
          summary="为人员关联另一证件号码（人社局）")
    async def link(self, request: Request, person_id: FromPath[int],
                   data: JSONBody[LinkNumberIn]) -> LinkedNumberOut:
        """Link a further identity number (e.g. an old 15-character 外国人永久居留身份证) to a
        person. 409 when the number is already held by this or another person."""
        row = await link_id_number(person_id, data.id_type, data.id_number, data.note,
                                   actor_of(request))
        return LinkedNumberOut.model_validate(row)

    @get("/{person_id:int}/id-numbers", summary="人员关联的其他证件号码（人社局）")
    async def numbers(self, person_id: FromPath[int]) -> list[LinkedNumberOut]:
        await get_person(person_id)
        return [LinkedNumberOut.model_validate(n) for n in await id_numbers(person_id)]
