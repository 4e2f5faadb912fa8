"""Bitstring Status List v1.0: revocation, suspension and message lists for our credentials.

Source: W3C Bitstring Status List v1.0 — §3.1 entries, §3.2 the list credential, §4.1 bitstring
generation (GZIP, then multibase base64url without padding; index 0 is the leftmost bit of the
first byte) and the minimum size of 131,072 entries (16 KB) so one lookup reveals nothing.

Revocation and suspension entries hold one bit. A ``message`` entry (statusSize 2) holds a
value of two bits at bit ``index × 2`` (most significant bit first), which its ``statusMessage``
names: it tells a superseded (re-issued) certificate apart from a revoked one, while the
revocation bit stays set for both so verifiers that read only the revocation list refuse them.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable, Mapping
from datetime import datetime

from certification.vc.dataintegrity import xsd_datetime
from certification.vc.encoding import from_multibase_base64url, multibase_base64url
from certification.vc.jsonld import VC_V2_CONTEXT

MIN_LIST_SIZE = 131_072  # bits; Bitstring Status List v1.0 §4.1 (herd privacy)
STATUS_PURPOSES = ("revocation", "suspension")  # one bit per entry
MESSAGE_PURPOSE = "message"
MESSAGE_STATUS_SIZE = 2
# The statusMessage every message entry carries (value → message). Signed into each credential,
# so never renumber: add values only by a new list with a larger statusSize.
CERTIFICATE_STATUS_MESSAGES = ("valid", "revoked", "superseded", "suspended")
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


def encode_values(values: Mapping[int, int], status_size: int, entries: int = MIN_LIST_SIZE) -> str:
    """A list of ``entries`` values of ``status_size`` bits each (most significant bit first);
    ``values`` maps entry index → value. Raises StatusListError when out of range."""
    if entries < MIN_LIST_SIZE or entries % 8 or status_size < 1:
        raise StatusListError(f"状态列表至少 {MIN_LIST_SIZE} 项 (at least {MIN_LIST_SIZE} entries)")
    bits = bytearray(entries * status_size // 8)
    for index, value in values.items():
        if not 0 <= index < entries or not 0 <= value < 2**status_size:
            raise StatusListError(f"状态位序号或取值越界 (index or value out of range): {index}")
        for offset in range(status_size):
            if value >> (status_size - 1 - offset) & 1:
                position = index * status_size + offset
                bits[position // 8] |= 0x80 >> (position % 8)
    return multibase_base64url(gzip.compress(bytes(bits), mtime=0))


def read_value(bits: bytes, index: int, status_size: int) -> int:
    """The ``status_size``-bit value of entry ``index`` (most significant bit first)."""
    if index < 0 or (index + 1) * status_size > len(bits) * 8:
        raise StatusListError(f"状态位序号越界 (status index out of range): {index}")
    value = 0
    for position in range(index * status_size, (index + 1) * status_size):
        value = value * 2 + bit_is_set(bits, position)
    return value


def _check_purpose(purpose: str) -> None:
    if purpose not in STATUS_PURPOSES:
        raise StatusListError(f"状态用途应为 {STATUS_PURPOSES} (purpose must be one of them)")


def _entry(list_url: str, index: int, purpose: str) -> dict:
    if index < 0:
        raise StatusListError(f"状态位序号越界 (status index out of range): {index}")
    return {
        "id": f"{list_url}#{index}",
        "type": ENTRY_TYPE,
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def status_entry(list_url: str, index: int, purpose: str) -> dict:
    """A ``credentialStatus`` entry pointing at bit ``index`` of the list at ``list_url``."""
    _check_purpose(purpose)
    return _entry(list_url, index, purpose)


def message_status_entry(list_url: str, index: int) -> dict:
    """A ``credentialStatus`` entry of purpose ``message`` (2 bits) naming our four values."""
    return {
        **_entry(list_url, index, MESSAGE_PURPOSE),
        "statusSize": MESSAGE_STATUS_SIZE,
        "statusMessage": [
            {"status": hex(value), "message": message}
            for value, message in enumerate(CERTIFICATE_STATUS_MESSAGES)
        ],
    }


def build_message_list_credential(
    list_url: str,
    values: Mapping[int, int],
    issuer: dict | str,
    valid_from: datetime,
    valid_until: datetime | None = None,
) -> dict:
    """Unsigned list credential of purpose ``message``: ``values`` maps index → value."""
    encoded = encode_values(values, MESSAGE_STATUS_SIZE)
    return _list_credential(list_url, MESSAGE_PURPOSE, encoded, issuer, valid_from, valid_until)


def build_status_list_credential(
    list_url: str,
    purpose: str,
    set_indexes: Iterable[int],
    issuer: dict | str,
    valid_from: datetime,
    size: int = MIN_LIST_SIZE,
    valid_until: datetime | None = None,
) -> dict:
    """Unsigned BitstringStatusListCredential; sign it with ``dataintegrity.sign``.

    Its issuer must be the issuer of the credentials that point at it (verifiers such as
    Digital Bazaar's check that they match), so a list belongs to one signing key.
    ``valid_from`` is when the list was generated; ``valid_until`` ends its freshness window
    (our verifier refuses a list past it or without it, so an old copy cannot be replayed).
    """
    _check_purpose(purpose)
    encoded = encode_bitstring(set_indexes, size)
    return _list_credential(list_url, purpose, encoded, issuer, valid_from, valid_until)


def _list_credential(
    list_url: str,
    purpose: str,
    encoded: str,
    issuer: dict | str,
    valid_from: datetime,
    valid_until: datetime | None,
) -> dict:
    dates = {"validFrom": xsd_datetime(valid_from)}
    if valid_until is not None:
        dates["validUntil"] = xsd_datetime(valid_until)
    return {
        "@context": [VC_V2_CONTEXT],
        "id": list_url,
        "type": ["VerifiableCredential", LIST_CREDENTIAL_TYPE],
        "issuer": issuer,
        **dates,
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": LIST_TYPE,
            "statusPurpose": purpose,
            "encodedList": encoded,
        },
    }
