"""XLSX exports for officers; codes written as the one label table (core.labels) names them."""

from __future__ import annotations

from typing import Any

from core.labels import label
from core.reporting.exports import Sheet, workbook_bytes

HEADER = ["机构名称", "统一社会信用代码", "街镇", "地址", "服务类型", "核定托位数", "幼儿园托班",
          "人员配备", "备案状态"]


def _row(r: dict[str, Any]) -> list[Any]:
    compliant = "—" if r.get("compliant") is None else ("达标" if r["compliant"] else "不达标")
    return [r["name"], r["uscc"], r["street"], r["address"],
            "、".join(label("service_type", t) for t in r["service_types"]),
            r["capacity"], "是" if r["is_kindergarten_with_toddler_class"] else "否",
            compliant, label("filing_status", r["filing_status"])]


def facilities_xlsx(rows: list[dict[str, Any]]) -> bytes:
    return workbook_bytes([Sheet("托育机构", HEADER, (_row(r) for r in rows))])
