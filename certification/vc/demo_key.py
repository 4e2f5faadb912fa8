"""The demo signing key: derived from a public seed, so anyone can sign with it.

The demo (certification/demo.py) signs with it when no real key exists, and the trust list
shipped with the verifier names it (flagged ``"demo": true``). The verifier recognises it by
value whatever source offers it (trust list, ``--keys``, ``--online``): a proof made with it
shows only that the data is demo data, never that a certificate is real.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import TYPE_CHECKING

from certification.vc.keys import did_key, verification_method_id

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

DEMO_KEY_SEED = b"caregiver-registry demo signing key - public, demo only"


def demo_private_key() -> Ed25519PrivateKey:
    """The demo key (Ed25519 private key from SHA-256 of the public seed)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(DEMO_KEY_SEED).digest())


@lru_cache(maxsize=1)
def demo_verification_method() -> str:
    """``did:key:z…#z…`` of the demo key."""
    return verification_method_id(did_key(demo_private_key().public_key()))
