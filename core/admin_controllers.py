"""Admins manage accounts: list users, create one of any role, and over its life disable and
re-enable it, change its role and organisation, and start a one-time password reset."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from pydantic import BaseModel, ConfigDict, Field

from core.accounts import lifecycle, services
from core.accounts.auth import actor_of, roles
from core.accounts.passwords import check_policy
from core.errors import DomainError, ValidationError
from core.forms import FormReader
from core.pagination import clamp_page
from core.roles import ROLE_LABELS, Role
from core.settings import get_settings
from core.web import FormData, PageNumber, errors_of, form_page, page, redirect_with

admin_only = roles(Role.ADMIN)
ROLE_OPTIONS = [(r.value, label) for r, label in ROLE_LABELS.items()]
ROLE_VALUES = frozenset(r.value for r in Role)


class NewUserRequest(BaseModel):
    username: str = Field(max_length=50)
    password: str = Field(max_length=200)
    role: str
    display_name: str = Field(max_length=50)
    organisation_id: int | None = None


class UserCreated(BaseModel):
    id: int


class RoleChange(BaseModel):
    role: str = Field(description="新角色")
    organisation_id: int | None = Field(
        default=None, description="所属机构编号：培训机构工作人员必填，其他角色不填")


class UserState(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    display_name: str
    role: str
    organisation_id: int | None = None
    is_active: bool
    must_change_password: bool


class ResetStarted(BaseModel):
    reset_url: str = Field(description="一次性重置链接，只显示这一次，请交给用户本人")
    expires_at: datetime


NO_STORE = {"Cache-Control": "no-store"}


def parse_organisation(value: object) -> int | None:
    text = str(value or "").strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 9:
        raise ValidationError("所属机构编号应为数字", "organisation_id")
    return int(text)


def read_new_user(data: dict) -> None:
    """The admin's new-user form, every field judged at once (username, display name, role,
    organisation number, initial password policy). Raises FieldErrors."""
    reader = FormReader(data)
    username = reader.run("username", services.check_username, reader.raw("username"))
    display_name = reader.text("display_name", "姓名或显示名称", required=True, max_length=50)
    reader.choice("role", "角色", ROLE_VALUES)
    reader.run("organisation_id", parse_organisation, data.get("organisation_id"))
    reader.run("password", check_policy, reader.raw("password"), "password",
               (username or reader.raw("username"), display_name))
    reader.done()


async def create_as_admin(data: services.NewUser, request: Request) -> int:
    """An admin creates an account: the organisation is checked against the role, and the
    initial password must be replaced by the user at first sign-in."""
    if data.role in ROLE_VALUES:  # an unknown role is refused by create_user, naming it
        await lifecycle.check_organisation(Role(data.role), data.organisation_id)
    return await services.create_user(replace(data, must_change_password=True), actor_of(request))


def reset_url(link: lifecycle.ResetLink) -> str:
    return get_settings().public_base_url.rstrip("/") + link.path


async def user_state(user_id: int) -> UserState:
    return UserState.model_validate(await lifecycle.user_detail(user_id))


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
            result=await lifecycle.list_users(q.strip(), number, per),
            q=q,
            role_labels={r.value: lbl for r, lbl in ROLE_LABELS.items()},
            role_options=ROLE_OPTIONS,
        )

    @post("/", status_code=HTTP_200_OK)
    async def create(self, request: Request, data: FormData) -> Template | Redirect:
        try:
            read_new_user(data)
            await create_as_admin(
                services.NewUser(
                    username=str(data.get("username", "")),
                    password=str(data.get("password", "")),
                    role=str(data.get("role", "")),
                    display_name=str(data.get("display_name", "")),
                    organisation_id=parse_organisation(data.get("organisation_id")),
                ),
                request,
            )
        except DomainError as exc:
            number, per = clamp_page(1, 50)
            return form_page(
                request,
                "admin/users.html",
                data,
                errors_of(exc),
                page_title="用户管理",
                result=await lifecycle.list_users("", number, per),
                q="",
                role_labels={r.value: lbl for r, lbl in ROLE_LABELS.items()},
                role_options=ROLE_OPTIONS,
            )
        return redirect_with(request, "/admin/users", "用户已创建；首次登录时须由本人设置新密码")

    async def _detail(self, request: Request, user_id: int, status_code: int = 200,
                      **context: object) -> Template:
        context.setdefault("form", {})
        return page(
            request, "admin/user.html", status_code=status_code, page_title="用户详情",
            account=await lifecycle.user_detail(user_id),
            role_labels={r.value: lbl for r, lbl in ROLE_LABELS.items()},
            role_options=ROLE_OPTIONS, **context,
        )

    @get("/{user_id:int}")
    async def detail(self, request: Request, user_id: FromPath[int]) -> Template:
        return await self._detail(request, user_id)

    @post("/{user_id:int}/disable", status_code=HTTP_200_OK)
    async def disable(self, request: Request, user_id: FromPath[int]) -> Template | Redirect:
        try:
            await lifecycle.set_active(user_id, False, actor_of(request))
        except DomainError as exc:
            if exc.status_code == 404:
                raise
            return await self._detail(request, user_id, exc.status_code,
                                      errors={"__all__": exc.message})
        return redirect_with(request, f"/admin/users/{user_id}",
                             "用户已停用，其全部登录和访问令牌已失效")

    @post("/{user_id:int}/enable", status_code=HTTP_200_OK)
    async def enable(self, request: Request, user_id: FromPath[int]) -> Redirect:
        await lifecycle.set_active(user_id, True, actor_of(request))
        return redirect_with(request, f"/admin/users/{user_id}", "用户已启用")

    @post("/{user_id:int}/role", status_code=HTTP_200_OK)
    async def change_role(
        self, request: Request, user_id: FromPath[int], data: FormData
    ) -> Template | Redirect:
        try:
            await lifecycle.change_role(
                user_id, str(data.get("role", "")),
                parse_organisation(data.get("organisation_id")), actor_of(request),
            )
        except DomainError as exc:
            if exc.status_code == 404:
                raise
            return await self._detail(request, user_id, 422 if exc.status_code == 422 else 409,
                                      errors=errors_of(exc),
                                      form={k: data.get(k) for k in ("role", "organisation_id")})
        return redirect_with(request, f"/admin/users/{user_id}", "角色和所属机构已更新")

    @post("/{user_id:int}/password-reset", status_code=HTTP_200_OK)
    async def start_reset(self, request: Request, user_id: FromPath[int]) -> Template:
        try:
            link = await lifecycle.start_reset(user_id, actor_of(request))
        except DomainError as exc:
            if exc.status_code == 404:
                raise
            return await self._detail(request, user_id, exc.status_code,
                                      errors={"__all__": exc.message})
        response = await self._detail(request, user_id, reset_link=reset_url(link),
                                      reset_expires_at=link.expires_at)
        response.headers.update(NO_STORE)  # the link is shown this once
        return response


class AdminUsersApi(Controller):
    path = "/api/v1/admin/users"
    guards = [admin_only]
    tags = ["用户管理"]

    @post("/", status_code=HTTP_201_CREATED, summary="创建任意角色的用户")
    async def create(self, request: Request, data: JSONBody[NewUserRequest]) -> UserCreated:
        user_id = await create_as_admin(services.NewUser(**data.model_dump()), request)
        return UserCreated(id=user_id)

    @get("/{user_id:int}", summary="用户状态")
    async def state(self, user_id: FromPath[int]) -> UserState:
        return await user_state(user_id)

    @post("/{user_id:int}/disable", status_code=HTTP_200_OK,
          summary="停用用户（其全部登录和访问令牌立即失效）")
    async def disable(self, request: Request, user_id: FromPath[int]) -> UserState:
        await lifecycle.set_active(user_id, False, actor_of(request))
        return await user_state(user_id)

    @post("/{user_id:int}/enable", status_code=HTTP_200_OK, summary="重新启用用户")
    async def enable(self, request: Request, user_id: FromPath[int]) -> UserState:
        await lifecycle.set_active(user_id, True, actor_of(request))
        return await user_state(user_id)

    @post("/{user_id:int}/role", status_code=HTTP_200_OK, summary="更改用户角色和所属机构")
    async def change_role(
        self, request: Request, user_id: FromPath[int], data: JSONBody[RoleChange]
    ) -> UserState:
        await lifecycle.change_role(user_id, data.role, data.organisation_id, actor_of(request))
        return await user_state(user_id)

    @post("/{user_id:int}/password-reset", status_code=HTTP_201_CREATED,
          summary="发起密码重置：返回 30 分钟内有效的一次性链接（只显示一次）")
    async def start_reset(self, request: Request, user_id: FromPath[int]) -> Response[ResetStarted]:
        link = await lifecycle.start_reset(user_id, actor_of(request))
        return Response(ResetStarted(reset_url=reset_url(link), expires_at=link.expires_at),
                        status_code=HTTP_201_CREATED, headers=NO_STORE)
