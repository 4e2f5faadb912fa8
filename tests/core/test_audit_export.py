"""Officers export the audit log under the page's filters (China days), as the page shows it:
labelled, masked, restricted notes withheld, formula-safe, as XLSX and CSV; every export is
itself audited."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from typing import Any

from openpyxl import load_workbook

from core import audit
from core.actor import Actor
from core.audit_controllers import EXPORT_HEADERS
from core.tables import AuditLog
from tests.conftest import login

ID_NUMBER = "11010519491231002X"
FORMULA = "=HYPERLINK(\"http://evil.example/\",\"点此\")"


def _xlsx(client: Any, **params: str) -> list[dict[str, Any]]:
    response = client.get("/audit/export.xlsx", params=params)
    assert response.status_code == 200, response.text
    assert "attachment" in response.headers["content-disposition"]
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows())
    assert tuple(c.value for c in rows[0]) == EXPORT_HEADERS
    for row in rows:
        for cell in row:
            assert cell.data_type != "f", cell.coordinate
            if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@")):
                assert cell.quotePrefix, cell.coordinate
    return [dict(zip(EXPORT_HEADERS, (c.value for c in r), strict=True)) for r in rows[1:]]


def _csv(client: Any, **params: str) -> list[list[str]]:
    response = client.get("/audit/export.csv", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _summary(row: dict) -> dict:
    value = row["summary"]
    return json.loads(value) if isinstance(value, str) else value


def test_export_follows_the_filters_and_china_days(client, run, make_user, clock):
    make_user("hrss_officer", "auditor")
    # 2026-11-29T17:00Z is 30 November 01:00 in China; 15:59Z is still 29 November.
    for number, instant in enumerate((datetime(2026, 11, 29, 15, 59, tzinfo=UTC),
                                      datetime(2026, 11, 29, 17, 0, tzinfo=UTC),
                                      datetime(2026, 11, 30, 9, 30, tzinfo=UTC)), start=1):
        clock.set_now(instant)
        run(audit.record, Actor(1, "boss", "admin"), "facility.register", "facility", number)
    run(audit.record, Actor(2, "clerk", "hrss_officer"), "user.disable", "user", 9)
    clock.set_now(datetime(2026, 12, 1, 2, 0, tzinfo=UTC))
    login(client, "auditor")

    rows = _xlsx(client, action="facility.register", date_from="2026-11-30",
                 date_to="2026-11-30")
    assert [r["对象"] for r in rows] == ["托育机构 #3", "托育机构 #2"]  # newest first
    assert [r["时间"] for r in rows] == ["2026-11-30 17:30", "2026-11-30 01:00"]
    assert {r["操作"] for r in rows} == {"登记托育机构"}
    assert {r["角色"] for r in rows} == {"系统管理员"}
    assert {r["操作人"] for r in rows} == {"boss"}
    # the same filter on the page lists the same rows
    page = client.get("/audit", params={"action": "facility.register",
                                        "date_from": "2026-11-30", "date_to": "2026-11-30"})
    assert "共 2 条记录" in page.text
    assert "/audit/export.xlsx?" in page.text and "date_from=2026-11-30" in page.text
    assert "action=facility.register" in page.text

    assert len(_xlsx(client, action="facility.register", date_to="2026-11-29")) == 1
    assert [r["操作"] for r in _xlsx(client, actor="clerk")] == ["停用用户"]

    table = _csv(client, action="facility.register", date_from="2026-11-30")
    assert tuple(table[0]) == EXPORT_HEADERS
    assert [r[4] for r in table[1:]] == ["托育机构 #3", "托育机构 #2"]

    # A malformed date is refused like on the page, naming the field; nothing is exported.
    exports = run(AuditLog.count().where(AuditLog.action == "audit.export"))
    bad = client.get("/audit/export.xlsx", params={"date_from": "2026-13-01"})
    assert bad.status_code in (400, 422) and "日期格式应为 YYYY-MM-DD" in bad.text
    assert run(AuditLog.count().where(AuditLog.action == "audit.export")) == exports

    # Every export is audited: who, the filters as read, how many rows, which format.
    audited = run(AuditLog.select().where(AuditLog.action == "audit.export").order_by(
        AuditLog.id))
    assert len(audited) == 4 and {a["actor_name"] for a in audited} == {"auditor"}
    first, *_, last = [_summary(a)["after"] for a in audited]
    assert first == {"filters": "操作 登记托育机构；起始日期 2026-11-30；截止日期 2026-11-30",
                     "rows": 2, "format": "XLSX"}
    assert last == {"filters": "操作 登记托育机构；起始日期 2026-11-30", "rows": 2,
                    "format": "CSV"}
    # and reads as such in the log itself
    page = client.get("/audit", params={"action": "audit.export"})
    assert "导出审计日志" in page.text and "审计日志" in page.text and "行数" in page.text


def test_export_is_masked_as_on_screen(client, run, make_user, make_person):
    make_user("edu_officer", "edu")
    make_user("hrss_officer", "hrss")
    make_user("facility_operator", "op1")
    make_person("王芳", id_number=ID_NUMBER)  # person.create: the ID number masked when written
    run(audit.record, Actor(1, "hrss", "hrss_officer"), "credential.suspended", "credential",
        5, after={"status": "suspended", "public_reason": "复核中",
                  "internal_note": "举报人电话 13900001111"})
    run(audit.record, Actor(3, FORMULA, "admin"), "user.disable", "user", 7, note=FORMULA)

    login(client, "edu")
    rows = _xlsx(client)
    texts = [str(v) for r in rows for v in r.values() if v is not None]
    assert not any(ID_NUMBER in t for t in texts)
    assert any(ID_NUMBER[:4] + "*" in t for t in texts)
    [suspended] = [r for r in rows if r["操作"] == "暂停证书"]
    summary = suspended["变更摘要"]
    assert "（仅人社局可见）" in summary and "13900001111" not in summary
    assert "状态：已暂停；公开原因：“复核中”" in summary and "suspended" not in summary
    [formula] = [r for r in rows if r["操作"] == "停用用户" and r["操作人"] == FORMULA]
    assert formula["变更摘要"] == f"说明：{FORMULA}"
    edu_csv = _csv(client)
    assert not any(ID_NUMBER in cell for row in edu_csv for cell in row)
    actors = [row[1] for row in edu_csv if FORMULA in row[1]]
    assert actors == ["'" + FORMULA]  # the CSV's formula-looking field starts with '


    client.cookies.clear()
    login(client, "hrss")  # 人社局 reads the internal note, as on its page
    [suspended] = [r for r in _xlsx(client, action="credential.suspended")]
    assert "举报人电话" in suspended["变更摘要"]

    client.cookies.clear()
    login(client, "op1")
    assert client.get("/audit/export.xlsx").status_code == 403
    assert client.get("/audit/export.csv").status_code == 403
