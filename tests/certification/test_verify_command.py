"""``python -m certification.verify`` as a third party runs it — offline (trust list, --keys,
--status-list) and --online (a fetcher injected in place of the network) — and the independent
JavaScript verifier on the same credentials.

Exit status: 0 VALID, 1 INVALID or SUPERSEDED, 2 unreadable input, 3 无法确认 (not verified).
"""

from __future__ import annotations

import copy
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from certification import verify as command
from certification.vc.keys import verification_method_id
from tests.certification.vc_helpers import (
    BASE,
    FACTS,
    MESSAGE_URL,
    Issuer,
    forge,
    js_verify,
    list_args,
    needs_node_modules,
    run_command,
    write_json,
)

LOOKUP = f"{BASE}/api/v1/public/certificates/{FACTS.number}"
OWN_CONTEXT = "https://registry.ninghe.example.cn/ns/credentials/v1"


@pytest.fixture(scope="module")
def bureau() -> Issuer:
    return Issuer()


@pytest.fixture(scope="module")
def signed(bureau: Issuer) -> dict:
    return bureau.credential()


@pytest.fixture
def files(tmp_path: Path, bureau: Issuer, signed: dict):
    """Paths: the credential, the bureau's published keys, clear lists and other lists."""

    def lists(*args, **kwargs) -> list[str]:
        docs = bureau.lists(*args, **kwargs).values()
        name = f"l{len(list(tmp_path.iterdir()))}"
        return [write_json(tmp_path / f"{name}-{n}.json", doc) for n, doc in enumerate(docs)]

    return {
        "credential": write_json(tmp_path / "c.json", signed),
        "keys": write_json(tmp_path / "keys.json", bureau.published_keys()),
        "lists": lists,
    }


def test_offline_verdicts_and_exit_codes(tmp_path: Path, bureau, signed, files) -> None:
    credential, key_file, clear = files["credential"], files["keys"], files["lists"]()
    valid = run_command(credential, "--keys", key_file, *list_args(clear))
    assert valid.returncode == 0, valid.stdout + valid.stderr
    assert "结论 Verdict: 有效 (VALID)" in valid.stdout

    unchecked = run_command(credential, "--keys", key_file)
    assert unchecked.returncode == 3, unchecked.stdout
    assert "无法确认 (not verified)" in unchecked.stdout and "未检查" in unchecked.stdout

    unknown_key = run_command(credential, *list_args(clear))  # the shipped trust list only
    assert unknown_key.returncode == 3
    assert "不在发证机关公布的密钥清单" in unknown_key.stdout

    revoked = run_command(credential, "--keys", key_file,
                          *list_args(files["lists"]({42}, (), {42: "revoked"})))
    assert revoked.returncode == 1 and "无效 (INVALID)" in revoked.stdout
    assert "已撤销" in revoked.stdout

    superseded = run_command(credential, "--keys", key_file,
                             *list_args(files["lists"]({42}, (), {42: "superseded"})))
    assert superseded.returncode == 1 and "已被替代 (SUPERSEDED)" in superseded.stdout

    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["skillLevel"] = 1
    changed = run_command(write_json(tmp_path / "t.json", tampered), "--keys", key_file,
                          *list_args(clear))
    assert changed.returncode == 1 and "签名不符" in changed.stdout


def test_forgery_with_a_fresh_key_is_not_verified_offline(tmp_path: Path, signed, files) -> None:
    _, forged = forge(signed)
    forged_file = write_json(tmp_path / "forged.json", forged)
    for extra in ([], ["--keys", files["keys"]], ["--keys", files["keys"],
                                                 *list_args(files["lists"]())]):
        result = run_command(forged_file, *extra)
        assert result.returncode == 3, result.stdout
        assert "无法确认 (not verified)" in result.stdout
        assert "不在发证机关公布的密钥清单" in result.stdout
        assert "没有撤销状态条目" in result.stdout


def test_unreadable_input_exits_2(tmp_path: Path, files) -> None:
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    assert run_command(str(tmp_path / "broken.json")).returncode == 2
    assert run_command(str(tmp_path / "missing.json")).returncode == 2
    missing_list = run_command(files["credential"], "--status-list", str(tmp_path / "no.json"))
    assert missing_list.returncode == 2 and "无法读取输入" in missing_list.stderr
    bad_trust = write_json(tmp_path / "trust.json", {"issuers": [{"name": "x", "keys": ["nope"]}]})
    result = run_command(files["credential"], "--trust-list", bad_trust)
    assert result.returncode == 2 and "信任清单" in result.stderr


