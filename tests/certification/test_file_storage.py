"""Certificates and external scans on either file storage (FILE_STORAGE=local or database): the
worker stores the rendered PDF where the setting says, the holder downloads it byte-identical
with its SHA-256, and an operator's uploaded scan downloads as uploaded."""

from __future__ import annotations

import hashlib

from core.settings import get_settings
from core.tables import StoredChunk, StoredFile
from tests.conftest import api_token, login


def kept_where(run, row: StoredFile) -> tuple[bool, bool]:
    """(in the database, on disk) for the contents of ``row``."""
    chunks = run(StoredChunk.count().where(StoredChunk.sha256 == row.sha256))
    return chunks > 0, (get_settings().files_dir / row.path).is_file()


def test_the_rendered_certificate_downloads_from_the_storage(file_storage, client, run, holder,
                                                             issue_skill):
    from certification.jobs import run_pending_jobs
    from certification.tables import CertificateRecord

    cert = issue_skill(holder.id)
    assert run(run_pending_jobs) == 1
    record = run(CertificateRecord.select(CertificateRecord.pdf).where(
        CertificateRecord.credential == cert.id).first)
    row = run(StoredFile.objects().where(StoredFile.id == record["pdf"]).first)
    assert kept_where(run, row) == (file_storage == "database", file_storage == "local")
    response = client.get(f"/api/v1/certificates/{cert.id}/pdf",
                          headers=api_token(client, "wangfang"))
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    assert hashlib.sha256(response.content).hexdigest() == row.sha256
    assert response.headers["x-original-sha256"] == row.sha256


def test_an_uploaded_scan_downloads_as_uploaded(file_storage, client, run, make_user,
                                                make_person):
    from core.tables import Credential

    scan = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    person = make_person("周强")
    make_user("facility_operator", "operator1")
    response = client.post(
        "/api/v1/certification/external/", headers=api_token(client, "operator1"),
        data={"id_type": "居民身份证", "id_number": person.id_number, "name": "周强",
              "code": "SECURITY_LICENSE", "number": "津保1234567", "issuer_name": "天津市公安局",
              "issued_on": "2024-01-10"},
        files={"scan": ("scan.pdf", scan, "application/pdf")})
    assert response.status_code == 201, response.text
    credential = run(Credential.objects().where(Credential.id == response.json()["id"]).first)
    row = run(StoredFile.objects().where(StoredFile.id == credential.scan).first)
    assert kept_where(run, row) == (file_storage == "database", file_storage == "local")
    login(client, "operator1")
    download = client.get(f"/certification/external/{credential.id}/scan")
    assert download.status_code == 200 and download.content == scan
