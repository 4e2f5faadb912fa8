"""XLSX exports for officers (openpyxl)."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook

from employers.facilities import FILING_STATUS, SERVICE_TYPES

HEADER = ["机构名称", "统一社会信用代码", "街镇", "地址", "服务类型", "核定托位数", "幼儿园托班",
          "人员配备", "备案状态"]


def facilities_xlsx(rows: list[dict[str, Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "托育机构"
    sheet.append(HEADER)
    for r in rows:
        compliant = "—" if r.get("compliant") is None else ("达标" if r["compliant"] else "不达标")
        sheet.append([r["name"], r["uscc"], r["street"], r["address"],
                      "、".join(SERVICE_TYPES.get(t, t) for t in r["service_types"]),
                      r["capacity"], "是" if r["is_kindergarten_with_toddler_class"] else "否",
                      compliant, FILING_STATUS.get(r["filing_status"], r["filing_status"])])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
