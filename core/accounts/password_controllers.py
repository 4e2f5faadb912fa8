"""Passwords over the web: change one's own (page and API), set one through a one-time reset
link (an admin's, or one opened by a trainee's SMS code), and the gate that sends a user who
must change their password to the change page."""

from __future__ import annotations

import time

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import PermissionDeniedException
from litestar.params import FromPath, JSONBody
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT
from pydantic import BaseModel, Field

from core import otp, ratelimit
from core.accounts import lifecycle, sms_reset
from core.accounts.auth import SESSION_USER_KEY, actor_of, client_ip, login_required, require_user
from core.accounts.passwords import POLICY_HINT, check_policy
from core.accounts.services import FAILURE_WINDOW_S, TooManyAttempts
from core.accounts.sessions import renew_session
from core.errors import DomainError
from core.forms import FormReader
from core.identity import normalise_mobile
from core.settings import get_settings
from core.web import FormData, errors_of, form_page, page, redirect_with

CHANGE_PAGE = "/account/password"
CHANGE_API = "/api/v1/auth/password"
# what a user who must change their password may still reach
OPEN_WHILE_CHANGING = frozenset({CHANGE_PAGE, CHANGE_API, "/logout", "/api/v1/auth/token/revoke"})
MUST_CHANGE_API = ("请先修改密码：管理员设置的密码须由本人更换后才能使用其他功能"
                   "（POST /api/v1/auth/password）")


async def sign_in(request: Request, user_id: int) -> None:
    """Start a page session for ``user_id`` under a fresh session id, bound to the user's
    current session version (so that ending the user's sessions ends this one too)."""
    await renew_session(request)
    request.set_session({
        SESSION_USER_KEY: user_id,
        lifecycle.SESSION_VERSION_KEY: await lifecycle.session_version(user_id),
    })


def password_change_gate(request: Request) -> Response | None:
    """App-wide before_request hook: a user whose password was set by an admin (new account,
    reset, CLI) is sent to the change-password page from every page; the API answers 403."""
    user = request.scope.get("user")
    if user is None or not user.must_change_password:
        return None
    if request.url.path in OPEN_WHILE_CHANGING or request.url.path.startswith("/static/"):
        return None
    if request.url.path.startswith("/api/"):
        raise PermissionDeniedException(MUST_CHANGE_API)
    return Redirect(path=CHANGE_PAGE)


class PasswordChangeRequest(BaseModel):
    current_password: str = Field(max_length=200, description="当前密码")
    password: str = Field(max_length=200, description="新密码")
    password_confirm: str = Field(max_length=200, description="再次输入新密码")


async def change_password(request: Request, data: lifecycle.PasswordChange,
                          keep_token: str | None = None) -> int:
    """Change the signed-in user's password; wrong current passwords count like failed
    sign-ins (LOGIN_MAX_FAILURES within 15 minutes lock the change for LOGIN_LOCK_SECONDS), so
    a borrowed session cannot guess the password. Raises TooManyAttempts (429)."""
    user = require_user(request)
    store = request.app.stores.get("throttle")
    key = f"password-change:user:{user.id}"
    wait = await ratelimit.locked_for(store, key)
    if wait:
        refused = TooManyAttempts(
            f"当前密码错误次数过多，请 {max(wait // 60, 1)} 分钟后再试", "current_password")
        refused.retry_after = int(wait)
        raise refused
    try:
        return await lifecycle.change_own_password(user.id, data, actor_of(request),
                                                   keep_token=keep_token)
    except DomainError as exc:
        if exc.field == "current_password" and data.current_password:
            settings = get_settings()
            if await ratelimit.hit(store, key, FAILURE_WINDOW_S) >= settings.login_max_failures:
                await ratelimit.lock(store, key, settings.login_lock_seconds)
        raise


def _change_form(request: Request, **context: object) -> Template:
    user = require_user(request)
    return page(request, "accounts/password.html", page_title="修改密码",
                must_change=user.must_change_password, policy_hint=POLICY_HINT, **context)


def read_new_password(data: dict, user_inputs: tuple[str, ...], *, current: bool) -> None:
    """A change (``current``: with the current password) or reset form, every field judged at
    once: current password given, the policy of core.accounts.passwords (on the inputs known
    here; the service judges the trainee's ID and phone too), not the current one, confirmation.
    Raises FieldErrors. The current password is not checked here: only the service does, and
    counts a wrong one."""
    reader = FormReader(data)
    if current and not reader.raw("current_password"):
        reader.fail("current_password", "请填写当前密码")
    password = reader.raw("password")
    reader.run("password", check_policy, password, "password", user_inputs)
    if current and password and password == reader.raw("current_password"):
        reader.fail("password", "新密码不能与当前密码相同")
    if password != reader.raw("password_confirm"):
        reader.fail("password_confirm", "两次输入的新密码不一致")
    reader.done()


def _change(data: dict) -> lifecycle.PasswordChange:
    return lifecycle.PasswordChange(
        *(str(data.get(k, "")) for k in ("current_password", "password", "password_confirm"))
    )


