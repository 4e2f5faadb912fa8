"""Jinja2 filters shared by every page: masking, dates, labels."""

from __future__ import annotations

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

from litestar.plugins.jinja import JinjaTemplateEngine

from core.credentials import STATUS_LABELS
from core.identity import mask_id_number, mask_name, mask_phone
from core.people import EDUCATION_LABELS
from core.roles import Role

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def fmt_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def fmt_yuan(fen: int | None) -> str:
    return "" if fen is None else f"{fen / 100:,.2f}"


def fmt_json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def role_label(value: str) -> str:
    try:
        return Role(value).label
    except ValueError:
        return {"system": "系统", "anonymous": "访客"}.get(value, value)


def configure(engine: JinjaTemplateEngine) -> None:
    env = engine.engine
    env.filters.update(
        mask_id=mask_id_number,
        mask_name=mask_name,
        mask_phone=mask_phone,
        datefmt=fmt_date,
        yuan=fmt_yuan,
        json=fmt_json,
        role_label=role_label,
        status_label=lambda s: STATUS_LABELS.get(s, s),
        education_label=lambda e: EDUCATION_LABELS.get(e or "", e or ""),
    )
    env.globals["product_name"] = "托育从业人员培训与认证平台"
