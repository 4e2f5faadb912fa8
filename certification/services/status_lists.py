"""The status lists our credentials point at: revocation, suspension and message.

Each signing key has its own lists (a list's issuer must be the issuer of the credentials that
point at it), in blocks of MIN_LIST_SIZE entries: list id ``<key id>-<block>``. A certificate's
bit is its ``status_index`` within the block.

- revocation: set for revoked *and* superseded certificates, so every standard verifier refuses
  a certificate that was re-issued under a new number;
- suspension: set for suspended ones;
- message (2 bits, Bitstring Status List ``statusSize`` 2): the value names why, so verifiers
  that read it tell superseded from revoked (values: vc.status_list.CERTIFICATE_STATUS_MESSAGES).
  Credentials issued before this list existed carry no message entry.
Expiry is validUntil's job, in no list.

Every signed list carries ``validFrom`` (when it was generated) and ``validUntil`` (validFrom +
the STATUS_LIST_VALIDITY_HOURS setting, default 24 h): verifiers refuse an older copy, so a list
saved before a revocation cannot be replayed. A list is re-signed when a value changed, and
also once half its window has passed, so what is served always stays fresh for at least half
a window even when nothing changed.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from certification.keys import issuer_of, key_by_id
from certification.signing import sign_credential
from certification.tables import CertificateRecord
from certification.vc.status_list import (
    CERTIFICATE_STATUS_MESSAGES,
    MESSAGE_PURPOSE,
    MIN_LIST_SIZE,
    build_message_list_credential,
    build_status_list_credential,
    message_status_entry,
    status_entry,
)
from core import clock
from core.settings import get_settings

STATUS_PATH = "/credentials/status"
# Which credential statuses set a bit in which one-bit list.
PURPOSE_STATUSES = {"revocation": ("revoked", "superseded"), "suspension": ("suspended",)}
# The message list's value for each credential status (others: 0, "valid").
MESSAGE_VALUES = {
    status: CERTIFICATE_STATUS_MESSAGES.index(status)
    for status in ("revoked", "superseded", "suspended")
}
LIST_PURPOSES = (*PURPOSE_STATUSES, MESSAGE_PURPOSE)


def list_id_of(key_id: int, index: int) -> str:
    return f"{key_id}-{index // MIN_LIST_SIZE + 1}"


def parse_list_id(list_id: str) -> tuple[int, int] | None:
    key, _, block = list_id.partition("-")
    if not (key.isdigit() and block.isdigit()) or int(block) < 1:
        return None
    return int(key), int(block)


def status_list_url(purpose: str, list_id: str) -> str:
    return f"{get_settings().public_base_url}{STATUS_PATH}/{purpose}/{list_id}"


def status_entries(key_id: int, status_index: int) -> list[dict]:
    """The credentialStatus entries of a certificate signed by key ``key_id``."""
    list_id = list_id_of(key_id, status_index)
    bit = status_index % MIN_LIST_SIZE
    entries = [status_entry(status_list_url(p, list_id), bit, p) for p in PURPOSE_STATUSES]
    return [*entries, message_status_entry(status_list_url(MESSAGE_PURPOSE, list_id), bit)]


# (purpose, list id, key DID) → (the values, the signed list, when it was generated)
_signed_lists: dict[tuple[str, str, str], tuple[tuple, dict, datetime]] = {}


def list_window() -> timedelta:
    """How long a signed list stays fresh (setting STATUS_LIST_VALIDITY_HOURS, default 24)."""
    return timedelta(hours=get_settings().status_list_validity_hours)


def _still_fresh(generated: datetime, now: datetime) -> bool:
    """A cached list is served while less than half its window has passed (and the clock has
    not gone back before it was generated)."""
    return generated <= now < generated + list_window() / 2


async def status_list_credential(purpose: str, list_id: str) -> dict | None:
    """The signed list, rebuilt whenever a value changed (so a revocation shows at once) and
    when half its freshness window has passed; None for an unknown purpose, list id or key."""
    parsed = parse_list_id(list_id)
    if purpose not in LIST_PURPOSES or parsed is None:
        return None
    key_id, block = parsed
    key = await key_by_id(key_id)
    if key is None:
        return None
    low, high = (block - 1) * MIN_LIST_SIZE, block * MIN_LIST_SIZE
    statuses = PURPOSE_STATUSES.get(purpose, tuple(MESSAGE_VALUES))
    rows = await CertificateRecord.select(
        CertificateRecord.status_index, CertificateRecord.credential.status.as_alias("status")
    ).where(
        (CertificateRecord.status_key == key_id)
        & (CertificateRecord.status_index >= low) & (CertificateRecord.status_index < high)
        & CertificateRecord.credential.status.is_in(list(statuses))
    )
    state = tuple(sorted((r["status_index"] - low, r["status"]) for r in rows))
    now = clock.now()
    cached = _signed_lists.get((purpose, list_id, key.did))
    if cached and cached[0] == state and _still_fresh(cached[2], now):
        return cached[1]
    url = status_list_url(purpose, list_id)
    valid_from = now.replace(microsecond=0)
    valid_until = valid_from + list_window()
    if purpose == MESSAGE_PURPOSE:
        values = {index: MESSAGE_VALUES[status] for index, status in state}
        unsigned = build_message_list_credential(
            url, values, issuer_of(key), valid_from, valid_until)
    else:
        bits = [index for index, _ in state]
        unsigned = build_status_list_credential(
            url, purpose, bits, issuer_of(key), valid_from, valid_until=valid_until)
    signed = await asyncio.to_thread(sign_credential, unsigned, key.private_pem, key.did)
    _signed_lists[(purpose, list_id, key.did)] = (state, signed, valid_from)
    return signed
