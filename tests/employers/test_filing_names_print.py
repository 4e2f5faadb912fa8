"""Filing PDFs print names as written: a staff name outside Noto CJK
(吴𠀀镕, U+20000) prints with the fallback font; a character no document font covers refuses the
filing with a message naming field and character, and nothing is written."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile

import pytest

from tests.employers.conftest import documents, link

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                reason="poppler-utils not installed (bin/system-deps --tests)")

EXT_B_NAME = "吴\U00020000镕"
NO_FONT = "\U000F0000"  # plane-15 private use: in no document font


def _poppler(tool: str, pdf: bytes, *args: str) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        command = [tool, *args, file.name] + (["-"] if tool == "pdftotext" else [])
        return subprocess.run(command, capture_output=True, text=True, check=True,
                              timeout=60).stdout


def test_filing_prints_extension_b_names_and_refuses_unprintable(client, run, operator, staffed):
    from core.files import read_file
    from employers.tables import Filing

    facility = staffed()
    fid = facility["id"]
    link(client, operator, fid, EXT_B_NAME, ["security"], education="secondary")

    refused = client.post(f"/api/v1/facilities/{fid}/filings", headers=operator,
                          files=documents(), data={"explanation": f"人员{NO_FONT}变动说明"})
    assert refused.status_code == 422, refused.text
    assert refused.json()["detail"] == (
        f"书面说明中的字符 “{NO_FONT}”（U+F0000）无可用字体，无法打印")
    assert run(Filing.count()) == 0
    assert client.get(f"/api/v1/facilities/{fid}", headers=operator).json()[
        "filing_status"] != "submitted"

    filed = client.post(f"/api/v1/facilities/{fid}/filings", headers=operator,
                        files=documents(), data={"explanation": "新增安保人员"})
    assert filed.status_code == 201, filed.text
    row = run(Filing.select(Filing.pdf_file).first())
    _, pdf = run(read_file, row["pdf_file"])
    assert EXT_B_NAME in re.sub(r"\s+", "", _poppler("pdftotext", pdf, "-raw"))
    assert "HanaMin" in _poppler("pdffonts", pdf)
