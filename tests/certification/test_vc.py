"""Verifiable credentials: did:key, eddsa-rdfc-2022 proofs, status lists (revocation,
suspension and the 2-bit message list) and the verifier's verdicts.

The verdicts: VALID only with a key the issuer publishes and every status entry checked;
INVALID (altered, expired, revoked, suspended); SUPERSEDED; NOT_VERIFIED (unknown key,
unchecked status). The command and the JavaScript verifier: test_verify_command.py.
"""

from __future__ import annotations

import base64
import copy
import gzip
import json
from dataclasses import replace
from datetime import date, datetime, time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certification.vc import dataintegrity, keys, status_list
from certification.vc.credential import build_certificate_credential
from certification.vc.encoding import from_multibase_base58btc, multibase_base58btc
from certification.vc.jsonld import CanonicalizationError
from certification.vc.status_list import MIN_LIST_SIZE
from certification.verify import INVALID, NOT_VERIFIED, SUPERSEDED, VALID, verify_credential
from core.clock import CHINA
from tests.certification.vc_helpers import (
    FACTS,
    MESSAGE_URL,
    REVOCATION_URL,
    SIGNED_AT,
    TODAY,
    Issuer,
    forge,
)


@pytest.fixture(scope="module")
def bureau() -> Issuer:
    return Issuer()


@pytest.fixture(scope="module")
def signed(bureau: Issuer) -> dict:
    return bureau.credential()


def verify(doc: dict, bureau: Issuer | None = None, **overrides):
    """Our verifier trusting ``bureau``'s key and reading its clear lists, unless overridden."""
    options = {"trusted_keys": None, "status_lists": None, "fetch": None, "today": TODAY}
    if bureau is not None:
        at = lists_signed_on(overrides.get("today", TODAY))  # the lists are fresh that day
        options |= {"trusted_keys": {bureau.method}, "status_lists": bureau.lists(at=at)}
    return verify_credential(doc, **(options | overrides))


def lists_signed_on(day: date) -> datetime:
    """08:00 China time on ``day``: status lists signed then are fresh all that day."""
    return datetime.combine(day, time(8), CHINA)


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
    report = verify(signed, bureau)
    assert report.verdict == VALID and report.exit_code == 0, report.reasons
    assert report.reasons == [] and report.warnings == []


@pytest.mark.parametrize(
    "path, value",
    [
        (("credentialSubject", "skillLevel"), 3),
        (("credentialSubject", "holderName"), "张晓"),
        (("validUntil",), "2039-02-28T23:59:59+08:00"),
        (("issuer", "name"), "别的机关"),
    ],
)
def test_changed_field_fails_the_proof(signed: dict, bureau: Issuer, path: tuple, value) -> None:
    tampered = copy.deepcopy(signed)
    target = tampered
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    ok, reason = dataintegrity.verify_proof(tampered)
    assert not ok and "签名不符" in reason
    report = verify(tampered, bureau)
    assert report.verdict == INVALID and report.exit_code == 1
    assert any("签名不符" in reason for reason in report.reasons)


def test_proof_naming_another_key_fails(signed: dict, bureau: Issuer) -> None:
    other = keys.did_key(keys.generate_private_key().public_key())
    forged = copy.deepcopy(signed)
    forged["proof"]["verificationMethod"] = keys.verification_method_id(other)
    ok, reason = dataintegrity.verify_proof(forged)
    assert not ok and "签名不符" in reason
    assert verify(forged, bureau).verdict == INVALID


def test_credential_re_signed_with_a_fresh_key_is_not_verified(signed, bureau) -> None:
    impostor, forged = forge(signed)
    assert dataintegrity.verify_proof(forged)[0] is True  # the proof itself is sound …
    report = verify(forged, bureau)  # … but the key is not one the bureau publishes
    assert report.verdict == NOT_VERIFIED and report.exit_code == 3
    assert any("不在发证机关公布的密钥清单" in reason for reason in report.reasons)
    # even when it brings its own status lists, signed by the same unknown key
    report = verify(forged | {"credentialStatus": signed["credentialStatus"]}, bureau,
                    status_lists=impostor.lists())
    assert report.verdict in (NOT_VERIFIED, INVALID) and not report.ok


