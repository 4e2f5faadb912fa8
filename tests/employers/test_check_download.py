"""An operator's bulk credential check downloads as XLSX: what the results page showed for each
person and no more (never an ID number; 未获授权——仅显示公开查验结果 without consent), labelled,
formula-safe, and every download audited."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from openpyxl import load_workbook

from core.levels import level_label
from core.reporting.exports import XLSX_MEDIA_TYPE
from core.tables import AuditLog, Person
from employers.services.checks import EXPORT_HEADERS
from tests.conftest import csrf_token, login
from tests.employers.conftest import link, record_check, register

CERT_A = "S0601120000012640001"
CERT_B = "S0601120000012640002"
FORMULA = "=HYPERLINK(\"http://evil.example/\",\"点此\")"
NOT_CONSENTED = "未获授权——仅显示公开查验结果"
UNKNOWN_ID = "11010519491231002X"


def _id_of(run: Callable, person_id: int) -> str:
    return run(Person.select(Person.id_number).where(Person.id == person_id).first)[
        "id_number"]


def _bulk(client: Any, lines: list[str], reason: str = "招聘前核验") -> Any:
    body = ("证件类型,证件号码,姓名,证书编号\n" + "\n".join(lines) + "\n").encode()
    return client.post("/employers/checks/bulk",
                       data={"_csrf_token": csrf_token(client), "bulk_reason": reason},
                       files={"file": ("名单.csv", body, "text/csv")})


def _download_link(page: str) -> str:
    found = re.search(r'href="(/employers/checks/bulk/[^"/]+/results\.xlsx)"', page)
    assert found, "no download link on the results page"
    return found.group(1)


def _sheet(content: bytes) -> Any:
    return load_workbook(io.BytesIO(content)).active


def test_bulk_check_downloads_what_the_page_shows(client, operator, make_user,
                                                  make_credential, run):
    fid = register(client, operator)
    consented = link(client, operator, fid, "赵雪", ["caregiver"])
    pending = link(client, operator, fid, "钱丽", ["caregiver"], consent=False)
    make_credential(consented["person_id"], "CHILDCARE_WORKER", level=4, number=CERT_A,
                    issued_on=date(2025, 6, 1), expires_on=date(2030, 5, 31))
    make_credential(consented["person_id"], "MENTAL_HEALTH_TRAINING", number=FORMULA)
    assert record_check(client, operator, consented["id"], "HEALTH_CERT",
                        "pass").status_code == 201
    make_credential(pending["person_id"], "CHILDCARE_WORKER", level=3, number=CERT_B,
                    issued_on=date(2025, 6, 1), expires_on=date(2030, 5, 31))
    id_a, id_b = _id_of(run, consented["person_id"]), _id_of(run, pending["person_id"])

    login(client, "op1")
    page = _bulk(client, [f"居民身份证,{id_a},赵雪,", f"居民身份证,{id_b},钱丽,{CERT_B}",
                          f"居民身份证,{UNKNOWN_ID},孙倩,", "居民身份证,12345,周敏,"])
    assert page.status_code == 200, page.text
    response = client.get(_download_link(page.text))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(XLSX_MEDIA_TYPE)
    assert "attachment" in response.headers["content-disposition"]
    ws = _sheet(response.content)
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert tuple(rows[0]) == EXPORT_HEADERS
    data = [dict(zip(EXPORT_HEADERS, r, strict=True)) for r in rows[1:]]

    # Row 2: with consent, one row for the person: every credential the page listed, one line
    # each in the credential cells (the same order in every cell), labelled.
    [mine] = [r for r in data if r["行号"] == 2]
    assert mine["姓名"] == "赵雪" and mine["核查结果"] == "已授权：显示全部记录"
    columns = ("资质", "等级", "证书编号", "状态", "有效期至", "今日是否有效")
    lines = [dict(zip(columns, values, strict=True))
             for values in zip(*(str(mine[c]).split("\n") for c in columns), strict=True)]
    assert len(lines) == 3
    by_number = {line["证书编号"]: line for line in lines}
    worker = by_number[CERT_A]
    assert worker["资质"] == "保育师" and worker["等级"] == level_label(4) == "四级/中级工"
    assert (worker["状态"], worker["有效期至"], worker["今日是否有效"]) == (
        "有效", "2030-05-31", "有效")
    assert any(FORMULA in number for number in by_number)  # the formula-looking number, as text
    assert any("健康" in line["资质"] for line in lines)

    # Row 3: no consent: the public result only, the name masked as on the page.
    [public] = [r for r in data if r["行号"] == 3]
    assert public["核查结果"] == NOT_CONSENTED and public["姓名"] == "钱*"
    assert (public["证书编号"], public["等级"], public["状态"]) == (CERT_B, "三级/高级工", "有效")
    assert public["说明"] == "未获本人授权（无在职关联或同意），仅显示公开查验结果"
    assert public["说明"] in page.text

    # Row 4: nobody found: not consented, nothing shown. Row 5: a wrong ID number.
    [nobody] = [r for r in data if r["行号"] == 4]
    assert nobody["核查结果"] == NOT_CONSENTED and nobody["姓名"] == "孙*"
    assert nobody["资质"] in (None, "") and nobody["证书编号"] in (None, "")
    [invalid] = [r for r in data if r["行号"] == 5]
    assert invalid["核查结果"] == "数据有误" and invalid["说明"] and invalid["说明"] in page.text
    assert len(data) == 4  # one row per person of the list

    # No more than the page: no ID number, no code, no formula.
    texts = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    for secret in (id_a, id_b, UNKNOWN_ID, id_a[-8:]):
        assert not any(secret in t for t in texts), secret
    for code in ("CHILDCARE_WORKER", "HEALTH_CERT", "valid", "consent", "public"):
        assert code not in texts
    cells = [c for row in ws.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    [formula_cell] = [c for c in cells
                      if isinstance(c.value, str) and FORMULA in c.value.split("\n")]
    assert formula_cell.data_type == "s"  # text; protected when it would start a formula
    assert formula_cell.quotePrefix or not formula_cell.value.startswith("=")

    # The download is audited: who, the check's reason, how many.
    rows_audited = run(AuditLog.select().where(AuditLog.action == "credential_check.export"))
    assert len(rows_audited) == 1
    entry = rows_audited[0]
    summary = entry["summary"]
    if isinstance(summary, str):
        import json

        summary = json.loads(summary)
    assert entry["actor_name"] == "op1"
    assert summary["after"] == {"reason": "招聘前核验", "persons": 4, "rows": 4,
                                "format": "XLSX"}


def test_the_download_is_this_sessions_own(client, operator, make_user, run):
    make_user("facility_operator", "op2")
    make_user("hrss_officer", "hrss")
    login(client, "op1")
    page = _bulk(client, [f"居民身份证,{UNKNOWN_ID},孙倩,"])
    path = _download_link(page.text)
    assert client.get(path).status_code == 200
    assert client.get("/employers/checks/bulk/nosuchtoken/results.xlsx").status_code == 404

    client.cookies.clear()
    login(client, "op2")  # another operator's session never holds op1's results
    assert client.get(path).status_code == 404
    client.cookies.clear()
    login(client, "hrss")
    assert client.get(path).status_code == 403
    assert run(AuditLog.count().where(AuditLog.action == "credential_check.export")) == 1


def test_only_the_last_checks_are_kept(client, operator):
    login(client, "op1")
    paths = [_download_link(_bulk(client, [f"居民身份证,{UNKNOWN_ID},孙倩,"],
                                  reason=f"第{i}次").text) for i in range(4)]
    assert client.get(paths[0]).status_code == 404  # the oldest of four is dropped
    for path in paths[1:]:
        assert client.get(path).status_code == 200
    assert "下载核查结果" not in client.get("/employers/checks").text
