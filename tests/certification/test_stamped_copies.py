"""A certificate shows its state wherever it goes (issue 10, point 6).

Downloads of a suspended, revoked, expired or superseded certificate are copies of the stored PDF
with a stamp (state in Chinese, date of the change, new number when superseded); the stored file
keeps its bytes and SHA-256; a valid certificate downloads byte-identical to the stored original.
The PDFs are read back with poppler's pdftotext.
"""

from __future__ import annotations

import hashlib
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
                           json={"reason": "投诉调查"}, headers=officer)
    assert response.status_code == 200, response.text
    for headers in (mine, officer):
        copy = download(client, cert, headers)
        text = pdf_text(copy.content)
        assert word in text and date_label in text
        assert "加注状态的副本" in text and sha in text
        # The face of the original is still there under the stamp.
        assert cert.number in text and "王芳" in text
        assert copy.content != original and copy.content.startswith(original)
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
    text = pdf_text(download(client, cert, mine).content)
    assert "已被替换" in text and "替换日期：2026年12月5日" in text
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
    text = pdf_text(download(client, cert, mine).content)
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
                json={"reason": "考试舞弊"}, headers=officer)
    page = client.get("/my/certificates/").text
    assert sha in page and "下载 PDF（加注状态的副本）" in page
    api = client.get("/api/v1/me/certificates/", headers=mine).json()[0]
    assert api["pdf_sha256"] == sha and api["pdf_is_stamped_copy"] is True
