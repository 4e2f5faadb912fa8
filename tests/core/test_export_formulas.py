"""No export carries a live formula.

Every export route of the app (found by walking its routes: a path ending in .xlsx / .csv, plus
the two that answer with those media types under another path) is downloaded by a role entitled
to it after formula-like names and a formula-like suspension reason were stored; no cell of the
file is a formula, and the seeded text comes back as quote-prefixed text (a CSV's with a leading
apostrophe).
"""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from typing import Any

import pytest
from openpyxl import load_workbook

from core.reporting.exports import (
    FORMULA_START,
    csv_bytes,
    csv_cell,
    is_formula_like,
    workbook_bytes,
)
from core.reporting.exports import Sheet as ExportSheet
from tests.certification.conftest import issue_skill  # noqa: F401 - fixture
from tests.conftest import api_token, csrf_token, login
from tests.employers.labour.conftest import labour_world, minimum_wages  # noqa: F401 - fixtures

REASON = '=HYPERLINK("http://evil.example/","点此查看")'
HOLDER = "=1+1"
FACILITY = "+SUM(1,2)"
STREET = "@SUM(1,2)"
# Exports that answer under another path (media type, not suffix): checked by unit tests below.
OTHER_EXPORTS = {
    "/training/provider/exams/{session_id:int}/template/{ext:str}",  # blank template, no data
    "/training/provider/exams/{session_id:int}/uploads/{upload_id:int}/feedback",
}
# Dashboards hold counts per catalogue name: checked for formulas, the seed does not reach them.
COUNTS_ONLY = {"/dashboards/edu.xlsx", "/dashboards/health.xlsx", "/dashboards/hrss.xlsx"}
# The audit log's exports show the seeded reason inside a summary cell (公开原因 =HYPERLINK…).
SEEDED_WITHIN = {"/audit/export.xlsx", "/audit/export.csv"}
# A bulk check's download exists only in the session that ran the check: downloaded there.
BULK_CHECK = "/employers/checks/bulk/{token:str}/results.xlsx"
ROLES = ("hrss_officer", "edu_officer", "health_reviewer", "admin")


def export_paths(app: Any) -> set[str]:
    """Every GET route whose path ends in .xlsx or .csv."""
    return {route.path for route in app.routes
            if route.path.endswith((".xlsx", ".csv"))
            and any("GET" in h.http_methods for h in getattr(route, "route_handlers", []))}


def assert_no_formula(data: bytes) -> list[str]:
    """Every cell's text; fails on any formula cell or unprotected formula-like text."""
    book = load_workbook(io.BytesIO(data))
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if is_formula_like(cell.value):
                    assert cell.quotePrefix, (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
    return texts


def assert_no_formula_csv(data: bytes) -> list[str]:
    """Every field's text (a leading apostrophe removed); fails on formula-like text without
    the apostrophe."""
    texts = []
    for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))):
        for field in row:
            if field.startswith("'") and is_formula_like(field[1:]):
                field = field[1:]
            else:
                assert not is_formula_like(field), field
            texts.append(field)
    return texts


def test_every_export_route_is_known(app) -> None:
    found = export_paths(app)
    assert found >= {"/certification/certificates/export.xlsx", "/employers/facilities/export.xlsx",
                     "/labour/findings.xlsx", "/audit/export.xlsx", "/audit/export.csv",
                     BULK_CHECK}
    every = {route.path for route in app.routes}
    assert every >= OTHER_EXPORTS


