"""One place that turns errors into responses: JSON on /api, Chinese pages elsewhere."""

from __future__ import annotations

import logging
import re
from urllib.parse import quote

from litestar import MediaType, Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.response import Redirect, Template

from core.errors import DomainError

log = logging.getLogger("registry.errors")

MESSAGES = {
    400: "请求格式不正确",
    401: "请先登录",
    403: "您无权访问此页面或执行此操作",
    404: "您访问的页面或记录不存在",
    405: "不支持该请求方法",
    413: "上传的内容过大，请压缩或拆分后重试",
    422: "提交的内容有误，请检查后重试",
    429: "请求过于频繁，请稍后再试",
    500: "系统内部错误，请稍后重试；如持续出现请联系管理员",
    503: "服务暂不可用，请稍后再试",
}
ERROR_TEMPLATES = {403, 404, 413, 429, 500}

# Pydantic / msgspec validation messages in Chinese (the API names the field; this says why).
VALIDATION_MESSAGES = (
    (re.compile(r"^Field required"), "必填"),
    (re.compile(r"valid integer|Expected `int`"), "应为整数"),
    (re.compile(r"valid number|Expected `(float|decimal)`"), "应为数字"),
    (re.compile(r"valid string|Expected `str`"), "应为文本"),
    (re.compile(r"valid boolean|Expected `bool`"), "应为是/否"),
    (re.compile(r"valid date|Expected `date`"), "应为日期（YYYY-MM-DD）"),
    (re.compile(r"valid list|Expected `array`"), "应为列表"),
    (re.compile(r"at most (\d+) character"), "最多 {0} 个字符"),
    (re.compile(r"at least (\d+) character"), "至少 {0} 个字符"),
    (re.compile(r"greater than or equal to (\S+)"), "应不小于 {0}"),
    (re.compile(r"less than or equal to (\S+)"), "应不大于 {0}"),
    (re.compile(r"greater than (\S+)"), "应大于 {0}"),
    (re.compile(r"less than (\S+)"), "应小于 {0}"),
)


def chinese_validation_message(message: str) -> str:
    for pattern, text in VALIDATION_MESSAGES:
        match = pattern.search(message or "")
        if match:
            return text.format(*match.groups())
    return "格式不正确"


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _render(
    request: Request, status: int, message: str, field: str | None = None,
    extra: dict | None = None, headers: dict[str, str] | None = None,
) -> Response:
    """The error as JSON on /api, as a Chinese page elsewhere; ``headers`` (Retry-After…) kept."""
    if _is_api(request):
        body = {"status_code": status, "detail": message}
        if field:
            body["field"] = field
        body.update(extra or {})
        return Response(body, status_code=status, media_type=MediaType.JSON, headers=headers)
    from core.web import page  # late import: web imports auth which imports services

    template = f"errors/{status}.html" if status in ERROR_TEMPLATES else "errors/generic.html"
    response = page(
        request, template, status_code=status, status_code_value=status, message=message
    )
    response.context["status_code"] = status
    response.headers.update(headers or {})
    return response  # type: ignore[return-value]


def domain_error_handler(request: Request, exc: DomainError) -> Response:
    retry_after = getattr(exc, "retry_after", None)
    headers = {"Retry-After": str(retry_after)} if retry_after else None
    fields = getattr(exc, "errors", None)  # core.errors.FieldErrors: every field at fault
    extra = {"errors": [{"field": f, "message": m} for f, m in fields.items()]} if fields else None
    return _render(request, exc.status_code, exc.message, exc.field, extra, headers=headers)


def http_exception_handler(request: Request, exc: HTTPException) -> Response | Redirect | Template:
    status = exc.status_code
    detail = exc.detail if isinstance(exc.detail, str) else ""
    if detail == "Request Entity Too Large":  # multipart over the limit (Litestar 2 says 400)
        status = 413
    if isinstance(exc, NotAuthorizedException) and not _is_api(request):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return Redirect(path=f"/login?next={quote(target)}")
    if isinstance(exc, ValidationException):
        errors = [
            {"field": e.get("key"), "message": chinese_validation_message(str(e.get("message")))}
            for e in (exc.extra or [])
            if isinstance(e, dict)
        ]
        return _render(  # a value of the wrong type or range: 422 naming the field
            request,
            422,
            "请求参数不正确：" + "；".join(f"{e['field']}: {e['message']}" for e in errors)
            if errors
            else MESSAGES[400],
            extra={"errors": errors},
        )
    message = MESSAGES.get(status, detail or "请求失败")
    if (
        isinstance(exc, (NotAuthorizedException, PermissionDeniedException))
        and detail
        and not detail.isascii()
    ):
        message = detail
    if status == 429 and detail and not detail.isascii():
        message = detail
    # Retry-After (429), Allow (405)… travel on; the old handler dropped them
    return _render(request, status, message, headers=dict(exc.headers or {}))


def internal_error_handler(request: Request, exc: Exception) -> Response:
    # The path only: query strings may carry names or numbers.
    log.exception("unhandled %s on %s %s", type(exc).__name__, request.method, request.url.path)
    return _render(request, 500, MESSAGES[500])


EXCEPTION_HANDLERS = {
    DomainError: domain_error_handler,
    HTTPException: http_exception_handler,
    Exception: internal_error_handler,
}
