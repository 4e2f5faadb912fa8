"""Small helpers shared by the employers page controllers."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from litestar.datastructures import UploadFile

from core.forms import parse_date as core_parse_date
from employers import facilities as vocab


def parse_date(value: Any, field: str, required: bool = True) -> date | None:
    """Form dates here are required unless said otherwise."""
    return core_parse_date(value, field, required)


def form_of(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()
            if k != "_csrf_token" and not isinstance(v, UploadFile)}


def many(data: Mapping[str, Any], key: str) -> list[str]:
    value = data.get(key, [])
    if isinstance(value, str):
        return [value] if value else []
    return [str(v) for v in value]


async def upload_of(data: Mapping[str, Any], key: str) -> tuple[bytes, str]:
    value = data.get(key)
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, UploadFile) and value.filename:
        return await value.read(), value.filename
    return b"", ""


LABELS = {
    "service_types": vocab.SERVICE_TYPES, "authorities": vocab.AUTHORITIES,
    "class_types": vocab.CLASS_TYPES, "positions": vocab.POSITIONS,
    "employment": vocab.EMPLOYMENT, "employment_forms": vocab.EMPLOYMENT_FORMS,
    "link_status": vocab.LINK_STATUS, "consent": vocab.CONSENT,
    "filing_status": vocab.FILING_STATUS, "filing_states": vocab.FILING_STATES,
}
