"""Sign and verify filing packets with the service's Ed25519 key.

The registry's current signing key (certification.keys) is reused when that package is
present; otherwise a key kept under settings.var_dir signs. The key reference is stored with
each signature so a packet verifies after a key rotation.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import TYPE_CHECKING, Any

from core.settings import get_settings

if TYPE_CHECKING:  # cryptography is loaded when a packet is signed or checked
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

LOCAL_KEY_FILE = "employers_filing_ed25519.pem"


def canonical_json(packet: dict[str, Any]) -> bytes:
    return json.dumps(packet, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str).encode("utf-8")


def packet_hash(packet: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(packet)).hexdigest()


def _local_key() -> Ed25519PrivateKey:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    path = get_settings().var_dir / LOCAL_KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = Ed25519PrivateKey.generate()
        path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
        path.chmod(0o600)
    return serialization.load_pem_private_key(path.read_bytes(), password=None)  # type: ignore[return-value]


async def _signing_key() -> tuple[Ed25519PrivateKey, str]:
    try:
        from certification import keys
    except ImportError:  # certification absent: the local key signs
        return _local_key(), "local"
    row = await keys.current_key()
    return keys.private_key(row.private_pem), f"certification:{row.id}"


async def _public_key(key_ref: str) -> Ed25519PublicKey | None:
    if key_ref == "local":
        return _local_key().public_key()
    if key_ref.startswith("certification:"):
        from certification import keys

        row = await keys.key_by_id(int(key_ref.split(":", 1)[1]))
        return keys.private_key(row.private_pem).public_key() if row else None
    return None


async def sign(digest_hex: str) -> tuple[str, str]:
    """Sign the packet's SHA-256 (hex, as ASCII); returns (base64 signature, key reference)."""
    key, ref = await _signing_key()
    return base64.b64encode(key.sign(digest_hex.encode("ascii"))).decode("ascii"), ref


async def verify(digest_hex: str, signature_b64: str, key_ref: str) -> bool:
    from cryptography.exceptions import InvalidSignature

    public = await _public_key(key_ref)
    if public is None or not signature_b64:
        return False
    try:
        public.verify(base64.b64decode(signature_b64), digest_hex.encode("ascii"))
    except (InvalidSignature, ValueError):
        return False
    return True