def test_without_a_trusted_key_nothing_is_valid(signed: dict, bureau: Issuer) -> None:
    report = verify(signed, bureau, trusted_keys=None)
    assert report.verdict == NOT_VERIFIED
    assert any("不在发证机关公布的密钥清单" in reason for reason in report.reasons)


def test_issuer_must_control_the_signing_key(bureau: Issuer) -> None:
    impostor = Issuer()
    unsigned = build_certificate_credential(FACTS, bureau.issuer, bureau.entries(), "urn:uuid:c-2")
    report = verify(impostor.sign(unsigned), bureau)
    assert report.verdict == INVALID
    assert "issuer" in [check.name for check in report.checks if not check.ok]


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
    "today, verdict, reason",
    [
        (date(2024, 2, 29), INVALID, "尚未生效"),
        (date(2024, 3, 1), VALID, ""),
        (date(2029, 2, 28), VALID, ""),
        (date(2029, 3, 1), INVALID, "已过有效期"),
    ],
)
def test_validity_period_by_certificate_day(signed, bureau, today, verdict, reason) -> None:
    report = verify(signed, bureau, today=today)
    assert report.verdict == verdict
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


@settings(max_examples=30, deadline=None)
@given(
    st.dictionaries(st.integers(0, MIN_LIST_SIZE - 1), st.integers(0, 3), max_size=20),
    st.integers(0, MIN_LIST_SIZE - 1),
)
def test_message_list_holds_two_bit_values_at_index_times_two(values, probe) -> None:
    bits = status_list.decode_bitstring(status_list.encode_values(values, 2))
    assert len(bits) * 8 == 2 * MIN_LIST_SIZE
    for index in set(values) | {probe}:
        value = values.get(index, 0)
        assert status_list.read_value(bits, index, 2) == value
        # most significant bit first, at bit index × 2 (Bitstring Status List §3.1 statusSize)
        assert status_list.bit_is_set(bits, index * 2) is bool(value & 2)
        assert status_list.bit_is_set(bits, index * 2 + 1) is bool(value & 1)


def test_message_entry_names_every_value(signed: dict) -> None:
    message = next(e for e in signed["credentialStatus"] if e["statusPurpose"] == "message")
    assert message["statusSize"] == 2 and message["statusListCredential"] == MESSAGE_URL
    assert message["statusMessage"] == [
        {"status": "0x0", "message": "valid"},
        {"status": "0x1", "message": "revoked"},
        {"status": "0x2", "message": "superseded"},
        {"status": "0x3", "message": "suspended"},
    ]


def test_status_list_rejects_lists_shorter_than_the_minimum() -> None:
    with pytest.raises(status_list.StatusListError):
        status_list.encode_bitstring([1], size=1024)
    short = "u" + base64.urlsafe_b64encode(gzip.compress(bytes(128))).decode().rstrip("=")
    with pytest.raises(status_list.StatusListError, match="短于"):
        status_list.decode_bitstring(short)


@pytest.mark.parametrize(
    "revoked, suspended, messages, reason",
    [
        ({42}, (), {42: "revoked"}, "已撤销"),
        ((), {42}, {42: "suspended"}, "已暂停"),
    ],
)
def test_set_bit_makes_the_credential_invalid(bureau, signed, revoked, suspended, messages,
                                              reason) -> None:
    report = verify(signed, bureau, status_lists=bureau.lists(revoked, suspended, messages))
    assert report.verdict == INVALID and report.exit_code == 1
    assert reason in report.reasons[0]
    assert not any("已被替代" in message for message in report.reasons)


def test_superseded_has_its_own_verdict(bureau: Issuer, signed: dict) -> None:
    # the revocation bit stays set (standard verifiers refuse it); the message tells why
    lists = bureau.lists({42}, (), {42: "superseded"})
    report = verify(signed, bureau, status_lists=lists)
    assert report.verdict == SUPERSEDED and report.exit_code == 1
    assert any("已被替代" in reason for reason in report.reasons)
    assert not any("已撤销或已被替代" in reason for reason in report.reasons)


