"""The audit log: every state change writes one row in the same transaction as the change.

Rows are append-only. Summaries are masked here, once, so no caller can leak an ID number
or a phone into the log.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from core import clock, db
from core.actor import Actor
from core.identity import mask_id_number, mask_phone
from core.pagination import Page
from core.roles import Role
from core.tables import AuditLog

SECRET_KEYS = ("password", "token", "secret")
# Summary keys only 人社局 officers and admins read: the internal note of a certificate's status
# change (certification.reasons, labelled 仅人社局可见). Other officers see them withheld.
RESTRICTED_KEYS = frozenset({"internal_note"})
RESTRICTED_READERS = frozenset({Role.HRSS_OFFICER, Role.ADMIN})
WITHHELD = "（仅人社局可见）"
ID_KEYS = ("id_number",)
PHONE_KEYS = ("phone", "mobile")


def mask_value(key: str, value: Any) -> Any:
    lowered = key.lower()
    if any(s in lowered for s in SECRET_KEYS):
        return "***"
    if isinstance(value, str) and any(k in lowered for k in ID_KEYS):
        return mask_id_number(value)
    if isinstance(value, str) and any(k in lowered for k in PHONE_KEYS):
        return mask_phone(value)
    if isinstance(value, Mapping):
        return mask_summary(value)
    if isinstance(value, (list, tuple)):
        return [mask_value(key, v) for v in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def mask_summary(data: Mapping[str, Any] | None) -> dict[str, Any]:
    return {str(k): mask_value(str(k), v) for k, v in (data or {}).items()}


async def record(
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: Any = "",
    *,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    note: str = "",
) -> None:
    """Write one audit row; call it inside the service's transaction."""
    summary: dict[str, Any] = {}
    if before is not None:
        summary["before"] = mask_summary(before)
    if after is not None:
        summary["after"] = mask_summary(after)
    if note:
        summary["note"] = note
    await AuditLog.insert(
        AuditLog(
            at=clock.now(),
            actor_id=actor.user_id,
            actor_name=actor.username,
            actor_role=actor.role,
            action=action,
            entity_type=entity_type,
            entity_id=str(entity_id),
            summary=summary,
            client_ip=actor.ip,
        )
    )



async def record_export(actor: Actor, filters: str, rows: int, fmt: str) -> None:
    """Audit one download of the audit log in its own transaction: who, the filters as read
    (``filters``, the page's wording), how many rows and the format (XLSX or CSV)."""
    async with db.transaction():
        await record(actor, "audit.export", "audit_log",
                     after={"filters": filters, "rows": rows, "format": fmt})

@dataclass(frozen=True)
class AuditFilter:
    actor: str = ""
    entity_type: str = ""
    entity_id: str = ""
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None


FILTER_FIELDS = ("actor", "entity_type", "entity_id", "action", "date_from", "date_to")


def filter_from_form(values: Mapping[str, Any]) -> AuditFilter:
    """The filter typed in the audit log's form or query string (``FILTER_FIELDS``; missing or
    blank means "any"): texts stripped, dates read as ``YYYY-MM-DD`` China days. Raises
    ``core.errors.ValidationError`` naming ``date_from`` / ``date_to`` for a malformed date."""
    from core.forms import parse_date

    def text(name: str) -> str:
        return str(values.get(name) or "").strip()

    return AuditFilter(actor=text("actor"), entity_type=text("entity_type"),
                       entity_id=text("entity_id"), action=text("action"),
                       date_from=parse_date(values.get("date_from"), "date_from"),
                       date_to=parse_date(values.get("date_to"), "date_to"))


def china_day_bounds(date_from: date | None, date_to: date | None
                     ) -> tuple[datetime | None, datetime | None]:
    """The UTC instants ``[start, end)`` covering the China days ``date_from`` to ``date_to``
    inclusive: 00:00 Asia/Shanghai (``core.clock.CHINA``, UTC+8) of ``date_from`` and 00:00 of
    the day after ``date_to``. ``None`` for an open side. The log shows times in China time, so
    a row shown on 2026-11-30 (written 2026-11-29T16:00Z up to 2026-11-30T16:00Z exclusive)
    falls inside the bounds of 2026-11-30."""
    start = clock.china_midnight(date_from) if date_from else None
    end = clock.china_midnight(date_to + timedelta(days=1)) if date_to else None
    return start, end


def conditions(filters: AuditFilter) -> list[Any]:
    """The query conditions (Piccolo ``where`` arguments, ANDed) selecting the audit rows that
    match ``filters``: exact actor username, entity type, entity id and action; the dates are
    China days (see ``china_day_bounds``). An empty filter gives no condition. Shared by the
    page, the API and anything that lists the same rows (e.g. an export of the filtered log)."""
    where: list[Any] = []
    if filters.actor:
        where.append(AuditLog.actor_name == filters.actor)
    if filters.entity_type:
        where.append(AuditLog.entity_type == filters.entity_type)
    if filters.entity_id:
        where.append(AuditLog.entity_id == filters.entity_id)
    if filters.action:
        where.append(AuditLog.action == filters.action)
    start, end = china_day_bounds(filters.date_from, filters.date_to)
    if start is not None:
        where.append(AuditLog.at >= start)
    if end is not None:
        where.append(AuditLog.at < end)
    return where


def withhold_restricted(summary: Any) -> Any:
    """``summary`` with the value of every RESTRICTED_KEYS entry (at any depth) replaced by
    WITHHELD when non-empty."""
    if isinstance(summary, Mapping):
        return {k: (WITHHELD if v else v) if k in RESTRICTED_KEYS else withhold_restricted(v)
                for k, v in summary.items()}
    if isinstance(summary, list):
        return [withhold_restricted(v) for v in summary]
    return summary


async def search(filters: AuditFilter, page: int, per_page: int,
                 reader_role: str | None = None) -> Page[dict[str, Any]]:
    """A page of audit rows, newest first. A ``reader_role`` outside RESTRICTED_READERS gets
    the restricted summary entries withheld (``None``: internal callers, nothing withheld)."""
    where = conditions(filters)
    count = AuditLog.count()
    rows = AuditLog.select().order_by(AuditLog.id, ascending=False)
    if where:
        count = count.where(*where)
        rows = rows.where(*where)
    result = Page([], page, per_page, await count, query=filters.__dict__)
    result.items = await rows.limit(per_page).offset(result.offset)
    for item in result.items:
        if isinstance(item["summary"], str):
            item["summary"] = json.loads(item["summary"])
        if reader_role is not None and reader_role not in RESTRICTED_READERS:
            item["summary"] = withhold_restricted(item["summary"])
    return result
