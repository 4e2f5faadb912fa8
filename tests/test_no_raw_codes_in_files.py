"""No export or PDF carries a raw code: over the demo data, every export route of the app
(tests/core/test_export_formulas.py finds them) is downloaded by a demo role entitled to it, for
every facility where the route names one, and every filing's PDFs (《托育机构人员配备情况表》 and
the 备案回执) and every certificate's PDF are read; no cell or line may hold a code of the label
table, the catalogue, the staffing rules or the audit events, an internal id (曹琳（s9）) or a
command line. The token rule is the page crawl's (tests/test_no_raw_codes.py).
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import tempfile
from typing import Any

from openpyxl import load_workbook

from tests.conftest import login
from tests.core.test_export_formulas import export_paths
from tests.test_no_raw_codes import (
    COMMAND,
    DEMO_PASSWORD,
    EXEMPT,
    ID_MARK,
    RECORD_NUMBER_PAGES,
    TOKEN,
    URL,
    _codes,
)

ROLES = ("admin", "hrss", "edu", "health", "operator", "provider", "trainee")
# Exports of one upload's results, reachable only after that upload (not in the demo data).
AFTER_AN_UPLOAD = {"/employers/checks/bulk/{token:str}/results.xlsx"}
# A printed verification link wraps: its tail (``…?code=…`` or ``code=…``) is the link itself.
LINK_TAIL = re.compile(r"\S*\?code=\S*|(?<!\S)code=\S+")


def _cells(data: bytes, media_type: str) -> list[str]:
    """Every non-empty cell of an XLSX or CSV file, as text."""
    if "csv" in media_type:
        rows = csv.reader(io.StringIO(data.decode("utf-8-sig")))
        return [cell for row in rows for cell in row if cell]
    book = load_workbook(io.BytesIO(data))
    return [str(cell.value) for sheet in book.worksheets for row in sheet.iter_rows()
            for cell in row if cell.value not in (None, "")]


def _pdf_lines(data: bytes) -> list[str]:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(data)
        file.flush()
        text = subprocess.run(["pdftotext", "-layout", file.name, "-"], capture_output=True,
                              check=True).stdout.decode("utf-8")
    return [LINK_TAIL.sub(" ", line) for line in text.splitlines() if line.strip()]


def _leaks(where: str, path: str, texts: list[str], codes: dict[str, str]) -> list[str]:
    """What of ``texts`` users must not read, one line each (the crawl's rules)."""
    found = []
    for text in texts:
        text = URL.sub(" ", text)
        if re.search(RECORD_NUMBER_PAGES, path):  # the audit log's record numbers (证书 #31)
            text = re.sub(r"#\d+", " ", text)
        for match in TOKEN.finditer(text):
            token = match.group(0)
            if token in codes and not any(re.search(p, path) and token == c for p, c in EXEMPT):
                found.append(f"{where}: {token} ({codes[token]}) «{text[:80]}»")
        for pattern, what in ((ID_MARK, "internal id"), (COMMAND, "developer note")):
            if pattern.search(text):
                found.append(f"{where}: {what} «{text[:80]}»")
    return found


def _get_as_someone(client: Any, path: str) -> Any:
    for username in ROLES:
        client.cookies.clear()
        assert login(client, username, DEMO_PASSWORD).status_code in (302, 303)
        response = client.get(path)
        if response.status_code == 200:
            return response
    return response


def test_no_export_or_pdf_shows_a_raw_code(app, client, run):
    from certification.tables import CertificateRecord
    from core import labels
    from core.demo import seed_demo
    from employers.tables import Facility, Filing

    assert run(seed_demo) is True
    run(labels.refresh_catalogue)
    codes = _codes(run)
    facility_ids = [r["id"] for r in run(Facility.select(Facility.id).order_by(Facility.id))]
    found: list[str] = []
    downloaded = 0
    for template in sorted(export_paths(app) - AFTER_AN_UPLOAD):
        paths = ([template.replace("{facility_id:int}", str(i)) for i in facility_ids]
                 if "{facility_id:int}" in template else [template])
        assert not any("{" in p for p in paths), f"export route with another parameter: {template}"
        answered = 0
        for path in paths:
            response = _get_as_someone(client, path)
            if response.status_code != 200:
                continue
            answered += 1
            downloaded += 1
            texts = _cells(response.content, response.headers.get("content-type", ""))
            found += _leaks(path, path, texts, codes)
        assert answered, f"no demo role could download {template}"

    filings = run(Filing.select(Filing.id, Filing.pdf_file, Filing.receipt_file))
    assert filings, "the demo has filings"
    pdfs = [(f"/employers/filings/{r['id']}/files/{file_id}")
            for r in filings for file_id in (r["pdf_file"], r["receipt_file"]) if file_id]
    certificates = run(CertificateRecord.select(CertificateRecord.credential))
    pdfs += [f"/certificates/{r['credential']}/pdf" for r in certificates]
    if shutil.which("pdftotext"):
        for path in pdfs:
            response = _get_as_someone(client, path)
            assert response.status_code == 200, (path, response.status_code)
            assert response.content.startswith(b"%PDF"), path
            downloaded += 1
            found += _leaks(path, path, _pdf_lines(response.content), codes)
    assert downloaded > 5, downloaded
    assert not found, "raw codes in exports and PDFs:\n" + "\n".join(found)


def test_the_file_rules_find_codes_in_cells_and_lines():
    codes = {"DIRECTOR": "compliance rule", "valid": "label table", "filing.accept": "audit"}
    texts = ["机构负责人", "状态 valid", "filing.accept", "曹琳（s3）没有证书", "python -m x",
             "invalidated", "https://x.example/valid"]
    leaks = _leaks("f", "/x.xlsx", texts, codes)
    assert len(leaks) == 4, leaks
    assert LINK_TAIL.sub(" ", "   code=3H9Q8CSA").strip() == ""
    assert LINK_TAIL.sub(" ", "https://x/verify/N1?code=AB").strip() == ""
    rows = io.StringIO()
    csv.writer(rows).writerows([["状态"], ["valid"]])
    assert _cells(rows.getvalue().encode("utf-8-sig"), "text/csv") == ["状态", "valid"]