def test_trust_list_names_keys_and_the_issuers_own_context(tmp_path: Path, bureau) -> None:
    """A deployment's own CONTEXT_URL verifies through the trust list's contextUrls (the
    bundled document, never fetched); the first .example URL stays an alias."""
    own = bureau.credential(context=OWN_CONTEXT)
    lists = list_args([write_json(tmp_path / f"l{n}.json", doc)
                       for n, doc in enumerate(bureau.lists().values())])
    trust = write_json(tmp_path / "trust.json", {"issuers": [{
        "name": "宁河区人社局", "publicBaseUrl": BASE, "contextUrls": [OWN_CONTEXT],
        "keys": [bureau.did]}]})
    result = run_command(write_json(tmp_path / "own.json", own), "--trust-list", trust, *lists)
    assert result.returncode == 0, result.stdout + result.stderr
    without = run_command(write_json(tmp_path / "own.json", own), "--keys",
                          write_json(tmp_path / "k.json", bureau.published_keys()), *lists)
    assert without.returncode == 1 and "上下文未随系统提供" in without.stdout
    legacy = run_command(write_json(tmp_path / "legacy.json", bureau.credential(legacy=True)),
                         "--trust-list", trust, *lists)
    assert legacy.returncode == 0, legacy.stdout


# --- online ---------------------------------------------------------------------------------


class Network:
    """Stands in for the network: the issuer's published keys, lists and public lookup."""

    def __init__(self, bureau: Issuer, lists: dict[str, dict], lookup: dict | None = None):
        self.documents = {f"{BASE}/.well-known/caregiver-registry/keys.json":
                          bureau.published_keys(), **lists}
        if lookup is not None:
            self.documents[f"{LOOKUP}?name=%E5%BC%A0%E6%99%93%E7%87%95"] = lookup
        self.fetched: list[str] = []

    def __call__(self, url: str) -> dict:
        self.fetched.append(url)
        if url not in self.documents:
            raise OSError(f"404 {url}")
        return self.documents[url]


def online(tmp_path: Path, doc: dict, network: Network, capsys, *extra: str) -> tuple[int, str]:
    path = write_json(tmp_path / "online.json", doc)
    code = command.main([path, "--online", BASE, "--today", "2025-06-01", *extra], fetch=network)
    return code, capsys.readouterr().out


def test_online_fetches_published_keys_and_status_lists(tmp_path, bureau, signed, capsys) -> None:
    network = Network(bureau, bureau.lists())
    code, out = online(tmp_path, signed, network, capsys, "--trust-url")  # BASE: not in the list
    assert code == 0 and "有效 (VALID)" in out
    assert f"{BASE}/.well-known/caregiver-registry/keys.json" in network.fetched
    assert MESSAGE_URL in network.fetched
    assert not any("/ns/" in url or "w3.org" in url for url in network.fetched)  # no contexts


def test_forgery_with_a_fresh_key_is_not_verified_online(tmp_path, bureau, signed, capsys) -> None:
    impostor, forged = forge(signed)
    network = Network(bureau, bureau.lists())
    code, out = online(tmp_path, forged, network, capsys)
    assert code == 3 and "无法确认 (not verified)" in out
    # pointing at status lists the impostor signs does not help either
    with_status = impostor.sign({**{k: v for k, v in forged.items() if k != "proof"},
                                 "credentialStatus": impostor.entries()})
    network = Network(bureau, impostor.lists())
    code, out = online(tmp_path, with_status, network, capsys)
    assert code == 3 and "不在发证机关公布的密钥清单" in out


def test_online_superseded_shows_the_replacement(tmp_path, bureau, signed, capsys) -> None:
    lists = bureau.lists({42}, (), {42: "superseded"})
    network = Network(bureau, lists, {"status": "superseded", "superseded_by": "S1234120010001244"})
    code, out = online(tmp_path, signed, network, capsys)
    assert code == 1 and "已被替代 (SUPERSEDED)" in out
    assert "新证书编号 (replacement certificate): S1234120010001244" in out


def test_online_older_credential_reads_revoked_or_superseded(tmp_path, bureau, capsys) -> None:
    legacy = bureau.credential(legacy=True)
    network = Network(bureau, bureau.lists({42}),
                      {"status": "superseded", "superseded_by": "S1234120010001244"})
    code, out = online(tmp_path, legacy, network, capsys)
    assert code == 1 and "已撤销或已被替代" in out
    assert "S1234120010001244" in out


def test_online_without_base_url_uses_the_trust_lists_address(tmp_path, bureau, signed,
                                                              capsys) -> None:
    trust = write_json(tmp_path / "trust.json", {"issuers": [
        {"name": "宁河区人社局", "publicBaseUrl": BASE, "keys": []}]})
    network = Network(bureau, bureau.lists())
    path = write_json(tmp_path / "c.json", signed)
    code = command.main([path, "--online", "--trust-list", trust, "--today", "2025-06-01"],
                        fetch=network)
    assert code == 0, capsys.readouterr().out
    unreachable = Network(bureau, bureau.lists())
    unreachable.documents.pop(f"{BASE}/.well-known/caregiver-registry/keys.json")
    code = command.main([path, "--online", "--trust-list", trust, "--today", "2025-06-01"],
                        fetch=unreachable)
    out = capsys.readouterr().out
    assert code == 3 and "无法获取发证机关公布的密钥" in out


