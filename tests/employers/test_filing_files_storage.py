"""A filing's documents upload and download through HTTP the same on either file storage
(FILE_STORAGE=local or database): the download is streamed piece by piece, byte-identical to
the upload, and a damaged file answers 404 文件已损坏 before anything is sent."""

from __future__ import annotations

import hashlib

from core import storage
from core.settings import get_settings
from core.tables import StoredChunk, StoredFile
from tests.conftest import login
from tests.employers.conftest import PDF

KINDS = ("licence", "premises", "health_evaluation", "fire_safety")
# A licence scan of three pieces in the database (a long comment line after the PDF header).
HEADER = b"%PDF-1.7\n"
LARGE = HEADER + b"%" + b"x" * (2 * storage.CHUNK_BYTES + 500) + b"\n" + PDF[len(HEADER):]


def test_filing_documents_round_trip_through_http(file_storage, client, operator, reviewer,
                                                  staffed, run):
    fid = staffed()["id"]
    contents = {kind: PDF + f"% {kind}\n".encode() for kind in KINDS} | {"licence": LARGE}
    r = client.post(f"/api/v1/facilities/{fid}/filings", headers=operator,
                    files={k: (f"{k}.pdf", v, "application/pdf") for k, v in contents.items()})
    assert r.status_code == 201, r.text
    filing = r.json()
    licence = run(StoredFile.objects().where(
        StoredFile.sha256 == hashlib.sha256(LARGE).hexdigest()).first)
    held = run(StoredChunk.count().where(StoredChunk.sha256 == licence.sha256))
    assert held == (3 if file_storage == "database" else 0)
    assert (get_settings().files_dir / licence.path).is_file() == (file_storage == "local")

    login(client, "op1")
    url = f"/employers/filings/{filing['id']}/files/{licence.id}"
    response = client.get(url)
    assert response.status_code == 200 and response.content == LARGE
    assert response.headers["content-type"].startswith("application/pdf")
    v = client.get(f"/api/v1/filings/{filing['id']}/verify", headers=reviewer).json()
    assert v["files_ok"], v

    if file_storage == "database":
        run(StoredChunk.update({StoredChunk.data: b"tampered"}).where(
            (StoredChunk.sha256 == licence.sha256) & (StoredChunk.seq == 0)))
    else:
        (get_settings().files_dir / licence.path).write_bytes(b"%PDF-tampered")
    damaged = client.get(url)
    assert damaged.status_code == 404 and "文件已损坏" in damaged.text
