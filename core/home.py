"""The home page (public landing or the role's work hub) and the health check."""

from __future__ import annotations

from litestar import Controller, Request, Response, get
from litestar.response import Template
from pydantic import BaseModel

from core.accounts.auth import current_user
from core.db import ping
from core.web import ROLE_HOME_TITLES, cards_for, page


class HealthResponse(BaseModel):
    status: str
    database: str


class HomeController(Controller):
    include_in_schema = False

    @get("/")
    async def home(self, request: Request) -> Template:
        user = current_user(request)
        if user is None:
            return page(request, "home/public.html", page_title="首页")
        return page(
            request,
            "home/dashboard.html",
            page_title=ROLE_HOME_TITLES[user.role],
            heading=ROLE_HOME_TITLES[user.role],
            cards=cards_for(user.role),
        )


@get("/health", tags=["运维"], summary="健康检查")
async def health() -> Response[HealthResponse]:
    ok = await ping()
    body = HealthResponse(status="ok" if ok else "error", database="ok" if ok else "unreachable")
    return Response(body, status_code=200 if ok else 503)
