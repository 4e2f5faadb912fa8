"""Data Integrity proofs with the eddsa-rdfc-2022 cryptosuite.

Source: W3C Data Integrity EdDSA Cryptosuites v1.0, §3.2 (eddsa-rdfc-2022): transformation
(RDFC-1.0 of the document without its proof), proof configuration (the proof options with the
document's ``@context``, canonicalised the same way), hashing (SHA-256 of each; proof config
hash first) and Ed25519 over the 64 bytes; ``proofValue`` is multibase base58btc.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from certification.vc.encoding import from_multibase_base58btc, multibase_base58btc
from certification.vc.jsonld import CanonicalizationError, canonicalize
from certification.vc.keys import KeyResolutionError, resolve_verification_method

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
PROOF_PURPOSE = "assertionMethod"

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

PublicKeyResolver = Callable[[str], "Ed25519PublicKey"]


def xsd_datetime(moment: datetime) -> str:
    """UTC ``YYYY-MM-DDThh:mm:ssZ`` (XML Schema dateTime), as proofs conventionally carry."""
    if moment.tzinfo is None:
        raise ValueError("需要带时区的时间 (an aware datetime is required)")
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _hash_data(unsecured_document: dict, proof_config: dict) -> bytes:
    proof_config_hash = hashlib.sha256(canonicalize(proof_config).encode("utf-8")).digest()
    document_hash = hashlib.sha256(canonicalize(unsecured_document).encode("utf-8")).digest()
    return proof_config_hash + document_hash


def sign(
    document: dict,
    private_key: Ed25519PrivateKey,
    verification_method: str,
    created: datetime,
) -> dict:
    """Return a copy of ``document`` with an eddsa-rdfc-2022 DataIntegrityProof.

    Raises CanonicalizationError if the document uses a term no bundled context defines.
    """
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    proof = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": xsd_datetime(created),
        "verificationMethod": verification_method,
        "proofPurpose": PROOF_PURPOSE,
    }
    proof_config = {"@context": unsecured["@context"], **proof}
    signature = private_key.sign(_hash_data(unsecured, proof_config))
    return {**unsecured, "proof": {**proof, "proofValue": multibase_base58btc(signature)}}


def verify_proof(
    document: dict,
    resolve_public_key: PublicKeyResolver = resolve_verification_method,
) -> tuple[bool, str]:
    """Check the document's single eddsa-rdfc-2022 proof. Returns (ok, reason)."""
    proof = document.get("proof")
    if isinstance(proof, list) and len(proof) == 1:
        proof = proof[0]
    if not isinstance(proof, dict):
        return False, "缺少签名或签名不止一个 (missing proof, or more than one proof)"
    problem = _proof_shape_problem(proof, document)
    if problem:
        return False, problem
    try:
        public_key = resolve_public_key(proof["verificationMethod"])
    except KeyResolutionError as error:
        return False, f"无法解析签名密钥 (cannot resolve the signing key): {error}"
    try:
        signature = from_multibase_base58btc(proof["proofValue"])
    except ValueError as error:
        return False, f"签名值格式错误 (malformed proofValue): {error}"
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    proof_config = {key: value for key, value in proof.items() if key != "proofValue"}
    proof_config["@context"] = unsecured["@context"]
    try:
        hash_data = _hash_data(unsecured, proof_config)
    except CanonicalizationError as error:
        return False, f"文档无法规范化 (cannot canonicalize the document): {error}"
    from cryptography.exceptions import InvalidSignature

    try:
        public_key.verify(signature, hash_data)
    except InvalidSignature:
        return False, (
            "签名不符：内容被改动或并非由该密钥签发 "
            "(signature does not match: the document was altered or signed by another key)"
        )
    return True, f"签名有效 (proof verified), 密钥 key {proof['verificationMethod']}"


def _proof_shape_problem(proof: dict, document: dict) -> str | None:
    expected = {"type": PROOF_TYPE, "cryptosuite": CRYPTOSUITE, "proofPurpose": PROOF_PURPOSE}
    for field, value in expected.items():
        if proof.get(field) != value:
            got = proof.get(field)
            return f"签名的 {field} 应为 {value}，实为 {got} (proof {field} must be {value!r})"
    for field in ("verificationMethod", "proofValue", "created"):
        if not isinstance(proof.get(field), str):
            return f"签名缺少 {field} (proof lacks {field})"
    if "@context" not in document:
        return "文档缺少 @context (document has no @context)"
    if "@context" in proof and proof["@context"] != document["@context"]:
        return "签名的 @context 与文档不一致 (proof @context differs from the document's)"
    try:
        datetime.fromisoformat(proof["created"].replace("Z", "+00:00"))
    except ValueError:
        return f"签名时间格式错误 (proof created is not a dateTime): {proof['created']}"
    return None