class PasswordPages(Controller):
    include_in_schema = False

    @get(CHANGE_PAGE, guards=[login_required])
    async def change_form(self, request: Request) -> Template:
        return _change_form(request)

    @post(CHANGE_PAGE, guards=[login_required], status_code=HTTP_200_OK)
    async def change(self, request: Request, data: FormData) -> Template | Redirect:
        user = require_user(request)
        try:
            read_new_password(data, (user.username, user.display_name), current=True)
            version = await change_password(request, _change(data))
        except DomainError as exc:
            response = form_page(request, "accounts/password.html", data,
                                 errors_of(exc), page_title="修改密码",
                                 must_change=user.must_change_password, policy_hint=POLICY_HINT)
            if exc.status_code == 429:
                response.status_code = 429
                response.headers["Retry-After"] = str(getattr(exc, "retry_after", 60))
            return response
        await renew_session(request)  # this session goes on under a new id; all others ended
        request.set_session({SESSION_USER_KEY: user.id, lifecycle.SESSION_VERSION_KEY: version})
        return redirect_with(request, "/", "密码已修改；其他设备上的登录和访问令牌已失效")

    @get(lifecycle.RESET_PATH + "{token:str}")
    async def reset_form(self, request: Request, token: FromPath[str]) -> Template:
        try:
            row = await lifecycle.reset_link_user(token)
        except DomainError as exc:
            return page(request, "accounts/reset.html", status_code=exc.status_code,
                        invalid=exc.message, page_title="设置新密码")
        return page(request, "accounts/reset.html", account=row.username,
                    policy_hint=POLICY_HINT, page_title="设置新密码")

    @post(lifecycle.RESET_PATH + "{token:str}", status_code=HTTP_200_OK)
    async def reset(
        self, request: Request, token: FromPath[str], data: FormData
    ) -> Template | Redirect:
        try:
            account = await lifecycle.reset_link_user(token)
            read_new_password(data, (account.username, account.display_name), current=False)
            await lifecycle.complete_reset(token, str(data.get("password", "")),
                                           str(data.get("password_confirm", "")),
                                           client_ip(request))
        except DomainError as exc:
            if exc.field == "token":
                return page(request, "accounts/reset.html", status_code=exc.status_code,
                            invalid=exc.message, page_title="设置新密码")
            return form_page(request, "accounts/reset.html", data,
                             errors_of(exc), policy_hint=POLICY_HINT,
                             page_title="设置新密码")
        return redirect_with(request, "/login", "新密码已设置，请用新密码登录")


FORGOT_PAGE = "/account/forgot"
FORGOT_LIMIT, FORGOT_WINDOW_S = 10, 3600  # code requests per client address and hour


def _forgot(request: Request, step: str, status_code: int = 200, **context: object) -> Template:
    return page(request, "accounts/forgot.html", status_code=status_code, step=step,
                page_title="忘记密码", **context)


class ForgotPasswordPages(Controller):
    """A trainee resets the password by an SMS code to the phone on file (core.accounts.sms_reset).
    The answer never says whether the account or the phone exists."""

    include_in_schema = False
    path = FORGOT_PAGE

    @get("/")
    async def form(self, request: Request) -> Template:
        return _forgot(request, "request")

    @post("/", status_code=HTTP_200_OK)
    async def request_code(self, request: Request, data: FormData) -> Template:
        identifier, phone = str(data.get("identifier", "")), str(data.get("phone", ""))
        form = {"identifier": identifier, "phone": phone}
        try:
            store = request.app.stores.get("throttle")
            key = f"forgot:ip:{client_ip(request)}"
            if not await ratelimit.allow(store, key, FORGOT_LIMIT, FORGOT_WINDOW_S):
                wait = int(FORGOT_WINDOW_S - time.time() % FORGOT_WINDOW_S) + 1
                raise otp.CodeThrottled("获取验证码过于频繁，请稍后再试", wait, "identifier")
            reader = FormReader(data)
            reader.text("identifier", "用户名或证件号码", required=True, max_length=50)
            if not phone.strip():
                reader.fail("phone", "请填写手机号码")
            else:
                reader.run("phone", normalise_mobile, phone)
            reader.done()
            await sms_reset.request_code(identifier, phone)
        except DomainError as exc:
            response = _forgot(request, "request", 429 if exc.status_code == 429 else 422,
                               form=form, errors=errors_of(exc))
            if getattr(exc, "retry_after", None):
                response.headers["Retry-After"] = str(exc.retry_after)  # type: ignore[attr-defined]
            return response
        return _forgot(request, "code", form=form, answer=sms_reset.ANSWER)

    @post("/code", status_code=HTTP_200_OK)
    async def confirm_code(self, request: Request, data: FormData) -> Template | Redirect:
        form = {k: str(data.get(k, "")) for k in ("identifier", "phone")}
        try:
            link = await sms_reset.confirm_code(form["identifier"], form["phone"],
                                                str(data.get("code", "")), client_ip(request))
        except DomainError as exc:
            return _forgot(request, "code", 422, form=form,
                           errors=errors_of(exc))
        return Redirect(path=link.path)


class PasswordApi(Controller):
    path = "/api/v1/auth"
    tags = ["账号与认证"]

    @post("/password", guards=[login_required], status_code=HTTP_204_NO_CONTENT,
          summary="修改本人密码（其他登录和令牌随即失效，当前令牌保留）")
    async def change(self, request: Request, data: JSONBody[PasswordChangeRequest]) -> None:
        await change_password(request, lifecycle.PasswordChange(**data.model_dump()),
                              keep_token=str(request.auth))
