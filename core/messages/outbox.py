"""Writing messages to the outbox, in the caller's transaction.

A state change and the message announcing it commit together or not at all; the worker
(``core.messages.delivery``) sends what was committed. Nothing here talks to a gateway.
"""

from __future__ import annotations

import secrets
from typing import Literal

from core import clock
from core.messages.tables import Message, MessageState, ReminderOptOut

Channel = Literal["sms", "email"]
Kind = Literal["code", "notice", "reminder"]
KINDS = ("code", "notice", "reminder")


def mask_recipient(channel: str, recipient: str) -> str:
    """What logs and status-only pages show of a recipient: 138****1234, z***@example.com."""
    if channel == "email":
        local, _, domain = recipient.partition("@")
        return f"{local[:1]}***@{domain}" if domain else "***"
    digits = recipient
    return digits[:3] + "****" + digits[-4:] if len(digits) >= 11 else "*" * len(digits)


async def reminders_refused(person_id: int | None) -> bool:
    """True when the person opted out of reminders."""
    if person_id is None:
        return False
    return bool(await ReminderOptOut.exists().where(ReminderOptOut.person == person_id))


async def enqueue(
    channel: Channel,
    recipient: str,
    body: str,
    *,
    kind: Kind,
    topic: str = "",
    subject: str = "",
    person_id: int | None = None,
    idempotency_key: str | None = None,
) -> int | None:
    """Add one message to the outbox; call it inside the transaction of the change it reports.

    ``recipient``: a normalised mobile number (sms) or an e-mail address. ``kind``: ``code``
    (one-time codes), ``notice`` (about the person's own certificates, filings, consent) or
    ``reminder`` (expiry, contracts ending: not written when the person opted out).
    ``idempotency_key``: the same key twice writes one message (the first); default random.
    Returns the message id, or None when nothing was written (opted out, or a duplicate key).
    Raises ValueError for an unknown channel or kind (a programming error)."""
    if channel not in ("sms", "email") or kind not in KINDS:
        raise ValueError(f"unknown channel/kind {channel!r}/{kind!r}")
    if kind == "reminder" and await reminders_refused(person_id):
        return None
    key = idempotency_key or f"{topic or kind}:{secrets.token_hex(12)}"
    if await Message.exists().where(Message.idempotency_key == key):
        return None
    now = clock.now()
    row = Message(
        channel=channel, kind=kind, topic=topic, recipient=recipient, subject=subject,
        body=body, person=person_id, idempotency_key=key, state=MessageState.PENDING, attempts=0,
        next_attempt_at=now, created_at=now,
    )
    await row.save()
    return row.id
