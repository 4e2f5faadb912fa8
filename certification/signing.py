"""Signing a credential document with one of the registry's keys (light: no PDF imports)."""

from __future__ import annotations

from certification.keys import private_key
from certification.vc import dataintegrity
from certification.vc.keys import verification_method_id
from core import clock


def sign_credential(unsigned: dict, private_pem: str, did: str) -> dict:
    return dataintegrity.sign(
        unsigned, private_key(private_pem), verification_method_id(did),
        clock.now().replace(microsecond=0),
    )
