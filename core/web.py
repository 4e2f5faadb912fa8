"""Page rendering glue: every page gets the user, the navigation for its role and flashes.

Navigation entries and home-page cards come from the domains' declarations (``core.domain``),
merged by the composition (``core.wiring``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from litestar import Request
from litestar.params import QueryParameter, URLEncodedBody
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from core import wiring
from core.accounts.auth import current_user
from core.errors import DomainError
from core.pagination import Page
from core.roles import Role

ALL_ROLES = frozenset(Role)
# Handler parameter types shared by every page controller.
FormData = URLEncodedBody[dict[str, Any]]
PageNumber = Annotated[int, QueryParameter(name="page", ge=1)]


ROLE_HOME_TITLES = {
    Role.TRAINEE: "学员中心",
    Role.PROVIDER_STAFF: "培训机构工作台",
    Role.HRSS_OFFICER: "人社局工作台",
    Role.EDU_OFFICER: "教育局工作台",
    Role.HEALTH_REVIEWER: "卫健委备案审核工作台",
    Role.FACILITY_OPERATOR: "托育机构工作台",
    Role.ADMIN: "系统管理",
}


def nav_for(role: Role | None, path: str) -> list[dict[str, Any]]:
    entries = [
        e
        for e in wiring.current().nav
        if (e.roles is None) or (role is not None and role in e.roles)
    ]
    return [
        {
            "label": e.label,
            "href": e.href,
            "active": path == e.href or (e.href != "/" and path.startswith(e.href + "/")),
        }
        for e in entries
    ]


def cards_for(role: Role) -> list[dict[str, Any]]:
    return [
        {"title": c.title, "description": c.description, "href": c.href}
        for c in wiring.current().cards
        if role in c.roles
    ]


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> Template:
    """Render a page; a list asked for past its last page is sent to the last page (303)."""
    if request.method == "GET":
        for value in context.values():
            if isinstance(value, Page) and value.number > value.pages:
                return Redirect(  # type: ignore[return-value]
                    path=request.url.path + value.url_for_page(value.pages), status_code=303)
    user = current_user(request)
    context.setdefault("current_user", user)
    context.setdefault("nav", nav_for(user.role if user else None, request.url.path))
    context.setdefault("errors", {})
    context.setdefault("form", {})
    return Template(template_name=template, context=context, status_code=status_code)


def errors_of(exc: DomainError) -> dict[str, str]:
    """A refused form's errors for ``form_page``: every field of a FieldErrors, else the one
    field at fault (or ``__all__``, shown at the top of the form)."""
    fields = getattr(exc, "errors", None)
    if fields:
        return dict(fields)
    return {exc.field or "__all__": exc.message}


def form_page(
    request: Request,
    template: str,
    form: Mapping[str, Any],
    errors: Mapping[str, str],
    **context: Any,
) -> Template:
    """Re-render a form with the user's values and errors next to their fields (422)."""
    safe_form = {k: v for k, v in form.items() if "password" not in k and k != "_csrf_token"}
    return page(request, template, status_code=422, form=safe_form, errors=dict(errors), **context)


def redirect_with(request: Request, to: str, message: str, category: str = "success") -> Redirect:
    flash(request, message, category)
    return Redirect(path=to)
