"""Admins manage accounts: list users and create one of any role."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromQuery, JSONBody
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from pydantic import BaseModel, Field

from core.accounts import services
from core.accounts.auth import actor_of, roles
from core.errors import DomainError
from core.pagination import Page, clamp_page
from core.roles import ROLE_LABELS, Role
from core.tables import User
from core.web import FormData, PageNumber, form_page, page, redirect_with

admin_only = roles(Role.ADMIN)
ROLE_OPTIONS = [(r.value, label) for r, label in ROLE_LABELS.items()]


class NewUserRequest(BaseModel):
    username: str = Field(max_length=50)
    password: str = Field(max_length=200)
    role: str
    display_name: str = Field(max_length=50)
    organisation_id: int | None = None


class UserCreated(BaseModel):
    id: int


async def list_users(q: str, number: int, per: int) -> Page[dict]:
    query, count = (
        User.select(
            User.id,
            User.username,
            User.display_name,
            User.role,
            User.is_active,
            User.created_at,
            User.last_login_at,
        ).order_by(User.id),
        User.count(),
    )
    if q:
        cond = User.username.ilike(f"%{q}%") | User.display_name.ilike(f"%{q}%")
        query, count = query.where(cond), count.where(cond)
    result = Page([], number, per, await count, query={"q": q})
    result.items = await query.limit(per).offset(result.offset)
    return result


class AdminUsersController(Controller):
    path = "/admin/users"
    guards = [admin_only]
    include_in_schema = False

    @get("/")
    async def index(
        self, request: Request, q: FromQuery[str] = "", page_number: PageNumber = 1
    ) -> Template:
        number, per = clamp_page(page_number, 50)
        return page(
            request,
            "admin/users.html",
            page_title="用户管理",
            result=await list_users(q.strip(), number, per),
            q=q,
            role_labels={r.value: lbl for r, lbl in ROLE_LABELS.items()},
            role_options=ROLE_OPTIONS,
        )

    @post("/", status_code=HTTP_200_OK)
    async def create(self, request: Request, data: FormData) -> Template | Redirect:
        try:
            org = str(data.get("organisation_id") or "").strip()
            await services.create_user(
                services.NewUser(
                    username=str(data.get("username", "")),
                    password=str(data.get("password", "")),
                    role=str(data.get("role", "")),
                    display_name=str(data.get("display_name", "")),
                    organisation_id=int(org) if org.isdigit() else None,
                ),
                actor_of(request),
            )
        except DomainError as exc:
            number, per = clamp_page(1, 50)
            return form_page(
                request,
                "admin/users.html",
                data,
                {exc.field or "__all__": exc.message},
                page_title="用户管理",
                result=await list_users("", number, per),
                q="",
                role_labels={r.value: lbl for r, lbl in ROLE_LABELS.items()},
                role_options=ROLE_OPTIONS,
            )
        return redirect_with(request, "/admin/users", "用户已创建")


class AdminUsersApi(Controller):
    path = "/api/v1/admin/users"
    guards = [admin_only]
    tags = ["用户管理"]

    @post("/", status_code=HTTP_201_CREATED, summary="创建任意角色的用户")
    async def create(self, request: Request, data: JSONBody[NewUserRequest]) -> UserCreated:
        user_id = await services.create_user(
            services.NewUser(**data.model_dump()), actor_of(request)
        )
        return UserCreated(id=user_id)
