"""Signing a credential document with one of the registry's keys (light: no PDF imports)."""

from __future__ import annotations

from certification.keys import private_key
from certification.vc import dataintegrity
from certification.vc.jsonld import registry_contexts
from certification.vc.keys import verification_method_id
from core import clock
from core.settings import get_settings


def sign_credential(unsigned: dict, private_pem: str, did: str) -> dict:
    """Sign with the registry's key; while it signs, this deployment's CONTEXT_URL maps to the
    bundled context (in whichever process signs: the web process or a render pool worker)."""
    with registry_contexts((get_settings().context_url,)):
        return dataintegrity.sign(
            unsigned, private_key(private_pem), verification_method_id(did),
            clock.now().replace(microsecond=0),
        )
