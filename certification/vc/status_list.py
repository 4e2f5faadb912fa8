"""Bitstring Status List v1.0: revocation and suspension lists for our credentials.

Source: W3C Bitstring Status List v1.0 — §3.1 entries, §3.2 the list credential, §4.1 bitstring
generation (GZIP, then multibase base64url without padding; index 0 is the leftmost bit of the
first byte) and the minimum size of 131,072 entries (16 KB) so one lookup reveals nothing.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable
from datetime import datetime

from certification.vc.dataintegrity import xsd_datetime
from certification.vc.encoding import from_multibase_base64url, multibase_base64url
from certification.vc.jsonld import VC_V2_CONTEXT

MIN_LIST_SIZE = 131_072  # bits; Bitstring Status List v1.0 §4.1 (herd privacy)
STATUS_PURPOSES = ("revocation", "suspension")
ENTRY_TYPE = "BitstringStatusListEntry"
LIST_CREDENTIAL_TYPE = "BitstringStatusListCredential"
LIST_TYPE = "BitstringStatusList"


class StatusListError(ValueError):
    """An encoded list that cannot be decoded, or an index outside it."""


def encode_bitstring(set_indexes: Iterable[int], size: int = MIN_LIST_SIZE) -> str:
    """Bits at ``set_indexes`` set to 1; GZIP; multibase base64url (``u…``)."""
    if size < MIN_LIST_SIZE or size % 8:
        raise StatusListError(
            f"状态列表至少 {MIN_LIST_SIZE} 位且为 8 的倍数 "
            f"(a status list needs at least {MIN_LIST_SIZE} bits, a multiple of 8)"
        )
    bits = bytearray(size // 8)
    for index in set_indexes:
        if not 0 <= index < size:
            raise StatusListError(f"状态位序号越界 (status index out of range): {index}")
        bits[index // 8] |= 0x80 >> (index % 8)
    return multibase_base64url(gzip.compress(bytes(bits), mtime=0))


def decode_bitstring(encoded_list: str) -> bytes:
    """The raw (uncompressed) bitstring; raises StatusListError if malformed or too short."""
    try:
        bits = gzip.decompress(from_multibase_base64url(encoded_list))
    except (ValueError, OSError, EOFError) as error:
        raise StatusListError(f"状态列表无法解码 (cannot decode encodedList): {error}") from error
    if len(bits) * 8 < MIN_LIST_SIZE:
        raise StatusListError(
            f"状态列表短于 {MIN_LIST_SIZE} 位 (status list shorter than {MIN_LIST_SIZE} bits)"
        )
    return bits


def bit_is_set(bits: bytes, index: int) -> bool:
    if not 0 <= index < len(bits) * 8:
        raise StatusListError(f"状态位序号越界 (status index out of range): {index}")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def _check_purpose(purpose: str) -> None:
    if purpose not in STATUS_PURPOSES:
        raise StatusListError(f"状态用途应为 {STATUS_PURPOSES} (purpose must be one of them)")


def status_entry(list_url: str, index: int, purpose: str) -> dict:
    """A ``credentialStatus`` entry pointing at bit ``index`` of the list at ``list_url``."""
    _check_purpose(purpose)
    if index < 0:
        raise StatusListError(f"状态位序号越界 (status index out of range): {index}")
    return {
        "id": f"{list_url}#{index}",
        "type": ENTRY_TYPE,
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def build_status_list_credential(
    list_url: str,
    purpose: str,
    set_indexes: Iterable[int],
    issuer: dict | str,
    valid_from: datetime,
    size: int = MIN_LIST_SIZE,
) -> dict:
    """Unsigned BitstringStatusListCredential; sign it with ``dataintegrity.sign``.

    Its issuer must be the issuer of the credentials that point at it (verifiers such as
    Digital Bazaar's check that they match), so a list belongs to one signing key.
    """
    _check_purpose(purpose)
    return {
        "@context": [VC_V2_CONTEXT],
        "id": list_url,
        "type": ["VerifiableCredential", LIST_CREDENTIAL_TYPE],
        "issuer": issuer,
        "validFrom": xsd_datetime(valid_from),
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": LIST_TYPE,
            "statusPurpose": purpose,
            "encodedList": encode_bitstring(set_indexes, size),
        },
    }
