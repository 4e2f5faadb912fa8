"""Jinja2 filters shared by every page: masking, dates, labels."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from litestar.plugins.jinja import JinjaTemplateEngine
from markupsafe import Markup, escape

from core.identity import mask_id_number, mask_name, mask_phone
from core.labels import audit_sentences, label, labels_of
from core.levels import level_choices, level_label

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def fmt_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


# A date or month as Chinese prose writes it (2026年1月5日, 2026年1月) or as the pages print
# it (2026-01-05).
CN_DATE = re.compile(r"\d{4}年\d{1,2}月(?:\d{1,2}日)?|\d{4}-\d{2}-\d{2}")


def keep_dates(text: object) -> Markup:
    """``{{ finding.message | keep_dates }}``: the text escaped, each date in it
    (``2026年11月30日``, ``2026年11月``, ``2026-11-30``) kept on one line
    (``<span class="nowrap">``), so a narrow column never breaks a date in two."""
    escaped = str(escape("" if text is None else text))
    return Markup(CN_DATE.sub(lambda m: f'<span class="nowrap">{m.group(0)}</span>', escaped))


def fmt_yuan(fen: int | None) -> str:
    return "" if fen is None else f"{fen / 100:,.2f}"


def fmt_json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def role_label(value: str) -> str:
    return label("role", value)


def label_filter(code: object, kind: str) -> str:
    """``{{ code | label("credential_status") }}``: core.labels.label with the code first."""
    return label(kind, code)


def configure(engine: JinjaTemplateEngine) -> None:
    env = engine.engine
    env.filters.update(
        mask_id=mask_id_number,
        mask_name=mask_name,
        mask_phone=mask_phone,
        datefmt=fmt_date,
        keep_dates=keep_dates,
        yuan=fmt_yuan,
        json=fmt_json,
        role_label=role_label,
        status_label=lambda s: label("credential_status", s),
        education_label=lambda e: label("education", e),
        label=label_filter,
    )
    env.globals.update(label=label, labels_of=labels_of,  # label(kind, code): core.labels
                       audit_sentences=audit_sentences)
    env.filters["level_label"] = level_label  # {{ 4 | level_label }} → 四级/中级工
    env.globals["level_choices"] = level_choices  # ("5", "五级/初级工") … for level filters
    env.globals["product_name"] = "托育从业人员培训与认证平台"
