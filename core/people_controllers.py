"""Person records through the API and the trainee's own profile page.

The owner and bureau officers see the full ID number and phone; everyone else gets 404.
"""

from __future__ import annotations

from datetime import date

from litestar import Controller, Request, get
from litestar.params import FromPath
from litestar.response import Template
from pydantic import BaseModel, ConfigDict

from core.accounts.auth import login_required, require_user, roles
from core.actor import CurrentUser
from core.errors import NotFound
from core.messages.outbox import reminders_refused
from core.people import PersonRecord, person_record
from core.roles import Role
from core.web import page

# Officers entitled to a person's full identity data.
ENTITLED_ROLES = frozenset({Role.HRSS_OFFICER, Role.EDU_OFFICER, Role.HEALTH_REVIEWER, Role.ADMIN})


class FormerName(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str
    replaced_on: date
    evidence: str


class PersonOut(PersonRecord):
    """A person in full (core.people.PersonRecord), each former name without its approver."""

    model_config = ConfigDict(from_attributes=True)

    former_names: list[FormerName]


def can_see_person(user: CurrentUser, person_id: int) -> bool:
    return user.person_id == person_id or user.role in ENTITLED_ROLES


class PeopleApi(Controller):
    path = "/api/v1/people"
    guards = [login_required]
    tags = ["人员"]

    @get("/{person_id:int}", summary="人员信息（本人或主管部门）")
    async def get_one(self, request: Request, person_id: FromPath[int]) -> PersonOut:
        user = require_user(request)
        if not can_see_person(user, person_id):
            raise NotFound("未找到该人员")
        return PersonOut.model_validate(await person_record(person_id))


class ProfilePage(Controller):
    include_in_schema = False

    @get("/me", guards=[roles(Role.TRAINEE)])
    async def me(self, request: Request) -> Template:
        user = require_user(request)
        if user.person_id is None:
            raise NotFound("账号未关联人员信息")
        person = await person_record(user.person_id)
        return page(request, "accounts/me.html", page_title="我的信息", person=person,
                    reminders_off=await reminders_refused(user.person_id))
