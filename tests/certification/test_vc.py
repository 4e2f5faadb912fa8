"""Verifiable credentials: did:key, eddsa-rdfc-2022 proofs, status lists, the verifier command.

The interop tests at the end check the same credentials with Digital Bazaar's JavaScript
libraries (tests/certification/interop); they need `npm ci --prefix tests/certification/interop`.
"""

from __future__ import annotations

import base64
import copy
import gzip
import json
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certification.vc import dataintegrity, keys, status_list
from certification.vc.credential import CertificateFacts, build_certificate_credential
from certification.vc.encoding import from_multibase_base58btc, multibase_base58btc
from certification.vc.jsonld import CanonicalizationError
from certification.vc.status_list import MIN_LIST_SIZE
from certification.verify import verify_credential

REPO = Path(__file__).resolve().parents[2]
INTEROP = Path(__file__).parent / "interop"
REVOCATION_URL = "https://caregiver-registry.example/status/revocation/1"
SUSPENSION_URL = "https://caregiver-registry.example/status/suspension/1"
SIGNED_AT = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
TODAY = date(2025, 6, 1)
FACTS = CertificateFacts(
    number="S123412001000124400001",
    holder_name="张晓燕",
    id_number_hash="sha256:5f2b…salted",
    qualification_code="CHILDCARE_WORKER",
    occupation_name="保育师",
    occupation_code="4-10-01-03",
    direction=None,
    level=4,
    level_name="四级/中级工",
    kind="skill",
    assessment_body_name="天津市某职业技能评价中心",
    issued_on=date(2024, 3, 1),
    expires_on=date(2029, 2, 28),
)


class Issuer:
    def __init__(self) -> None:
        self.key = keys.generate_private_key()
        self.did = keys.did_key(self.key.public_key())
        self.method = keys.verification_method_id(self.did)
        self.issuer = {"id": self.did, "name": "某区人力资源和社会保障局"}

    def sign(self, document: dict) -> dict:
        return dataintegrity.sign(document, self.key, self.method, SIGNED_AT)

    def credential(self, index: int = 42) -> dict:
        entries = [
            status_list.status_entry(REVOCATION_URL, index, "revocation"),
            status_list.status_entry(SUSPENSION_URL, index, "suspension"),
        ]
        return self.sign(build_certificate_credential(FACTS, self.issuer, entries, "urn:uuid:c-1"))

    def status_list(self, url: str, purpose: str, set_indexes=()) -> dict:
        unsigned = status_list.build_status_list_credential(
            url, purpose, set_indexes, self.issuer, SIGNED_AT
        )
        return self.sign(unsigned)

    def lists(self, revoked=(), suspended=()) -> dict[str, dict]:
        return {
            REVOCATION_URL: self.status_list(REVOCATION_URL, "revocation", revoked),
            SUSPENSION_URL: self.status_list(SUSPENSION_URL, "suspension", suspended),
        }


@pytest.fixture(scope="module")
def bureau() -> Issuer:
    return Issuer()


@pytest.fixture(scope="module")
def signed(bureau: Issuer) -> dict:
    return bureau.credential()


def verify(doc: dict, **overrides):
    options = {"trusted_keys": None, "status_lists": None, "fetch": None, "today": TODAY}
    return verify_credential(doc, **(options | overrides))


# --- keys -----------------------------------------------------------------------------------


def test_did_key_resolves_offline_to_the_same_public_key(bureau: Issuer) -> None:
    assert bureau.did.startswith("did:key:z6Mk")
    assert bureau.method == f"{bureau.did}#{bureau.did.removeprefix('did:key:')}"
    raw = keys.resolve_verification_method(bureau.method).public_bytes_raw()
    assert raw == bureau.key.public_key().public_bytes_raw()


def test_verification_method_with_foreign_fragment_is_rejected(bureau: Issuer) -> None:
    other = keys.did_key(keys.generate_private_key().public_key())
    with pytest.raises(keys.KeyResolutionError):
        keys.resolve_verification_method(f"{bureau.did}#{other.removeprefix('did:key:')}")


@pytest.mark.parametrize("password", [None, b"s3cret"])
def test_private_key_pem_roundtrip(bureau: Issuer, password: bytes | None) -> None:
    pem = keys.private_key_to_pem(bureau.key, password)
    loaded = keys.private_key_from_pem(pem, password)
    assert keys.did_key(loaded.public_key()) == bureau.did


