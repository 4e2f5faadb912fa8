"""The home page (public landing or the role's work hub) and the health check."""

from __future__ import annotations

from litestar import Controller, Request, Response, get
from litestar.response import Template
from pydantic import BaseModel

from core.accounts.auth import current_user
from core.db import ping
from core.schema_check import schema_state
from core.web import ROLE_HOME_TITLES, cards_for, page


class HealthResponse(BaseModel):
    status: str  # ok | error
    database: str  # ok | unreachable | not_migrated
    detail: str = ""


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


@get("/health", tags=["运维"], summary="健康检查",
     description="200 when the database answers and holds the migrated schema (every migration "
                 "applied, core tables readable); 503 with the reason otherwise.")
async def health() -> Response[HealthResponse]:
    if not await ping():
        return Response(HealthResponse(status="error", database="unreachable",
                                       detail="数据库无法连接"), status_code=503)
    state = await schema_state()
    if not state.ok:
        return Response(HealthResponse(status="error", database="not_migrated",
                                       detail=state.reason), status_code=503)
    return Response(HealthResponse(status="ok", database="ok"), status_code=200)
