"""End to end: an exam session approved → PDF and signed credential → our offline command and
Digital Bazaar's JavaScript verifier agree (valid, tampered, revoked, suspended). The JavaScript
verifier checks proofs and status bits only; whether the key is the bureau's is our command's
job (here: --keys with the published keys document)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import api_token

REPO = Path(__file__).resolve().parents[2]
INTEROP = Path(__file__).parent / "interop"
has_js = pytest.mark.skipif(
    os.environ.get("REQUIRE_INTEROP") != "1"
    and (not (INTEROP / "node_modules").is_dir() or shutil.which("node") is None),
    reason="JS interop verifier not installed: run `npm ci --prefix tests/certification/interop`",
)


def write(path: Path, data: dict) -> str:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def fetch_lists(client, vc: dict, tmp_path: Path) -> list[str]:
    files = []
    for n, entry in enumerate(vc["credentialStatus"]):
        path = "/" + entry["statusListCredential"].split("://", 1)[1].split("/", 1)[1]
        files.append(write(tmp_path / f"list{n}.json", client.get(path).json()))
    return files


def our_command(vc_file: str, keys_file: str, lists: list[str]) -> subprocess.CompletedProcess:
    args = [a for f in lists for a in ("--status-list", f)]
    return subprocess.run([sys.executable, "-m", "certification.verify", vc_file, "--keys",
                           keys_file, *args], cwd=REPO, capture_output=True, text=True,
                          timeout=120)


def js_verdict(vc_file: str, lists: list[str]) -> dict:
    args = [a for f in lists for a in ("--status-list", f)]
    completed = subprocess.run(["node", str(INTEROP / "verify.mjs"), vc_file, *args],
                               capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


@pytest.fixture
def issued(client, run, make_user, submitted_session):
    from certification.jobs import run_pending_jobs

    make_user("hrss_officer", "officer")
    headers = api_token(client, "officer")
    session_id = submitted_session([("王芳", 80, 75)])
    approved = client.post(f"/api/v1/certification/exam-sessions/{session_id}/approve",
                           headers=headers).json()
    run(run_pending_jobs)
    credential_id = approved["issued"][0]
    vc = client.get(f"/api/v1/certificates/{credential_id}/vc", headers=headers).json()
    return credential_id, vc, headers


def test_command_accepts_issued_then_says_revoked(client, run, issued, tmp_path):
    credential_id, vc, headers = issued
    vc_file = write(tmp_path / "vc.json", vc)
    keys_file = write(tmp_path / "keys.json",
                      client.get("/.well-known/caregiver-registry/keys.json").json())
    ok = our_command(vc_file, keys_file, fetch_lists(client, vc, tmp_path))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    client.post(f"/api/v1/certification/certificates/{credential_id}/revoke",
                json={"public_reason": "考试舞弊"}, headers=headers)
    revoked = our_command(vc_file, keys_file, fetch_lists(client, vc, tmp_path))
    assert revoked.returncode == 1 and "已撤销" in revoked.stdout


@has_js
def test_js_verifier_agrees(client, run, issued, tmp_path):
    credential_id, vc, headers = issued
    keys_file = write(tmp_path / "keys.json",
                      client.get("/.well-known/caregiver-registry/keys.json").json())
    vc_file = write(tmp_path / "vc.json", vc)
    lists = fetch_lists(client, vc, tmp_path)
    assert js_verdict(vc_file, lists)["valid"] is True
    assert our_command(vc_file, keys_file, lists).returncode == 0

    tampered = json.loads(json.dumps(vc))
    tampered["credentialSubject"]["skillLevel"] = 1
    tampered_file = write(tmp_path / "tampered.json", tampered)
    assert js_verdict(tampered_file, lists)["verified"] is False
    assert our_command(tampered_file, keys_file, lists).returncode == 1

    client.post(f"/api/v1/certification/certificates/{credential_id}/suspend",
                json={"public_reason": "核查"}, headers=headers)
    lists = fetch_lists(client, vc, tmp_path)
    js = js_verdict(vc_file, lists)
    assert js["valid"] is False
    assert (js["status"]["revocation"], js["status"]["suspension"]) == (False, True)
    assert our_command(vc_file, keys_file, lists).returncode == 1

    client.post(f"/api/v1/certification/certificates/{credential_id}/revoke",
                json={"public_reason": "考试舞弊"}, headers=headers)
    lists = fetch_lists(client, vc, tmp_path)
    js = js_verdict(vc_file, lists)
    assert js["valid"] is False and js["status"]["revocation"] is True
    assert our_command(vc_file, keys_file, lists).returncode == 1
