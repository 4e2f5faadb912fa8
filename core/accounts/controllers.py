"""Sign-in, sign-out, trainee registration (pages and API) and API tokens."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from litestar import Controller, Request, get, post
from litestar.params import FromQuery, JSONBody
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK, HTTP_202_ACCEPTED, HTTP_204_NO_CONTENT

from core.accounts import services
from core.accounts.auth import (
    actor_of,
    client_ip,
    login_required,
    require_user,
)
from core.accounts.password_controllers import CHANGE_PAGE, sign_in
from core.accounts.passwords import check_policy
from core.accounts.schemas import (
    MeResponse,
    RegisterRequest,
    TokenRequest,
    TokenResponse,
)
from core.claims import services as claims
from core.claims.controllers import (
    VERIFY_PAGE,
    RegisterAccepted,
    check_registration_rate,
    read_person_fields,
)
from core.errors import DomainError
from core.forms import FormReader
from core.identity import IdType
from core.web import FormData, errors_of, form_page, page, redirect_with

ID_TYPE_OPTIONS = [(t.value, t.value) for t in IdType]


def safe_next(target: str | None) -> str:
    """Only local paths are followed after login (no open redirect)."""
    if not target:
        return "/"
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


class AccountPages(Controller):
    include_in_schema = False

    @get("/login")
    async def login_form(
        self, request: Request, next: FromQuery[str | None] = None
    ) -> Template | Redirect:
        if request.user:
            return Redirect(path=safe_next(next))
        return page(request, "accounts/login.html", form={"next": next or ""}, page_title="登录")

    @post("/login", status_code=HTTP_200_OK)
    async def login(self, request: Request, data: FormData) -> Template | Redirect:
        reader = FormReader(data)
        username = reader.text("username", "用户名", required=True)
        password = reader.raw("password")
        if not password:
            reader.fail("password", "请填写密码")
        store = request.app.stores.get("throttle")
        try:
            reader.done()
            user = await services.authenticate(username, password, client_ip(request), store)
        except DomainError as exc:
            response = form_page(
                request,
                "accounts/login.html",
                data,
                errors_of(exc),
                page_title="登录",
            )
            response.status_code = exc.status_code if exc.status_code == 429 else 422
            if getattr(exc, "retry_after", None):
                response.headers["Retry-After"] = str(exc.retry_after)  # type: ignore[attr-defined]
            return response
        await sign_in(request, user.id)
        if user.must_change_password:
            return redirect_with(request, CHANGE_PAGE, "请先设置新密码", "warning")
        return redirect_with(
            request, safe_next(data.get("next")), f"欢迎，{user.display_name}", "success"
        )

    @post("/logout", status_code=HTTP_200_OK)
    async def logout(self, request: Request) -> Redirect:
        request.clear_session()
        return Redirect(path="/login")

    @get("/register")
    async def register_form(self, request: Request) -> Template:
        return page(
            request,
            "accounts/register.html",
            id_type_options=ID_TYPE_OPTIONS,
            form={"id_type": IdType.RESIDENT.value},
            page_title="学员注册",
        )

    @post("/register", status_code=HTTP_200_OK)
    async def register(self, request: Request, data: FormData) -> Template | Redirect:
        try:
            await check_registration_rate(request)
            user_id = await claims.register_trainee(
                read_registration(data), actor_of(request)
            )
        except DomainError as exc:
            response = form_page(
                request,
                "accounts/register.html",
                data,
                errors_of(exc),
                id_type_options=ID_TYPE_OPTIONS,
                page_title="学员注册",
            )
            if exc.status_code in (409, 429):
                response.status_code = exc.status_code
            if getattr(exc, "retry_after", None):
                response.headers["Retry-After"] = str(exc.retry_after)  # type: ignore[attr-defined]
            return response
        await sign_in(request, user_id)  # the account sees nothing until the claim is proved
        return redirect_with(request, VERIFY_PAGE, claims.ACCEPTED_MESSAGE, "info")


def read_registration(data: dict[str, Any]) -> claims.TraineeRegistration:
    """The registration form, every field judged at once (name, ID number, phone, username,
    password policy, confirmation): FieldErrors with all that are at fault, so the page shows
    each beside its field. Only the form's own rules are judged, never the registry (the
    answer stays the same in every identity case, see ``core.claims.services``)."""
    reader = FormReader(data)
    person = read_person_fields(reader)
    username = reader.run("username", services.check_username, reader.raw("username"))
    password = reader.raw("password")
    reader.run("password", check_policy, password, user_inputs=(
        username or reader.raw("username"), person["name"], person["id_number"],
        person["phone"]))
    if password != reader.raw("password_confirm"):
        reader.fail("password_confirm", "两次输入的密码不一致")
    reader.done()
    return services_registration(data)


def services_registration(data: dict[str, Any]) -> claims.TraineeRegistration:
    return claims.TraineeRegistration(
        **{
            key: str(data.get(key, ""))
            for key in (
                "name",
                "id_type",
                "id_number",
                "phone",
                "username",
                "password",
                "password_confirm",
            )
        }
    )


class AuthApi(Controller):
    path = "/api/v1/auth"
    tags = ["账号与认证"]

    @post("/token", status_code=HTTP_200_OK, summary="用用户名和密码换取访问令牌")
    async def token(self, request: Request, data: JSONBody[TokenRequest]) -> TokenResponse:
        store = request.app.stores.get("throttle")
        user = await services.authenticate(data.username, data.password, client_ip(request), store)
        token, ttl = await services.issue_token(user, actor_of(request))
        return TokenResponse(access_token=token, expires_in=ttl)

    @post(
        "/token/revoke",
        status_code=HTTP_204_NO_CONTENT,
        guards=[login_required],
        summary="注销当前访问令牌",
    )
    async def revoke(self, request: Request) -> None:
        await services.revoke_token(str(request.auth), actor_of(request))

    @post("/register", status_code=HTTP_202_ACCEPTED, summary="学员自助注册",
          description="账号创建后须凭发送至登记手机号码的验证码（或人社局核验证件照片）完成身份"
                      "核验，之后才能看到本人的培训与证书记录（/api/v1/auth/claim）。无论证件号码"
                      "是否已登记、姓名是否一致，均答复 202“已受理”。")
    async def register(self, request: Request,
                       data: JSONBody[RegisterRequest]) -> RegisterAccepted:
        await check_registration_rate(request)
        await claims.register_trainee(
            claims.TraineeRegistration(**data.model_dump()), actor_of(request)
        )
        return RegisterAccepted()

    @get("/me", guards=[login_required], summary="当前用户")
    async def me(self, request: Request) -> MeResponse:
        return MeResponse.model_validate(require_user(request))
