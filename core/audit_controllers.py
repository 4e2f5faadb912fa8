"""Browsing the audit log (officers and admins): a page and an API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Controller, Request, get
from litestar.params import FromQuery
from litestar.response import Template
from pydantic import BaseModel

from core import audit
from core.accounts.auth import current_user, roles
from core.pagination import clamp_page
from core.roles import OFFICER_ROLES
from core.web import PageNumber, page

officers_only = roles(*OFFICER_ROLES)


class AuditEntry(BaseModel):
    id: int
    at: datetime
    actor_id: int | None
    actor_name: str
    actor_role: str
    action: str
    entity_type: str
    entity_id: str
    summary: dict[str, Any]
    client_ip: str


class AuditPage(BaseModel):
    items: list[AuditEntry]
    page: int
    per_page: int
    total: int


def _filters(
    actor: str | None,
    entity_type: str | None,
    entity_id: str | None,
    action: str | None,
    date_from: str | None,
    date_to: str | None,
) -> audit.AuditFilter:
    return audit.filter_from_form({
        "actor": actor, "entity_type": entity_type, "entity_id": entity_id, "action": action,
        "date_from": date_from, "date_to": date_to})


class AuditController(Controller):
    guards = [officers_only]

    @get("/audit", include_in_schema=False)
    async def audit_page(
        self,
        request: Request,
        actor: FromQuery[str | None] = None,
        entity_type: FromQuery[str | None] = None,
        entity_id: FromQuery[str | None] = None,
        action: FromQuery[str | None] = None,
        date_from: FromQuery[str | None] = None,
        date_to: FromQuery[str | None] = None,
        page_number: PageNumber = 1,
    ) -> Template:
        filters = _filters(actor, entity_type, entity_id, action, date_from, date_to)
        number, per = clamp_page(page_number, 50)
        result = await audit.search(filters, number, per, current_user(request).role)
        return page(
            request, "audit/list.html", page_title="审计日志", result=result, filters=filters
        )

    @get("/api/v1/audit", tags=["审计日志"], summary="查询审计日志")
    async def audit_api(
        self,
        request: Request,
        actor: FromQuery[str | None] = None,
        entity_type: FromQuery[str | None] = None,
        entity_id: FromQuery[str | None] = None,
        action: FromQuery[str | None] = None,
        date_from: FromQuery[str | None] = None,
        date_to: FromQuery[str | None] = None,
        page: FromQuery[int] = 1,
        per_page: FromQuery[int] = 50,
    ) -> AuditPage:
        filters = _filters(actor, entity_type, entity_id, action, date_from, date_to)
        number, per = clamp_page(page, per_page)
        result = await audit.search(filters, number, per, current_user(request).role)
        return AuditPage(
            items=[AuditEntry(**row) for row in result.items],
            page=result.number,
            per_page=result.per_page,
            total=result.total,
        )