def test_older_credential_without_message_entry_reads_revoked_or_superseded(bureau) -> None:
    legacy = bureau.credential(legacy=True)
    assert [e["statusPurpose"] for e in legacy["credentialStatus"]] == ["revocation", "suspension"]
    assert verify(legacy, bureau).verdict == VALID
    report = verify(legacy, bureau, status_lists=bureau.lists({42}))
    assert report.verdict == INVALID
    assert any("已撤销或已被替代" in reason for reason in report.reasons)


def test_neighbouring_bit_does_not_affect_the_credential(bureau: Issuer, signed: dict) -> None:
    lists = bureau.lists({41, 43}, {0}, {41: "superseded", 43: "suspended"})
    assert verify(signed, bureau, status_lists=lists).verdict == VALID


def test_message_list_is_optional_but_noted(bureau: Issuer, signed: dict) -> None:
    lists = bureau.lists()
    del lists[MESSAGE_URL]
    report = verify(signed, bureau, status_lists=lists)
    assert report.verdict == VALID
    assert any("未检查" in warning for warning in report.warnings)


def test_status_list_with_wrong_purpose_or_altered_bits_cannot_confirm(bureau, signed) -> None:
    lists = bureau.lists()
    lists[REVOCATION_URL] = bureau.status_list(REVOCATION_URL, "suspension")
    report = verify(signed, bureau, status_lists=lists)
    assert report.verdict == NOT_VERIFIED and any("用途不符" in r for r in report.reasons)
    altered = bureau.lists()
    altered[REVOCATION_URL]["credentialSubject"]["encodedList"] = status_list.encode_bitstring([7])
    report = verify(signed, bureau, status_lists=altered)
    assert report.verdict == NOT_VERIFIED and any("签名不符" in r for r in report.reasons)


def test_status_list_signed_by_someone_else_cannot_confirm(bureau: Issuer, signed: dict) -> None:
    lists = bureau.lists() | Issuer().lists({42})  # the impostor's lists replace the bureau's
    report = verify(signed, bureau, status_lists=lists)
    assert report.verdict == NOT_VERIFIED and any("发证者" in r for r in report.reasons)


def test_unreachable_status_list_online_cannot_confirm(bureau: Issuer, signed: dict) -> None:
    def fetch(url: str) -> dict:
        raise OSError("connection refused")

    report = verify(signed, bureau, status_lists=None, fetch=fetch)
    assert report.verdict == NOT_VERIFIED and report.exit_code == 3
    assert any("无法获取状态列表" in reason for reason in report.reasons)


def test_unchecked_status_is_not_verified(bureau: Issuer, signed: dict) -> None:
    report = verify(signed, bureau, status_lists=None)
    assert report.verdict == NOT_VERIFIED and report.exit_code == 3
    assert any("未检查" in reason for reason in report.reasons)
    assert any("--online" in reason for reason in report.reasons)


def test_revocation_list_alone_is_not_enough_when_suspension_is_listed(bureau, signed) -> None:
    lists = bureau.lists()
    report = verify(signed, bureau, status_lists={REVOCATION_URL: lists[REVOCATION_URL]})
    assert report.verdict == NOT_VERIFIED


def test_credential_without_status_is_not_verified(bureau: Issuer) -> None:
    unsigned = build_certificate_credential(FACTS, bureau.issuer, [], "urn:uuid:c-3")
    report = verify(bureau.sign(unsigned), bureau)
    assert report.verdict == NOT_VERIFIED
    assert any("没有撤销状态条目" in reason for reason in report.reasons)


def test_training_certificate_without_expiry_verifies(bureau: Issuer) -> None:
    training = replace(
        FACTS, number="T2024000123", kind="training", level=None, level_name=None,
        qualification_code="MENTAL_HEALTH_TRAINING", occupation_name="心理健康培训",
        direction="婴幼儿心理", expires_on=None,
    )
    signed = bureau.credential(facts=training)
    assert "skillLevel" not in signed["credentialSubject"] and "validUntil" not in signed
    assert verify(signed, bureau).verdict == VALID