def test_no_export_route_writes_a_live_formula(app, client, run, make_user, labour_world,  # noqa: F811
                                               issue_skill, make_credential) -> None:  # noqa: F811
    from certification.tables import CertificateRecord
    from core.clock import today
    from core.tables import Person
    from employers.tables import Facility

    day = today()
    world = labour_world(start=day - timedelta(days=90), accepted=True)
    operator = api_token(client, world.operator)
    month = (day.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    wage = client.post(f"/api/v1/labour/staff/{world.link_id}/wages", headers=operator,
                       json={"month": month, "gross_fen": 200000, "countable_fen": 200000})
    assert wage.status_code in (200, 201), wage.text
    cert = issue_skill(world.person_id)
    checked = {}
    # The operator's bulk check of their (consenting) employee shows a formula-like number.
    make_credential(world.person_id, "MENTAL_HEALTH_TRAINING", number=FACILITY)
    login(client, world.operator)
    page = client.post("/employers/checks/bulk", data={
        "_csrf_token": csrf_token(client), "bulk_reason": "核验"}, files={"file": (
            "名单.csv", f"居民身份证,{world.id_number},{world.name}\n".encode(), "text/csv")})
    download = re.search(r'href="(/employers/checks/bulk/[^"/]+/results\.xlsx)"', page.text)
    assert download, page.text
    response = client.get(download.group(1))
    assert response.status_code == 200
    # one row per person: the number is one line of the person's 证书编号 cell
    checked[BULK_CHECK] = {FACILITY for text in assert_no_formula(response.content)
                           if FACILITY in text.split("\n")}
    assert checked[BULK_CHECK] == {FACILITY}
    for role in ROLES:
        make_user(role, role)
    hrss = api_token(client, "hrss_officer")
    suspended = client.post(f"/api/v1/certification/certificates/{cert.id}/suspend",
                            json={"public_reason": REASON}, headers=hrss)
    assert suspended.status_code == 200, suspended.text
    run(Person.update({Person.name: HOLDER}).where(Person.id == world.person_id))
    run(CertificateRecord.update({CertificateRecord.holder_name: HOLDER}).where(
        CertificateRecord.credential == cert.id))
    run(Facility.update({Facility.name: FACILITY, Facility.street: STREET}).where(
        Facility.id == world.facility_id))

    for template in sorted(export_paths(app) - {BULK_CHECK}):
        path = template.replace("{facility_id:int}", str(world.facility_id))
        for user in (*ROLES, world.operator):
            client.cookies.clear()
            login(client, user)
            response = client.get(path)
            if response.status_code == 200:
                break
        assert response.status_code == 200, (path, response.status_code)
        texts = (assert_no_formula_csv(response.content) if template.endswith(".csv")
                 else assert_no_formula(response.content))
        seeded = {t for t in texts if t in (REASON, HOLDER, FACILITY, STREET)}
        if template in SEEDED_WITHIN:
            seeded = {s for s in (REASON, HOLDER, FACILITY, STREET) if any(s in t for t in texts)}
        if template not in COUNTS_ONLY:
            assert seeded, (path, texts[:20])
        checked[template] = seeded
    assert REASON in checked["/certification/certificates/export.xlsx"]
    assert HOLDER in checked["/certification/certificates/export.xlsx"]
    assert FACILITY in checked["/employers/facilities/export.xlsx"]
    assert REASON in checked["/audit/export.xlsx"] and REASON in checked["/audit/export.csv"]


@pytest.mark.parametrize("start", FORMULA_START)
def test_the_writer_keeps_the_text_and_never_a_formula(start: str) -> None:
    value = start + "HYPERLINK(1)"
    data = workbook_bytes([ExportSheet("表", ["列", start + "头"], [[value, 1, None]])])
    ws = load_workbook(io.BytesIO(data)).active
    assert ws["A2"].value == value and ws["A2"].data_type == "s" and ws["A2"].quotePrefix
    assert ws["B1"].data_type == "s" and ws["B2"].value == 1
    assert_no_formula(data)
    rows = list(csv.reader(io.StringIO(csv_bytes(["列"], [[value]]).decode("utf-8-sig"))))
    assert rows == [["列"], ["'" + value]]
    assert csv_cell("王芳") == "王芳" and csv_cell(-1.5) == "-1.5"


def test_results_feedback_cells_written_by_the_app_are_not_formulas() -> None:
    from training.results_feedback import error_list_xlsx
    from training.results_file import RowError

    data = error_list_xlsx([RowError(2, "=姓名", "=HYPERLINK(1)"), RowError(None, None, "+1")])
    texts = assert_no_formula(data)
    assert "=HYPERLINK(1)" in texts and "+1" in texts
