"""A certificate shows its state wherever it goes.

Downloads of a suspended, revoked, expired or superseded certificate are copies of the stored PDF
with a stamp (state in Chinese, date of the change, new number when superseded); the stored file
keeps its bytes and SHA-256; a valid certificate downloads byte-identical to the stored original.
A copy is a rewritten file: the clean original cannot be recovered from it (not by cutting at an
``%%EOF``, not from any part or stream of it). The PDFs are read back with poppler's pdftotext.
"""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import subprocess
import tempfile
from datetime import date

import pytest

from tests.conftest import api_token, login

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                reason="poppler-utils not installed (bin/system-deps --tests)")

OFFICER = "officer"


def pdf_text(pdf: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        out = subprocess.run(["pdftotext", "-raw", file.name, "-"], capture_output=True,
                             text=True, check=True, timeout=60).stdout
    return re.sub(r"\s+", "", out)


def page_texts(pdf: bytes) -> list[str]:
    """The text of each page of ``pdf`` (pdftotext, one page at a time)."""
    from pypdf import PdfReader

    count = len(PdfReader(io.BytesIO(pdf)).pages)
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        return [re.sub(r"\s+", "", subprocess.run(
            ["pdftotext", "-raw", "-f", str(n), "-l", str(n), file.name, "-"],
            capture_output=True, text=True, check=True, timeout=60).stdout)
            for n in range(1, count + 1)]


def assert_original_not_recoverable(copy: bytes, original: bytes, sha: str) -> None:
    """No prefix, part or stream of the stamped ``copy`` is the clean ``original`` (SHA ``sha``).

    A copy written as an incremental update began with the original, so
    cutting it at the first ``%%EOF`` gave the clean PDF back."""
    from pypdf import PdfReader
    from pypdf.generic import StreamObject

    assert hashlib.sha256(original).hexdigest() == sha
    assert original not in copy
    assert not copy.startswith(original[:-64])  # not the original with a changed tail either
    for match in re.finditer(rb"%%EOF", copy):
        for end in (match.end(), match.end() + 1, match.end() + 2):  # EOL after the marker
            assert hashlib.sha256(copy[:end]).hexdigest() != sha
    # One body, one cross-reference section: a fresh file, not an update of another one.
    assert copy.count(b"%%EOF") == 1 and copy.count(b"startxref") == 1
    reader = PdfReader(io.BytesIO(copy))
    assert "/Prev" not in reader.trailer
    # No stream inside, decoded, is the original, nor a page's unstamped content stream.
    clean_pages = {page.get_contents().get_data()
                   for page in PdfReader(io.BytesIO(original)).pages}
    streams = 0
    for number in range(1, reader.trailer["/Size"]):
        obj = reader.get_object(number)
        if isinstance(obj, StreamObject):
            streams += 1
            data = obj.get_data()
            assert original not in data and hashlib.sha256(data).hexdigest() != sha
            assert data not in clean_pages
    assert streams > 0


def run_jobs(run):
    from certification.jobs import run_pending_jobs

    return run(run_pending_jobs)


def stored(run, credential_id: int) -> tuple[bytes, str]:
    """The stored PDF's bytes, as read from disk, and the SHA-256 recorded for it."""
    from certification.tables import CertificateRecord
    from core.files import read_file

    row = run(CertificateRecord.select(CertificateRecord.pdf).where(
        CertificateRecord.credential == credential_id).first())
    record, data = run(read_file, row["pdf"])
    return data, record.sha256


@pytest.fixture
def issued(client, run, clock, holder, issue_skill, make_user):
    """王芳's certificate issued and rendered on 2026-06-01."""
    make_user("hrss_officer", OFFICER)
    clock.set_today(date(2026, 6, 1))
    cert = issue_skill(holder.id)
    assert run_jobs(run) == 1
    return cert


def tokens(client):
    """The officer's and 王芳's bearer headers (taken after the clock is set: tokens expire)."""
    return api_token(client, OFFICER), api_token(client, "wangfang")


def download(client, cert, headers):
    response = client.get(f"/api/v1/certificates/{cert.id}/pdf", headers=headers)
    assert response.status_code == 200, response.text
    assert response.content.startswith(b"%PDF-")
    return response


def test_valid_certificate_downloads_the_stored_original(client, run, issued):
    cert = issued
    officer, mine = tokens(client)
    original, sha = stored(run, cert.id)
    for headers in (officer, mine):
        response = download(client, cert, headers)
        assert response.content == original
        assert hashlib.sha256(response.content).hexdigest() == sha
        assert response.headers["x-stamped-copy"] == "0"
        assert response.headers["x-original-sha256"] == sha
        assert response.headers["etag"] == f'"{sha}"'
        assert "已撤销" not in pdf_text(response.content)


@pytest.mark.parametrize(("action", "word", "date_label"), [
    ("suspend", "已暂停", "暂停日期：2026年12月3日"),
    ("revoke", "已撤销", "撤销日期：2026年12月3日"),
])
def test_suspended_and_revoked_downloads_carry_state_and_date(client, run, clock, issued, action,
                                                              word, date_label):
    cert = issued
    original, sha = stored(run, cert.id)
    clock.set_today(date(2026, 12, 3))
    officer, mine = tokens(client)
    response = client.post(f"/api/v1/certification/certificates/{cert.id}/{action}",
                           json={"public_reason": "投诉调查"}, headers=officer)
    assert response.status_code == 200, response.text
    for headers in (mine, officer):
        copy = download(client, cert, headers)
        text = pdf_text(copy.content)
        assert word in text and date_label in text
        assert "加注状态的副本" in text and sha in text
        # The face of the original is still there under the stamp.
        assert cert.number in text and "王芳" in text
        assert_original_not_recoverable(copy.content, original, sha)
        assert copy.headers["x-stamped-copy"] == "1"
        assert copy.headers["x-original-sha256"] == sha
        assert copy.headers["etag"] == f'"{hashlib.sha256(copy.content).hexdigest()}"'
        assert "status-copy" in copy.headers["content-disposition"]
    # The stored original keeps its bytes and its SHA-256.
    assert stored(run, cert.id) == (original, sha)
    assert hashlib.sha256(original).hexdigest() == sha


def test_superseded_download_names_the_new_certificate(client, run, clock, issued):
    cert = issued
    original, sha = stored(run, cert.id)
    clock.set_today(date(2026, 12, 5))
    officer, mine = tokens(client)
    response = client.post(f"/api/v1/certification/certificates/{cert.id}/reissue",
                           json={"kind": "lost", "evidence": "遗失声明"}, headers=officer)
    assert response.status_code == 201, response.text
    new_number = response.json()["number"]
    run_jobs(run)
    copy = download(client, cert, mine).content
    assert_original_not_recoverable(copy, original, sha)
    text = pdf_text(copy)
    assert "王芳" in text and cert.number in text
    assert "已被替代" in text and "替代日期：2026年12月5日" in text
    assert f"新证书编号：{new_number}" in text
    assert stored(run, cert.id) == (original, sha)
    # The new certificate is valid: its download is its own stored original, unstamped.
    new = client.get("/api/v1/me/certificates/", headers=mine).json()
    new_id = next(c["id"] for c in new if c["number"] == new_number)
    fresh = client.get(f"/api/v1/certificates/{new_id}/pdf", headers=mine)
    assert fresh.content == stored(run, new_id)[0]


def test_expired_download_says_expired_with_last_valid_day(client, run, clock, issued):
    from core.tables import Credential

    cert = issued
    original, sha = stored(run, cert.id)
    run(Credential.update({Credential.expires_on: date(2026, 9, 30)}).where(
        Credential.id == cert.id))
    clock.set_today(date(2026, 10, 1))  # expired by date, before the nightly job marks it
    _, mine = tokens(client)
    copy = download(client, cert, mine).content
    assert_original_not_recoverable(copy, original, sha)
    text = pdf_text(copy)
    assert "已过期" in text and "有效期至：2026年9月30日" in text
    assert stored(run, cert.id) == (original, sha)


def test_holder_page_shows_original_sha_and_labels_stamped_copy(client, run, clock, issued):
    cert = issued
    _, sha = stored(run, cert.id)
    login(client, "wangfang")
    page = client.get("/my/certificates/").text
    assert sha in page and "加注状态的副本" not in page
    clock.set_today(date(2026, 12, 3))
    officer, mine = tokens(client)
    login(client, "wangfang")
    client.post(f"/api/v1/certification/certificates/{cert.id}/revoke",
                json={"public_reason": "考试舞弊"}, headers=officer)
    page = client.get("/my/certificates/").text
    assert sha in page and "下载 PDF（加注状态的副本）" in page
    api = client.get("/api/v1/me/certificates/", headers=mine).json()[0]
    assert api["pdf_sha256"] == sha and api["pdf_is_stamped_copy"] is True


def test_cutting_a_revoked_copy_at_any_eof_never_gives_the_clean_pdf(client, run, clock, issued):
    """As an attacker did it: cut the revoked copy at each %%EOF and look for
    the SHA-256 the download announces in X-Original-SHA256."""
    cert = issued
    original, sha = stored(run, cert.id)
    clock.set_today(date(2026, 12, 3))
    officer, mine = tokens(client)
    response = client.post(f"/api/v1/certification/certificates/{cert.id}/revoke",
                           json={"public_reason": "伪造材料"}, headers=officer)
    assert response.status_code == 200, response.text
    copy = download(client, cert, mine)
    data, want = copy.content, copy.headers["x-original-sha256"]
    assert want == sha
    cuts = [data[:m.end()] for m in re.finditer(rb"%%EOF\r?\n?", data)]
    assert cuts and all(hashlib.sha256(cut).hexdigest() != want for cut in cuts)
    assert_original_not_recoverable(data, original, sha)
    assert "已撤销" in pdf_text(cuts[0])  # the first (only) body already carries the stamp


def test_every_page_of_a_multi_page_document_carries_the_stamp():
    """A stored PDF of several pages: the state is on each page's face, the page's own text
    stays, and the copy gives back no part of the original."""
    from certification.stamp import StatusStamp, stamped_copy
    from core.pdf import render_html_to_pdf

    original = render_html_to_pdf(
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>测试</title></head>'
        '<body><p style="page-break-after: always">第一页 王芳</p><p>第二页 李娜</p></body></html>')
    sha = hashlib.sha256(original).hexdigest()
    copy = stamped_copy(original, StatusStamp("suspended", date(2026, 12, 3), sha))
    pages = page_texts(copy)
    assert len(pages) == 2
    for page, own in zip(pages, ("第一页王芳", "第二页李娜"), strict=True):
        assert own in page
        assert "已暂停" in page and "暂停日期：2026年12月3日" in page and sha in page
    assert_original_not_recoverable(copy, original, sha)
