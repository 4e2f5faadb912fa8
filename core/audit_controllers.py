"""Browsing the audit log (officers and admins): a page, an API, and the filtered log as XLSX
or CSV."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromQuery
from litestar.response import Template
from pydantic import BaseModel

from core import audit, clock
from core.accounts.auth import actor_of, current_user, roles
from core.labels import audit_sentences, label
from core.pagination import clamp_page
from core.reporting.exports import CSV_MEDIA_TYPE, Sheet, attachment, csv_bytes, xlsx_response
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


def audit_filters(
    actor: FromQuery[str | None] = None,
    entity_type: FromQuery[str | None] = None,
    entity_id: FromQuery[str | None] = None,
    action: FromQuery[str | None] = None,
    date_from: FromQuery[str | None] = None,
    date_to: FromQuery[str | None] = None,
) -> audit.AuditFilter:
    """The audit log's filters from the query string (the ``filters`` dependency of the page,
    the API and the export: one reading, documented once as these six query parameters).
    Raises ``core.errors.ValidationError`` naming ``date_from`` / ``date_to`` for a malformed
    date (``core.audit.filter_from_form``)."""
    return audit.filter_from_form({
        "actor": actor, "entity_type": entity_type, "entity_id": entity_id, "action": action,
        "date_from": date_from, "date_to": date_to})


# An export holds at most this many rows, the newest first (the log itself is never cut).
EXPORT_LIMIT = 10_000
EXPORT_HEADERS = ("时间", "操作人", "角色", "操作", "对象", "变更摘要", "来源地址")
FILTER_LABELS = {"actor": "操作人", "entity_type": "对象类型", "entity_id": "对象编号",
                 "action": "操作", "date_from": "起始日期", "date_to": "截止日期"}


def summary_text(summary: Any, entity_type: str) -> str:
    """An audit row's summary as the log page shows it, one sentence a line
    (``状态由“有效”改为“已暂停”；公开原因：“…”。``), every code labelled
    (core.labels.audit_sentences)."""
    return "\n".join(audit_sentences(summary, entity_type))


def export_rows(items: list[dict[str, Any]]) -> list[list[Any]]:
    """The rows of the audit export (EXPORT_HEADERS): what the log page shows of each row, with
    the time in China time and actions, roles and objects labelled. Summaries are as masked as
    on the page (masked when written; restricted entries already withheld by ``search``)."""
    rows = []
    for item in items:
        entity = label("audit_entity", item["entity_type"])
        if item["entity_id"]:
            entity = f"{entity} #{item['entity_id']}"
        at = item["at"]
        rows.append([
            at.astimezone(clock.CHINA).strftime("%Y-%m-%d %H:%M") if at else "",
            item["actor_name"] or "—", label("role", item["actor_role"]),
            label("audit_action", item["action"]), entity,
            summary_text(item["summary"], item["entity_type"]), item["client_ip"]])
    return rows


def filters_text(filters: audit.AuditFilter) -> str:
    """The filters of an export as people read them (``操作 暂停证书；起始日期 2026-11-01``);
    全部 when none is set."""
    parts = []
    for name, caption in FILTER_LABELS.items():
        value = getattr(filters, name)
        if value in (None, ""):
            continue
        if name == "action":
            value = label("audit_action", value)
        elif name == "entity_type":
            value = label("audit_entity", value)
        parts.append(f"{caption} {value}")
    return "；".join(parts) or "全部"


class AuditController(Controller):
    guards = [officers_only]
    dependencies = {"filters": Provide(audit_filters, sync_to_thread=False)}

    @get("/audit", include_in_schema=False)
    async def audit_page(
        self,
        request: Request,
        filters: NamedDependency[audit.AuditFilter],
        page_number: PageNumber = 1,
    ) -> Template:
        number, per = clamp_page(page_number, 50)
        result = await audit.search(filters, number, per, current_user(request).role)
        return page(
            request, "audit/list.html", page_title="审计日志", result=result, filters=filters
        )

    @get("/api/v1/audit", tags=["审计日志"], summary="查询审计日志")
    async def audit_api(
        self,
        request: Request,
        filters: NamedDependency[audit.AuditFilter],
        page: FromQuery[int] = 1,
        per_page: FromQuery[int] = 50,
    ) -> AuditPage:
        number, per = clamp_page(page, per_page)
        result = await audit.search(filters, number, per, current_user(request).role)
        return AuditPage(
            items=[AuditEntry.model_validate(row) for row in result.items],
            page=result.number,
            per_page=result.per_page,
            total=result.total,
        )

    @get(["/audit/export.xlsx", "/audit/export.csv"], include_in_schema=False)
    async def audit_export(
        self,
        request: Request,
        filters: NamedDependency[audit.AuditFilter],
    ) -> Response[bytes]:
        """The log under the page's filters (same filter reading, same rows, same masking) as
        XLSX or CSV (by the path's suffix), newest first, at most EXPORT_LIMIT rows, through
        the formula-safe writer. The export itself is audited: who, the filters, the rows."""
        result = await audit.search(filters, 1, EXPORT_LIMIT, current_user(request).role)
        rows = export_rows(result.items)
        fmt = "CSV" if request.url.path.endswith(".csv") else "XLSX"
        await audit.record_export(actor_of(request), filters_text(filters), len(rows), fmt)
        name = f"审计日志-{clock.today():%Y%m%d}"
        if fmt == "CSV":
            return attachment(csv_bytes(EXPORT_HEADERS, rows), name + ".csv", CSV_MEDIA_TYPE)
        return xlsx_response(name, [Sheet("审计日志", EXPORT_HEADERS, rows)])
