"""A returned filing keeps its documents: the resubmission form shows what was uploaded, the
operator replaces only what changed, and the packet and its signature cover the final set."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from employers.services import signing
from employers.services.filings import packet_of
from employers.tables import Facility, Filing
from tests.conftest import csrf_token, login
from tests.employers.conftest import PDF

KINDS = ("licence", "premises", "health_evaluation", "fire_safety")


def pdf(tag: str) -> bytes:
    """A small PDF whose bytes (and SHA-256) differ by ``tag``."""
    return PDF + f"% {tag}\n".encode()


def files_of(**overrides: bytes) -> dict[str, tuple[str, bytes, str]]:
    contents = {**{kind: pdf(kind) for kind in KINDS}, **overrides}
    return {kind: (f"{kind}.pdf", data, "application/pdf") for kind, data in contents.items()}


def filing_row(run: Callable, filing_id: int) -> Filing:
    return run(Filing.objects().output(load_json=True).where(Filing.id == filing_id).first)


def submit_and_return(client: Any, operator: dict, reviewer: dict, fid: int,
                      **extra: bytes) -> dict:
    r = client.post(f"/api/v1/facilities/{fid}/filings", headers=operator,
                    files=files_of(**extra))
    assert r.status_code == 201, r.text
    first = r.json()
    r = client.post(f"/api/v1/filings/{first['id']}/return", headers=reviewer,
                    json={"reasons": "消防证明已过期，请补充"})
    assert r.status_code == 200, r.text
    return first


def resubmit_page(client: Any, fid: int, data: dict | None = None,
                  files: dict | None = None) -> Any:
    login(client, "op1")
    return client.post(f"/employers/facilities/{fid}/filings",
                       data={"_csrf_token": csrf_token(client), **(data or {})},
                       files=files or {}, follow_redirects=False)


def assert_signed_over_final_set(client: Any, reviewer: dict, run: Callable,
                                 row: Filing) -> None:
    packet = packet_of(row)
    assert packet["documents"] == row.documents
    assert signing.packet_hash(packet) == row.packet_sha256
    assert run(signing.verify, row.packet_sha256, row.signature, row.key_ref)
    v = client.get(f"/api/v1/filings/{row.id}/verify", headers=reviewer).json()
    assert v["valid"] and v["hash_ok"] and v["signature_ok"] and v["files_ok"], v


def test_resubmission_replaces_one_document_and_keeps_three(client, operator, reviewer,
                                                            staffed, run):
    fid = staffed()["id"]
    first = submit_and_return(client, operator, reviewer, fid)
    old = filing_row(run, first["id"])

    # The resubmission form shows the documents already uploaded, each one replaceable.
    login(client, "op1")
    page = client.get(f"/employers/facilities/{fid}")
    assert page.status_code == 200
    assert f"第 {first['id']} 号备案已上传的材料将沿用" in page.text
    for kind in KINDS:
        assert f'data-kept="{kind}"' in page.text and f"{kind}.pdf" in page.text
        entry = old.documents[kind][0]
        assert f"/employers/filings/{first['id']}/files/{entry['file_id']}" in page.text
    assert 'name="fire_safety"' in page.text and "不选则沿用" in page.text

    new_fire = pdf("fire_safety renewed")
    r = resubmit_page(client, fid, files={
        "fire_safety": ("消防检查合格证明-新.pdf", new_fire, "application/pdf")})
    assert r.status_code in (302, 303), r.text
    second_id = run(Filing.select(Filing.id).where(Filing.facility == fid).order_by(
        Filing.id, ascending=False).first)["id"]
    row = filing_row(run, second_id)
    assert row.state == "submitted" and row.previous_id == first["id"]

    # The packet lists the four kinds (plus the generated staffing form): three old stored
    # files, one new.
    assert set(row.documents) == {*KINDS, "staffing_form"}
    for kind in ("licence", "premises", "health_evaluation"):
        [entry] = row.documents[kind]
        [before] = old.documents[kind]
        assert (entry["file_id"], entry["sha256"], entry["name"]) == (
            before["file_id"], before["sha256"], before["name"])
        assert entry["from_filing"] == first["id"]
    [fire] = row.documents["fire_safety"]
    assert fire["file_id"] != old.documents["fire_safety"][0]["file_id"]
    assert fire["sha256"] == hashlib.sha256(new_fire).hexdigest()
    assert fire["name"] == "消防检查合格证明-新.pdf" and "from_filing" not in fire
    assert_signed_over_final_set(client, reviewer, run, row)

    # The kept files are the new filing's files: listed on its page and downloadable from it.
    detail = client.get(f"/employers/filings/{second_id}")
    assert detail.status_code == 200
    assert f"沿用第 {first['id']} 号备案的材料" in detail.text
    kept = client.get(f"/employers/filings/{second_id}/files/"
                      f"{row.documents['licence'][0]['file_id']}")
    assert kept.status_code == 200 and kept.content == pdf("licence")

    # Accepting it issues the receipt over that same packet.
    r = client.post(f"/api/v1/filings/{second_id}/accept", headers=reviewer)
    assert r.status_code == 200 and r.json()["packet_sha256"] == row.packet_sha256


def test_resubmission_replacing_nothing_keeps_every_document(client, operator, reviewer,
                                                             staffed, run):
    fid = staffed()["id"]
    first = submit_and_return(client, operator, reviewer, fid)
    old = filing_row(run, first["id"])
    r = client.post(f"/api/v1/facilities/{fid}/filings", headers=operator,
                    files={"explanation": (None, "")})  # multipart with no file
    assert r.status_code == 201, r.text
    second = r.json()
    assert second["previous_id"] == first["id"]
    row = filing_row(run, second["id"])
    for kind in KINDS:
        assert [(e["file_id"], e["sha256"]) for e in row.documents[kind]] == [
            (e["file_id"], e["sha256"]) for e in old.documents[kind]]
    # a new staffing form is generated for the new snapshot
    assert row.documents["staffing_form"][0]["file_id"] != (
        old.documents["staffing_form"][0]["file_id"])
    assert row.packet_sha256 != old.packet_sha256
    assert_signed_over_final_set(client, reviewer, run, row)


def test_an_optional_document_can_be_left_out_and_a_required_one_cannot(client, operator,
                                                                        reviewer, staffed,
                                                                        run):
    fid = staffed()["id"]
    first = submit_and_return(client, operator, reviewer, fid, other=pdf("other"))
    assert "other" in filing_row(run, first["id"]).documents
    login(client, "op1")
    page = client.get(f"/employers/facilities/{fid}")
    assert 'name="drop_other"' in page.text and 'name="drop_licence"' not in page.text

    # Leaving out a required kind is refused, naming the field; nothing is written.
    filings_before = run(Filing.count)
    r = resubmit_page(client, fid, data={"drop_licence": "1"})
    assert r.status_code == 422
    assert "请上传营业执照或事业单位/社会组织法人登记证书" in r.text
    assert 'href="#licence"' in r.text
    assert run(Filing.count) == filings_before
    status = run(Facility.select(Facility.filing_status).where(Facility.id == fid).first)
    assert status["filing_status"] == "returned"

    # The optional kind is left out; the rest is kept.
    r = resubmit_page(client, fid, data={"drop_other": "1"})
    assert r.status_code in (302, 303), r.text
    latest = run(Filing.select(Filing.id).where(Filing.facility == fid).order_by(
        Filing.id, ascending=False).first)["id"]
    row = filing_row(run, latest)
    assert set(row.documents) == {*KINDS, "staffing_form"}
    assert_signed_over_final_set(client, reviewer, run, row)


def test_a_required_kind_the_returned_filing_lacks_must_be_uploaded(client, operator,
                                                                    reviewer, staffed, run):
    fid = staffed()["id"]
    first = submit_and_return(client, operator, reviewer, fid)
    # A filing returned before fire safety was a required document (the rules' older edition).
    old = filing_row(run, first["id"])
    documents = {k: v for k, v in old.documents.items() if k != "fire_safety"}
    run(Filing.update({Filing.documents: documents}).where(Filing.id == first["id"]))
    filings_before = run(Filing.count)
    r = client.post(f"/api/v1/facilities/{fid}/filings", headers=operator,
                    files={"explanation": (None, "")})  # multipart with no file
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "fire_safety" and "消防安全证明" in r.json()["detail"]
    assert run(Filing.count) == filings_before
    r = client.post(f"/api/v1/facilities/{fid}/filings", headers=operator, files={
        "fire_safety": ("fire.pdf", pdf("fire"), "application/pdf")})
    assert r.status_code == 201, r.text
    row = filing_row(run, r.json()["id"])
    assert row.documents["licence"][0]["file_id"] == old.documents["licence"][0]["file_id"]
    assert_signed_over_final_set(client, reviewer, run, row)
