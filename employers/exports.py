"""XLSX exports for officers; codes written as the one label table (core.labels) names them."""

from __future__ import annotations

from typing import Any

from core.labels import label
from core.reporting.exports import Sheet, workbook_bytes
from employers.services.facilities import FacilityListing

HEADER = ["机构名称", "统一社会信用代码", "街镇", "地址", "服务类型", "核定托位数", "幼儿园托班",
          "人员配备", "备案状态"]


def _row(r: FacilityListing) -> list[Any]:
    compliant = "—" if r.compliant is None else ("达标" if r.compliant else "不达标")
    return [r.name, r.uscc, r.street, r.address,
            "、".join(label("service_type", t) for t in r.service_types),
            r.capacity, "是" if r.is_kindergarten_with_toddler_class else "否",
            compliant, label("filing_status", r.filing_status)]


def facilities_xlsx(rows: list[FacilityListing]) -> bytes:
    """The facility list as XLSX (HEADER): one row per facility, codes as labels."""
    return workbook_bytes([Sheet("托育机构", HEADER, (_row(r) for r in rows))])
