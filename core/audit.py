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

from core import clock
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


@dataclass(frozen=True)
class AuditFilter:
    actor: str = ""
    entity_type: str = ""
    entity_id: str = ""
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None


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
    where = []
    if filters.actor:
        where.append(AuditLog.actor_name == filters.actor)
    if filters.entity_type:
        where.append(AuditLog.entity_type == filters.entity_type)
    if filters.entity_id:
        where.append(AuditLog.entity_id == filters.entity_id)
    if filters.action:
        where.append(AuditLog.action == filters.action)
    # The days an officer picks are China days: 00:00 China time to the next 00:00.
    if filters.date_from:
        where.append(AuditLog.at >= clock.china_midnight(filters.date_from))
    if filters.date_to:
        where.append(AuditLog.at < clock.china_midnight(filters.date_to + timedelta(days=1)))
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