class Served:
    """The issuer's documents served over HTTP on 127.0.0.1 (a free port), by path."""

    def __init__(self, documents: dict[str, dict]) -> None:
        by_path = {urlsplit(url).path: doc for url, doc in documents.items()}
        self.paths: list[str] = []
        served = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 — the http.server API
                path = urlsplit(self.path).path
                served.paths.append(path)
                body = json.dumps(by_path[path]).encode() if path in by_path else b"{}"
                self.send_response(200 if path in by_path else 404)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_online_over_http_as_a_third_party(tmp_path: Path, bureau, signed) -> None:
    """The real fetcher (urllib) in its own process, against a server on 127.0.0.1."""
    impostor, forged = forge(signed)
    served = Served(Network(bureau, bureau.lists({42}, (), {42: "superseded"}),
                            {"superseded_by": "S1234120010001244"}).documents)
    try:
        credential = write_json(tmp_path / "c.json", signed)
        result = run_command(credential, "--online", served.url)
        assert result.returncode == 1, result.stdout + result.stderr
        assert "已被替代 (SUPERSEDED)" in result.stdout and "S1234120010001244" in result.stdout
        forged_result = run_command(write_json(tmp_path / "f.json", forged), "--online", served.url)
        assert forged_result.returncode == 3 and "无法确认" in forged_result.stdout
    finally:
        served.close()
    assert "/.well-known/caregiver-registry/keys.json" in served.paths
    assert "/credentials/status/message/1-1" in served.paths
    assert not any(path.startswith("/ns/") for path in served.paths)


def test_shipped_trust_list_holds_the_demo_key() -> None:
    from certification.demo import demo_private_key
    from certification.vc.keys import did_key
    from certification.vc.trust import load_trust_list

    [demo] = [issuer for issuer in load_trust_list() if issuer.demo]
    assert verification_method_id(did_key(demo_private_key().public_key())) in demo.methods


# --- the independent JavaScript verifier ----------------------------------------------------
# It checks proofs, dates and status bits. It does not know which keys are the bureau's: a
# credential re-signed with a fresh did:key passes it. Trusting the key is our command's job.


@needs_node_modules
def test_js_verifier_accepts_our_credential(tmp_path: Path, bureau, signed) -> None:
    lists = bureau.lists({41}, {43}, {41: "superseded"})
    result = js_verify(tmp_path, signed, lists)
    assert result["verified"] is True and result["valid"] is True, result
    assert result["status"]["revocation"] is False and result["status"]["suspension"] is False


@needs_node_modules
def test_js_verifier_rejects_a_changed_field(tmp_path: Path, bureau, signed) -> None:
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["levelName"] = "三级/高级工"
    result = js_verify(tmp_path, tampered, bureau.lists())
    assert result["verified"] is False and result["valid"] is False


@needs_node_modules
@pytest.mark.parametrize("message", ["revoked", "superseded"])
def test_js_verifier_rejects_revoked_and_superseded(tmp_path, bureau, signed, message) -> None:
    result = js_verify(tmp_path, signed, bureau.lists({42}, (), {42: message}))
    assert result["verified"] is True  # proof and the signed lists are fine …
    assert result["status"]["revocation"] is True  # … but the revocation bit is set
    assert result["valid"] is False


@needs_node_modules
def test_js_verifier_sees_suspension(tmp_path, bureau, signed) -> None:
    result = js_verify(tmp_path, signed, bureau.lists((), {42}, {42: "suspended"}))
    assert result["status"]["suspension"] is True and result["valid"] is False


@needs_node_modules
def test_js_verifier_rejects_a_status_list_with_altered_bits(tmp_path, bureau, signed) -> None:
    from certification.vc.status_list import encode_bitstring
    from tests.certification.vc_helpers import REVOCATION_URL

    lists = bureau.lists()
    lists[REVOCATION_URL]["credentialSubject"]["encodedList"] = encode_bitstring([42])
    assert js_verify(tmp_path, signed, lists)["verified"] is False


@needs_node_modules
def test_js_verifier_keeps_verifying_older_and_own_context_credentials(tmp_path, bureau) -> None:
    legacy = bureau.credential(legacy=True)  # .example context, no message entry
    assert js_verify(tmp_path, legacy, bureau.lists())["valid"] is True
    own = bureau.credential(context=OWN_CONTEXT)
    assert js_verify(tmp_path, own, bureau.lists(), context_aliases=(OWN_CONTEXT,))["valid"]
    assert js_verify(tmp_path, own, bureau.lists())["verified"] is False  # unknown context


@needs_node_modules
def test_js_verifier_does_not_judge_whose_key_signed(tmp_path, bureau, signed) -> None:
    impostor, forged = forge(signed)
    forged = impostor.sign({**{k: v for k, v in forged.items() if k != "proof"},
                            "credentialStatus": impostor.entries()})
    assert js_verify(tmp_path, forged, impostor.lists())["valid"] is True
    report = command.verify_credential(forged, trusted_keys={bureau.method},
                                       status_lists=impostor.lists(), fetch=None,
                                       today=FACTS.issued_on)
    assert report.verdict == command.NOT_VERIFIED


def test_the_trust_list_is_json_with_the_documented_fields() -> None:
    from certification.vc.trust import TRUST_LIST_FILE

    data = json.loads(TRUST_LIST_FILE.read_text(encoding="utf-8"))
    for issuer in data["issuers"]:
        assert {"name", "publicBaseUrl", "contextUrls", "keys"} <= issuer.keys()
