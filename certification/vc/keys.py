"""The bureau's Ed25519 signing keys as did:key identifiers, and the published key list.

did:key (W3C CCG did:key v0.9): ``did:key:`` + multibase base58btc of the multicodec
``ed25519-pub`` (varint 0xed 0x01) followed by the 32-byte public key. Its one verification
method is ``did:key:z…#z…`` (the fragment repeats the key), type Multikey (W3C Controlled
Identifiers 1.0). Resolution needs no network: the key is inside the identifier.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from certification.vc.encoding import from_multibase_base58btc, multibase_base58btc

ED25519_PUB_MULTICODEC = b"\xed\x01"
DID_KEY_PREFIX = "did:key:"


class KeyStatus(StrEnum):
    """A signing key's status, stored (SigningKey.status) and published (the key list's
    ``status``): the current key signs new credentials; a retired one keeps the credentials it
    signed up to its retirement verifiable."""

    CURRENT = "current"
    RETIRED = "retired"


KEY_STATUSES = tuple(KeyStatus)

# cryptography (~8 MB per process) is imported by the functions that use a key: a web process
# that only looks certificates up never loads it.
if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )


class KeyResolutionError(ValueError):
    """A did:key or verification method that does not name an Ed25519 public key."""


def generate_private_key() -> Ed25519PrivateKey:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.generate()


def public_key_multibase(public_key: Ed25519PublicKey) -> str:
    """Multikey ``publicKeyMultibase``: ``z6Mk…``."""
    from cryptography.hazmat.primitives import serialization

    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return multibase_base58btc(ED25519_PUB_MULTICODEC + raw)


def did_key(public_key: Ed25519PublicKey) -> str:
    return DID_KEY_PREFIX + public_key_multibase(public_key)


def verification_method_id(did: str) -> str:
    """``did:key:z…`` → ``did:key:z…#z…``."""
    if not did.startswith(DID_KEY_PREFIX) or "#" in did:
        raise KeyResolutionError(f"不是 did:key 标识 (not a did:key DID): {did}")
    return f"{did}#{did.removeprefix(DID_KEY_PREFIX)}"


def controller_of(verification_method: str) -> str:
    """The DID part of a verification method id."""
    return verification_method.split("#", 1)[0]


def public_key_from_multibase(multibase: str) -> Ed25519PublicKey:
    try:
        decoded = from_multibase_base58btc(multibase)
    except ValueError as error:
        raise KeyResolutionError(str(error)) from error
    if not decoded.startswith(ED25519_PUB_MULTICODEC) or len(decoded) != 34:
        raise KeyResolutionError(f"不是 Ed25519 公钥 (not an Ed25519 multikey): {multibase[:16]}…")
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    return Ed25519PublicKey.from_public_bytes(decoded[2:])


def resolve_did_key(did: str) -> Ed25519PublicKey:
    if not did.startswith(DID_KEY_PREFIX):
        raise KeyResolutionError(f"不是 did:key 标识 (not a did:key DID): {did}")
    return public_key_from_multibase(did.removeprefix(DID_KEY_PREFIX))


def resolve_verification_method(verification_method: str) -> Ed25519PublicKey:
    """Offline resolution of ``did:key:z…#z…``; the fragment must repeat the key."""
    did, _, fragment = verification_method.partition("#")
    if fragment and fragment != did.removeprefix(DID_KEY_PREFIX):
        raise KeyResolutionError(
            f"验证方法片段与密钥不符 (fragment does not match the key): {verification_method}"
        )
    return resolve_did_key(did)


def private_key_to_pem(private_key: Ed25519PrivateKey, password: bytes | None = None) -> bytes:
    from cryptography.hazmat.primitives import serialization

    encryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    return private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )


def private_key_from_pem(pem: bytes, password: bytes | None = None) -> Ed25519PrivateKey:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = serialization.load_pem_private_key(pem, password=password)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("PEM 中不是 Ed25519 私钥 (the PEM does not hold an Ed25519 private key)")
    return key


@dataclass(frozen=True)
class PublishedKey:
    """One bureau key as listed at the well-known URL."""

    public_key: Ed25519PublicKey
    status: KeyStatus | str  # a KeyStatus value
    since: datetime
    retired_on: datetime | None = None


def multikey_document(public_key: Ed25519PublicKey) -> dict:
    """A Multikey verification method (W3C Controlled Identifiers 1.0 §2.2.2)."""
    did = did_key(public_key)
    return {
        "id": verification_method_id(did),
        "type": "Multikey",
        "controller": did,
        "publicKeyMultibase": public_key_multibase(public_key),
    }


def build_published_keys(issuer_name: str, keys: Iterable[PublishedKey]) -> dict:
    """The JSON the app serves at its well-known URL so verifiers know the bureau's keys.

    Each key is its own did:key issuer, so rotating keys (a new current key, the old one
    retired) leaves credentials signed with the old key verifiable.
    """
    entries = []
    for key in keys:
        if key.status not in KEY_STATUSES:
            allowed = tuple(status.value for status in KeyStatus)
            raise ValueError(f"密钥状态应为 {allowed} (key status must be one of them)")
        entry = multikey_document(key.public_key) | {
            "status": str(key.status),
            "since": _aware(key.since).isoformat(),
        }
        if key.retired_on is not None:
            entry["retiredOn"] = _aware(key.retired_on).isoformat()
        entries.append(entry)
    return {"issuer": {"name": issuer_name}, "keys": entries}


def _aware(moment: datetime) -> datetime:
    """Database instants are UTC; SQLite may hand them back without an offset."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def trusted_verification_methods(published: dict) -> set[str]:
    """Verification method ids of every key (current or retired) in a published key list.

    The id is recomputed from ``publicKeyMultibase`` so a list cannot name one key and
    carry another.
    """
    return set(key_retirements(published))


def key_retirements(published: dict) -> dict[str, datetime | None]:
    """Each published key's verification method id → its ``retiredOn`` instant (None when the
    key is not retired). A retired key vouches only for credentials signed up to that instant.

    Raises ValueError for a malformed key or a retiredOn that is not a dateTime with offset.
    """
    retirements: dict[str, datetime | None] = {}
    for entry in published.get("keys", []):
        public_key = public_key_from_multibase(entry["publicKeyMultibase"])
        method = verification_method_id(did_key(public_key))
        retirements[method] = parse_retired_on(entry.get("retiredOn"))
    return retirements


def parse_retired_on(value: object) -> datetime | None:
    """``retiredOn`` as an aware datetime (None if absent); ValueError if malformed."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as error:
        raise ValueError(f"retiredOn 不是日期时间 (not a dateTime): {value!r}") from error
    if moment.tzinfo is None:
        raise ValueError(f"retiredOn 缺少时区 (needs an offset): {value!r}")
    return moment
