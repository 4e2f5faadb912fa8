"""The error responses each API operation really gives, written into the OpenAPI document.

Litestar documents only the success response and a generic 400 for validation. Ours answer with
one error body (``ErrorResponse``: ``status_code``, ``detail``, optionally ``field`` and
``errors``) and these statuses, derived from what every operation shares:

- 400: a JSON body that does not parse or is nested deeper than 32 levels (input guard);
- 401: any operation outside the public API (a bearer token that is wrong or expired);
- 403: guarded operations (a role that may not, an account that must change its password);
- 404: an id in the path (absent, another organisation's, beyond 64 bits), or a public lookup;
- 409: a change the current state refuses (every POST, PUT, PATCH and DELETE);
- 413: uploads (multipart) over the size limit;
- 422: any parameter or body the rules refuse, naming the field, and any change a rule refuses
  (a POST without a body too: e.g. a code asked for when no claim waits);
- 429: operations with a rate limit or a throttle (sign-in, registration, codes, public lookups).

An operation may add to these with its own ``responses=`` (kept as written).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from litestar import Litestar
from litestar.openapi.datastructures import ResponseSpec
from litestar.routes import HTTPRoute
from pydantic import BaseModel

PUBLIC_API = re.compile(r"^/api/v1/public/")
THROTTLED = re.compile(r"^/api/v1/(public/|auth/(token|register|claim|password|reset))")
DESCRIPTIONS = {
    400: "请求格式不正确（JSON 无法解析或嵌套过深）",
    401: "未登录，或访问令牌无效、已过期",
    403: "当前角色或账号状态无权执行此操作",
    404: "记录不存在，或不属于本机构",
    409: "当前状态不允许此操作",
    413: "上传的内容过大",
    422: "参数或内容不符合要求（指明字段）",
    429: "请求过于频繁（见 Retry-After）",
}


class FieldError(BaseModel):
    """One field at fault."""

    field: str | None = None
    message: str


class ErrorResponse(BaseModel):
    """The body of every error answer of the API."""

    status_code: int
    detail: str
    field: str | None = None
    errors: list[FieldError] | None = None


@dataclass(frozen=True)
class OperationShape:
    """What the rules below look at: path template, method and what the operation takes."""

    path: str
    method: str
    guarded: bool
    has_body: bool
    has_parameters: bool
    has_path_parameters: bool
    multipart: bool


def error_statuses(op: OperationShape) -> set[int]:
    """The error statuses ``op`` can answer with (see the module docstring)."""
    statuses: set[int] = set()
    public = bool(PUBLIC_API.match(op.path))
    if not public or op.guarded:
        statuses.add(401)
    if op.guarded:
        statuses.add(403)
    if op.has_path_parameters or public:
        statuses.add(404)
    if op.method in {"POST", "PUT", "PATCH", "DELETE"}:
        statuses.update({409, 422})
    if op.has_body:
        statuses.update({400, 422})
    if op.has_parameters or op.has_path_parameters:
        statuses.add(422)
    if op.multipart:
        statuses.add(413)
    if THROTTLED.match(op.path):
        statuses.add(429)
    return statuses


def document_error_responses(app: Litestar) -> None:
    """Give every API operation of ``app`` its error responses (before the schema is built)."""
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        if not route.path.startswith("/api/"):
            _document_page_route(route)
            continue
        for handler in route.route_handlers:
            signature = handler.parsed_fn_signature.parameters
            data = signature.get("data")
            media = str(getattr(getattr(data, "kwarg_definition", None), "media_type", "") or "")
            path_names = set(route.path_parameters) if hasattr(route, "path_parameters") else set()
            names = {n for n in signature if n not in {"data", "request", "self"}}
            for method in handler.http_methods:
                op = OperationShape(
                    path=route.path, method=method,
                    guarded=bool(handler.resolve_guards()),
                    has_body=data is not None,
                    has_parameters=bool(names - path_names),
                    has_path_parameters=bool(path_names),
                    multipart="multipart" in media.lower(),
                )
                responses = dict(handler.responses or {})
                for status in sorted(error_statuses(op)):
                    responses.setdefault(status, ResponseSpec(
                        data_container=ErrorResponse, description=DESCRIPTIONS[status]))
                handler.responses = responses


def _document_page_route(route: HTTPRoute) -> None:
    """Outside /api errors are pages, not JSON: a documented route with an id in its path (the
    signed status lists) lists its 404 without a body schema."""
    if not route.path_parameters:
        return
    for handler in route.route_handlers:
        if handler.resolve_include_in_schema():
            responses = dict(handler.responses or {})
            responses.setdefault(404, ResponseSpec(data_container=None,
                                                   description="不存在（错误页面）"))
            handler.responses = responses