@given(st.binary(max_size=40))
def test_base58btc_roundtrip_keeps_leading_zero_bytes(data: bytes) -> None:
    assert from_multibase_base58btc(multibase_base58btc(data)) == data


def test_published_keys_list_both_current_and_retired_keys(bureau: Issuer) -> None:
    old = keys.generate_private_key()
    published = keys.build_published_keys(
        "某区人社局",
        [
            keys.PublishedKey(old.public_key(), "retired", SIGNED_AT, retired_on=SIGNED_AT),
            keys.PublishedKey(bureau.key.public_key(), "current", SIGNED_AT),
        ],
    )
    assert [entry["status"] for entry in published["keys"]] == ["retired", "current"]
    assert published["keys"][1]["id"] == bureau.method
    assert published["keys"][1]["type"] == "Multikey"
    trusted = keys.trusted_verification_methods(json.loads(json.dumps(published)))
    assert trusted == {bureau.method, keys.verification_method_id(keys.did_key(old.public_key()))}


# --- proofs ---------------------------------------------------------------------------------


def test_signed_credential_verifies(signed: dict, bureau: Issuer) -> None:
    assert signed["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert signed["proof"]["proofValue"].startswith("z")
    assert signed["validFrom"] == "2024-03-01T00:00:00+08:00"
    assert "id_number" not in json.dumps(signed) and "idNumberHash" in signed["credentialSubject"]
    assert dataintegrity.verify_proof(signed)[0] is True
    report = verify(signed, trusted_keys={bureau.method}, status_lists=bureau.lists())
    assert report.ok, report.reasons
    assert report.warnings == []


@pytest.mark.parametrize(
    "path, value",
    [
        (("credentialSubject", "skillLevel"), 3),
        (("credentialSubject", "holderName"), "张晓"),
        (("validUntil",), "2039-02-28T23:59:59+08:00"),
        (("issuer", "name"), "别的机关"),
    ],
)
def test_changed_field_fails_the_proof(signed: dict, path: tuple, value) -> None:
    tampered = copy.deepcopy(signed)
    target = tampered
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    ok, reason = dataintegrity.verify_proof(tampered)
    assert not ok and "签名不符" in reason
    assert not verify(tampered).ok


def test_proof_naming_another_key_fails(signed: dict) -> None:
    other = keys.did_key(keys.generate_private_key().public_key())
    forged = copy.deepcopy(signed)
    forged["proof"]["verificationMethod"] = keys.verification_method_id(other)
    ok, reason = dataintegrity.verify_proof(forged)
    assert not ok and "签名不符" in reason


def test_key_outside_the_published_list_is_untrusted(signed: dict) -> None:
    impostor = Issuer()
    report = verify(
        impostor.credential(),
        trusted_keys={
            keys.verification_method_id(keys.did_key(keys.generate_private_key().public_key()))
        },
    )
    assert not report.ok
    assert any("不在发证机关公布的密钥清单" in reason for reason in report.reasons)


def test_issuer_must_control_the_signing_key(bureau: Issuer) -> None:
    impostor = Issuer()
    unsigned = build_certificate_credential(FACTS, bureau.issuer, [], "urn:uuid:c-2")
    report = verify(impostor.sign(unsigned))
    assert [check.name for check in report.checks if not check.ok] == ["issuer"]


def test_undefined_term_cannot_be_signed_and_fails_verification(
    signed: dict, bureau: Issuer
) -> None:
    with pytest.raises(CanonicalizationError, match="未定义"):
        bureau.sign(signed | {"nickname": "小张"})
    ok, reason = dataintegrity.verify_proof(signed | {"nickname": "小张"})
    assert not ok and "nickname" in reason


def test_wrong_cryptosuite_is_rejected(signed: dict) -> None:
    changed = copy.deepcopy(signed)
    changed["proof"]["cryptosuite"] = "ecdsa-rdfc-2019"
    ok, reason = dataintegrity.verify_proof(changed)
    assert not ok and "cryptosuite" in reason


@pytest.mark.parametrize(
    "today, ok, reason",
    [
        (date(2024, 2, 29), False, "尚未生效"),
        (date(2024, 3, 1), True, ""),
        (date(2029, 2, 28), True, ""),
        (date(2029, 3, 1), False, "已过有效期"),
    ],
)
def test_validity_period_by_certificate_day(
    signed: dict, today: date, ok: bool, reason: str
) -> None:
    report = verify(signed, today=today)
    assert report.ok is ok
    assert all(reason in message for message in report.reasons)


# --- status lists ---------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(st.sets(st.integers(0, MIN_LIST_SIZE - 1), max_size=30), st.integers(0, MIN_LIST_SIZE - 1))
def test_status_list_encodes_exactly_the_set_bits(indexes: set[int], probe: int) -> None:
    encoded = status_list.encode_bitstring(indexes)
    assert encoded.startswith("u") and "=" not in encoded
    bits = status_list.decode_bitstring(encoded)
    assert len(bits) * 8 == MIN_LIST_SIZE
    for index in indexes | {probe}:
        assert status_list.bit_is_set(bits, index) is (index in indexes)


def test_status_list_rejects_lists_shorter_than_the_minimum() -> None:
    with pytest.raises(status_list.StatusListError):
        status_list.encode_bitstring([1], size=1024)
    short = "u" + base64.urlsafe_b64encode(gzip.compress(bytes(128))).decode().rstrip("=")
    with pytest.raises(status_list.StatusListError, match="短于"):
        status_list.decode_bitstring(short)


@pytest.mark.parametrize(
    "revoked, suspended, reason",
    [
        ({42}, (), "已撤销"),
        ((), {42}, "已暂停"),
    ],
)
def test_set_bit_makes_the_credential_invalid(bureau, signed, revoked, suspended, reason) -> None:
    report = verify(signed, status_lists=bureau.lists(revoked, suspended))
    assert not report.ok
    assert len(report.reasons) == 1 and reason in report.reasons[0]


def test_neighbouring_bit_does_not_affect_the_credential(bureau: Issuer, signed: dict) -> None:
    assert verify(signed, status_lists=bureau.lists({41, 43}, {0})).ok


def test_status_list_with_wrong_purpose_or_altered_bits_is_rejected(bureau, signed) -> None:
    lists = bureau.lists()
    lists[REVOCATION_URL] = bureau.status_list(REVOCATION_URL, "suspension")
    assert any("用途不符" in reason for reason in verify(signed, status_lists=lists).reasons)
    altered = bureau.lists()
    altered[REVOCATION_URL]["credentialSubject"]["encodedList"] = status_list.encode_bitstring([7])
    assert any("签名不符" in reason for reason in verify(signed, status_lists=altered).reasons)


def test_status_list_signed_by_someone_else_is_rejected(bureau: Issuer, signed: dict) -> None:
    lists = bureau.lists() | Issuer().lists()  # the impostor's lists replace the bureau's
    report = verify(signed, status_lists=lists)
    assert not report.ok and any("发证者" in reason for reason in report.reasons)


def test_unreachable_status_list_in_online_mode_is_invalid(signed: dict) -> None:
    def fetch(url: str) -> dict:
        raise OSError("connection refused")

    report = verify(signed, fetch=fetch)
    assert not report.ok and all("无法获取状态列表" in reason for reason in report.reasons)


def test_without_status_lists_the_status_is_reported_unchecked(signed: dict) -> None:
    report = verify(signed)
    assert report.ok and any("未检查" in warning for warning in report.warnings)


# --- the command ----------------------------------------------------------------------------


def run_command(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "certification.verify", *args, "--today", TODAY.isoformat()],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


def write_json(path: Path, data: dict) -> str:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_command_exit_codes(tmp_path: Path, bureau: Issuer, signed: dict) -> None:
    credential = write_json(tmp_path / "c.json", signed)
    lists = [
        write_json(tmp_path / f"l{i}.json", doc)
        for i, doc in enumerate(bureau.lists({42}).values())
    ]
    published = keys.build_published_keys(
        "某区人社局", [keys.PublishedKey(bureau.key.public_key(), "current", SIGNED_AT)]
    )
    key_file = write_json(tmp_path / "keys.json", published)

    valid = run_command(credential, "--keys", key_file)
    assert valid.returncode == 0, valid.stdout + valid.stderr
    assert "有效 (VALID)" in valid.stdout

    revoked = run_command(
        credential, "--keys", key_file, *[a for f in lists for a in ("--status-list", f)]
    )
    assert revoked.returncode == 1 and "已撤销" in revoked.stdout

    other_keys = write_json(
        tmp_path / "other.json",
        keys.build_published_keys(
            "x", [keys.PublishedKey(keys.generate_private_key().public_key(), "current", SIGNED_AT)]
        ),
    )
    assert run_command(credential, "--keys", other_keys).returncode == 1

    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    assert run_command(str(tmp_path / "broken.json")).returncode == 2
    assert run_command(str(tmp_path / "missing.json")).returncode == 2
    unreadable = run_command(credential, "--status-list", str(tmp_path / "missing.json"))
    assert unreadable.returncode == 2 and "无法读取输入" in unreadable.stderr


# --- interop with Digital Bazaar's JavaScript verifier --------------------------------------

# In CI (REQUIRE_INTEROP=1) a missing verifier fails instead of skipping.
needs_node_modules = pytest.mark.skipif(
    os.environ.get("REQUIRE_INTEROP") != "1"
    and (not (INTEROP / "node_modules").is_dir() or shutil.which("node") is None),
    reason="JS interop verifier not installed: run `npm ci --prefix tests/certification/interop`",
)


def js_verify(tmp_path: Path, credential: dict, lists: dict[str, dict] | None = None) -> dict:
    args = [write_json(tmp_path / "credential.json", credential)]
    for number, doc in enumerate((lists or {}).values()):
        args += ["--status-list", write_json(tmp_path / f"list{number}.json", doc)]
    completed = subprocess.run(
        [
            "node",
            str(INTEROP / "verify.mjs"),
            *args,
            "--now",
            f"{TODAY.isoformat()}T12:00:00+08:00",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


@needs_node_modules
def test_js_verifier_accepts_our_credential(tmp_path: Path, bureau: Issuer, signed: dict) -> None:
    lists = bureau.lists({41}, {43})
    result = js_verify(tmp_path, signed, lists)
    assert result == {
        "verified": True,
        "valid": True,
        "status": {"revocation": False, "suspension": False},
        "error": None,
    }
    assert verify(signed, status_lists=lists).ok


@needs_node_modules
def test_js_verifier_rejects_a_changed_field(tmp_path: Path, bureau: Issuer, signed: dict) -> None:
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["levelName"] = "三级/高级工"
    lists = bureau.lists()
    result = js_verify(tmp_path, tampered, lists)
    assert result["verified"] is False and result["valid"] is False
    assert not verify(tampered, status_lists=lists).ok


@needs_node_modules
@pytest.mark.parametrize("purpose", ["revocation", "suspension"])
def test_js_verifier_sees_the_status_bit(tmp_path: Path, bureau, signed, purpose: str) -> None:
    lists = bureau.lists(
        {42} if purpose == "revocation" else (), {42} if purpose == "suspension" else ()
    )
    result = js_verify(tmp_path, signed, lists)
    assert result["verified"] is True  # proof and the signed list are fine …
    assert result["status"][purpose] is True  # … but the bit is set
    assert result["valid"] is False
    assert not verify(signed, status_lists=lists).ok


@needs_node_modules
def test_js_verifier_rejects_a_status_list_with_altered_bits(tmp_path, bureau, signed) -> None:
    lists = bureau.lists()
    lists[REVOCATION_URL]["credentialSubject"]["encodedList"] = status_list.encode_bitstring([42])
    assert js_verify(tmp_path, signed, lists)["verified"] is False
    assert not verify(signed, status_lists=lists).ok


@needs_node_modules
def test_js_verifier_accepts_a_training_certificate(tmp_path: Path, bureau: Issuer) -> None:
    training = replace(
        FACTS,
        number="T2024000123",
        kind="training",
        level=None,
        level_name=None,
        qualification_code="MENTAL_HEALTH_TRAINING",
        occupation_name="心理健康培训",
        direction="婴幼儿心理",
        expires_on=None,
    )
    signed = bureau.sign(build_certificate_credential(training, bureau.issuer, [], "urn:uuid:t-1"))
    assert "skillLevel" not in signed["credentialSubject"] and "validUntil" not in signed
    assert js_verify(tmp_path, signed)["valid"] is True
    assert verify(signed).ok
