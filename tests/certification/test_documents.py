"""Rendering and signing jobs, downloads, the published keys and status lists, and the offline
verifier accepting what we issue."""

from __future__ import annotations

import json
from datetime import UTC

from tests.conftest import api_token, login


def run_jobs(run):
    from certification.jobs import run_pending_jobs

    return run(run_pending_jobs)


def status_lists(client, vc):
    lists = {}
    for entry in vc["credentialStatus"]:
        url = entry["statusListCredential"]
        path = url.split("://", 1)[1].split("/", 1)[1]
        response = client.get("/" + path)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/vc+ld+json")
        lists[url] = response.json()
    return lists


def verify(client, vc):
    from certification.vc.keys import trusted_verification_methods
    from certification.verify import verify_credential
    from core.clock import today

    keys = client.get("/.well-known/caregiver-registry/keys.json").json()
    return verify_credential(vc, trusted_keys=trusted_verification_methods(keys),
                             status_lists=status_lists(client, vc), fetch=None, today=today())


def test_job_renders_and_signs_then_verifies(client, run, holder, issue_skill):
    from certification.tables import IssuanceJob

    cert = issue_skill(holder.id)
    headers = api_token(client, "wangfang")
    pending = client.get(f"/api/v1/certificates/{cert.id}/pdf", headers=headers)
    assert pending.status_code == 409
    assert run_jobs(run) == 1
    job = run(IssuanceJob.select().first())
    assert job["state"] == "done" and job["done_count"] == 1
    pdf = client.get(f"/api/v1/certificates/{cert.id}/pdf", headers=headers)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    vc = client.get(f"/api/v1/certificates/{cert.id}/vc", headers=headers).json()
    assert vc["credentialSubject"]["certificateNumber"] == cert.number
    assert holder.id_number not in json.dumps(vc)
    report = verify(client, vc)
    assert report.ok, report.reasons

    from certification.services.lifecycle import revoke
    from core.actor import Actor

    run(revoke, cert.id, "伪造学历材料", Actor.system("test"))
    report = verify(client, vc)
    assert not report.ok
    assert any("撤销" in reason for reason in report.reasons)


def test_suspension_shows_in_suspension_list(client, run, holder, issue_skill):
    from certification.services.lifecycle import reinstate, suspend
    from core.actor import Actor

    cert = issue_skill(holder.id)
    run_jobs(run)
    login(client, "wangfang")
    vc = client.get(f"/certificates/{cert.id}/credential.json").json()
    run(suspend, cert.id, "调查中", Actor.system("test"))
    assert not verify(client, vc).ok
    run(reinstate, cert.id, "调查结束", Actor.system("test"))
    assert verify(client, vc).ok


def test_rotation_keeps_old_credentials_valid(client, run, holder, issue_skill):
    from certification.keys import rotate
    from core.actor import Actor

    old = issue_skill(holder.id)
    run_jobs(run)
    run(rotate, Actor.system("test"))
    new = issue_skill(holder.id)
    run_jobs(run)
    login(client, "wangfang")
    keys = client.get("/.well-known/caregiver-registry/keys.json").json()
    assert [k["status"] for k in keys["keys"]] == ["retired", "current"]
    vc_old = client.get(f"/certificates/{old.id}/credential.json").json()
    vc_new = client.get(f"/certificates/{new.id}/credential.json").json()
    assert vc_old["issuer"]["id"] != vc_new["issuer"]["id"]
    assert verify(client, vc_old).ok and verify(client, vc_new).ok


def test_downloads_refused_to_others_with_404(client, run, holder, issue_skill, make_user,
                                             make_person):
    cert = issue_skill(holder.id)
    run_jobs(run)
    make_user("trainee", "other")
    make_user("facility_operator", "op1")
    make_user("hrss_officer", "officer")
    for username in ("other", "op1"):
        headers = api_token(client, username)
        for path in ("pdf", "vc", ""):
            url = f"/api/v1/certificates/{cert.id}/{path}".rstrip("/")
            assert client.get(url, headers=headers).status_code == 404
    assert client.get(f"/api/v1/certificates/{cert.id}/pdf").status_code == 401
    officer = api_token(client, "officer")
    assert client.get(f"/api/v1/certificates/{cert.id}/pdf", headers=officer).status_code == 200


def test_registered_checker_admits_operator(client, run, holder, issue_skill, make_user):
    from certification.access import DOWNLOAD_CHECKERS
    from core import wiring

    cert = issue_skill(holder.id)
    run_jobs(run)
    make_user("facility_operator", "op2")

    async def employs(user, person_id):
        return user.username == "op2" and person_id == holder.id

    with wiring.using(wiring.current().with_plugs((DOWNLOAD_CHECKERS, employs))):
        headers = api_token(client, "op2")
        assert client.get(f"/api/v1/certificates/{cert.id}/pdf", headers=headers).status_code == 200


def test_context_and_unknown_status_list(client):
    context = client.get("/ns/credentials/v1")
    assert context.status_code == 200 and "@context" in context.json()
    assert client.get("/credentials/status/revocation/99-1").status_code == 404
    assert client.get("/credentials/status/other/1-1").status_code == 404


def test_crash_resumes_where_it_stopped(client, run, holder, issue_skill):
    from datetime import datetime, timedelta

    from certification.tables import IssuanceJob, IssuanceJobItem

    issue_skill(holder.id)
    issue_skill(holder.id)
    # A worker claimed the first item and died before storing it.
    first = run(IssuanceJobItem.select().order_by(IssuanceJobItem.id).first())
    run(IssuanceJobItem.update({
        IssuanceJobItem.state: "running",
        IssuanceJobItem.claimed_at: datetime.now(UTC) - timedelta(hours=1),
    }).where(IssuanceJobItem.id == first["id"]))
    assert run_jobs(run) == 2
    states = run(IssuanceJobItem.select(IssuanceJobItem.state))
    assert {s["state"] for s in states} == {"done"}
    assert {j["state"] for j in run(IssuanceJob.select(IssuanceJob.state))} == {"done"}
