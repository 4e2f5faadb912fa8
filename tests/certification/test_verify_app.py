"""The verifier against the app: the demo's credentials checked with the trust list shipped
with the tool, offline and --online (the app answering in place of the network: its published
keys, status lists and public lookup), and the CONTEXT_URL setting."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from certification import verify as command
from tests.certification.vc_helpers import Issuer, js_verify, needs_node_modules, write_json
from tests.conftest import api_token

DEMO = {"valid": "S060112000001264000001", "revoked": "S060112000001264000002",
        "superseded": "S060112000001263000001", "suspended": "S060112000001265000001"}
OWN_CONTEXT = "https://registry.ninghe.example.cn/ns/credentials/v1"
DEMO_REASON = "演示密钥（公开种子）签名：只能说明这是演示数据，不能证明真实性"


def app_fetch(client, fetched: list[str] | None = None):
    """The network as seen from the verifier: every URL is answered by the app."""

    def fetch(url: str) -> dict:
        parts = urlsplit(url)
        if fetched is not None:
            fetched.append(url)
        response = client.get(parts.path + (f"?{parts.query}" if parts.query else ""))
        if response.status_code != 200:
            raise OSError(f"HTTP {response.status_code} {url}")
        return response.json()

    return fetch


def vc_of_number(run, number: str) -> dict:
    from certification.tables import CertificateRecord

    row = run(CertificateRecord.select(CertificateRecord.vc_json).where(
        CertificateRecord.credential.number == number).first())
    return json.loads(row["vc_json"])


def list_files(client, vc: dict, tmp_path: Path) -> list[str]:
    args = []
    for n, entry in enumerate(vc["credentialStatus"]):
        doc = app_fetch(client)(entry["statusListCredential"])
        args += ["--status-list", write_json(tmp_path / f"list-{n}.json", doc)]
    return args


def check(tmp_path: Path, capsys, vc: dict, *args: str, fetch=None) -> tuple[int, str]:
    path = write_json(tmp_path / "vc.json", vc)
    code = command.main([path, *args], fetch=fetch)
    return code, capsys.readouterr().out


@pytest.fixture
def demo(client, run) -> dict[str, dict]:
    from core.demo import seed_demo

    assert run(seed_demo)
    return {state: vc_of_number(run, number) for state, number in DEMO.items()}


def test_demo_offline_with_the_shipped_trust_list(client, demo, tmp_path, capsys) -> None:
    revoked = demo["revoked"]
    code, out = check(tmp_path, capsys, revoked)  # no status lists: today this said VALID
    assert code == 3 and "无法确认 (not verified)" in out and "未检查" in out
    code, out = check(tmp_path, capsys, revoked, *list_files(client, revoked, tmp_path))
    assert code == 1 and "无效 (INVALID)" in out and "已撤销" in out
    assert "已被替代" not in out

    valid = demo["valid"]  # signed with the demo key: its seed is public, anyone can sign
    code, out = check(tmp_path, capsys, valid, *list_files(client, valid, tmp_path))
    assert code == 3 and "无法确认 (not verified)" in out
    assert DEMO_REASON in out and "有效 (VALID)" not in out
    code, out = check(tmp_path, capsys, valid, "--allow-demo", *list_files(client, valid, tmp_path))
    assert code == 0 and "有效 (VALID)" in out and DEMO_REASON in out  # accepted, still said

    suspended = demo["suspended"]
    code, out = check(tmp_path, capsys, suspended, *list_files(client, suspended, tmp_path))
    assert code == 1 and "已暂停" in out


def test_demo_superseded_online_names_the_replacement(client, demo, tmp_path, capsys) -> None:
    fetched: list[str] = []
    code, out = check(tmp_path, capsys, demo["superseded"], "--online",
                      fetch=app_fetch(client, fetched))
    assert code == 1 and "已被替代 (SUPERSEDED)" in out
    replacement = client.get(f"/api/v1/public/certificates/{DEMO['superseded']}",
                             params={"name": "王芳"}).json()["superseded_by"]
    assert replacement and f"新证书编号 (replacement certificate): {replacement}" in out
    assert any(url.endswith("/.well-known/caregiver-registry/keys.json") for url in fetched)
    assert not any("/ns/" in url for url in fetched)  # contexts are bundled, never fetched

    code, out = check(tmp_path, capsys, demo["valid"], "--online", fetch=app_fetch(client))
    assert code == 3 and DEMO_REASON in out, out  # fetched online, the demo key stays demo
    code, out = check(tmp_path, capsys, demo["valid"], "--online", "--allow-demo",
                      fetch=app_fetch(client))
    assert code == 0, out


def test_demo_forgery_is_not_verified_offline_or_online(client, demo, tmp_path, capsys) -> None:
    impostor = Issuer()
    forged = {k: v for k, v in copy.deepcopy(demo["valid"]).items()
              if k not in ("proof", "credentialStatus")}
    forged["issuer"] = {**forged["issuer"], "id": impostor.did}
    forged["credentialSubject"] |= {"holderName": "张三", "skillLevel": 1,
                                    "levelName": "一级/高级技师"}
    forged = impostor.sign(forged)
    code, out = check(tmp_path, capsys, forged)
    assert code == 3 and "不在发证机关公布的密钥清单" in out
    code, out = check(tmp_path, capsys, forged, "--online", fetch=app_fetch(client))
    assert code == 3 and "不在发证机关公布的密钥清单" in out


@pytest.fixture
def own_context(monkeypatch):
    """A deployment that names its own public address in CONTEXT_URL."""
    from core.settings import get_settings

    monkeypatch.setenv("CONTEXT_URL", OWN_CONTEXT)
    get_settings.cache_clear()
    yield OWN_CONTEXT
    monkeypatch.delenv("CONTEXT_URL")
    get_settings.cache_clear()


@pytest.fixture
def issued_vc(client, run, make_user, holder, issue_skill):
    from certification.jobs import run_pending_jobs

    def issue() -> dict:
        cert = issue_skill(holder.id)
        run(run_pending_jobs)
        headers = api_token(client, "wangfang")
        return client.get(f"/api/v1/certificates/{cert.id}/vc", headers=headers).json()

    return issue


def test_context_url_names_the_issuers_address(client, own_context, issued_vc, tmp_path,
                                               capsys) -> None:
    vc = issued_vc()
    assert vc["@context"][1] == OWN_CONTEXT
    served = client.get("/ns/credentials/v1")
    assert served.status_code == 200 and "certificateNumber" in served.json()["@context"]
    keys = client.get("/.well-known/caregiver-registry/keys.json").json()
    trust = write_json(tmp_path / "trust.json", {"issuers": [{
        "name": "宁河区人社局", "publicBaseUrl": "http://127.0.0.1:8000",
        "contextUrls": [OWN_CONTEXT], "keys": [key["controller"] for key in keys["keys"]]}]})
    code, out = check(tmp_path, capsys, vc, "--trust-list", trust,
                      *list_files(client, vc, tmp_path))
    assert code == 0, out


@needs_node_modules
def test_js_verifier_with_the_issuers_context(client, own_context, issued_vc, tmp_path) -> None:
    vc = issued_vc()
    fetch = app_fetch(client)
    lists = {entry["statusListCredential"]: fetch(entry["statusListCredential"])
             for entry in vc["credentialStatus"]}
    assert js_verify(tmp_path, vc, lists, now=None, context_aliases=(OWN_CONTEXT,))["valid"]


def test_demo_context_alias_keeps_verifying_by_default(client, issued_vc, tmp_path,
                                                       capsys) -> None:
    vc = issued_vc()
    assert vc["@context"][1] == "https://caregiver-registry.example/ns/credentials/v1"
    keys = write_json(tmp_path / "k.json",
                      client.get("/.well-known/caregiver-registry/keys.json").json())
    code, out = check(tmp_path, capsys, vc, "--keys", keys, *list_files(client, vc, tmp_path))
    assert code == 0, out


@pytest.mark.parametrize("value", ["https://registry.example.cn/context", "ftp://x/ns/credentials/v1"])
def test_context_url_setting_must_end_with_the_served_path(monkeypatch, value: str) -> None:
    from core.settings import load_settings

    monkeypatch.setenv("CONTEXT_URL", value)
    with pytest.raises(ValueError, match="CONTEXT_URL"):
        load_settings()


@needs_node_modules
def test_js_verifier_on_the_demo(client, demo, tmp_path) -> None:
    """Digital Bazaar's verifier refuses the revoked and the superseded demo certificates once
    it has their status lists, and accepts the valid one (it does not judge whose key signed)."""
    fetch = app_fetch(client)
    verdicts = {}
    for state in ("valid", "revoked", "superseded"):
        vc = demo[state]
        lists = {entry["statusListCredential"]: fetch(entry["statusListCredential"])
                 for entry in vc["credentialStatus"]}
        verdicts[state] = js_verify(tmp_path, vc, lists, now=None)
    assert verdicts["valid"]["valid"] is True
    for state in ("revoked", "superseded"):
        assert verdicts[state]["verified"] is True and verdicts[state]["valid"] is False
        assert verdicts[state]["status"]["revocation"] is True
