"""Tables of the outbox and of one-time codes."""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from core.tables import Person


class MessageState(StrEnum):
    """An outbox message's state (Message.state); the values are what the database holds. The
    worker (core.messages.delivery) moves it: pending → sending (leased) → sent, back to
    pending for a retry, or failed after the last attempt."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class Message(Table, tablename="message_outbox"):
    """One SMS or e-mail to send. ``state``: pending → sending → sent, or failed after the last
    attempt; a ``sending`` row is leased to one worker (``owner`` until ``lease_until``, renewed
    while it sends) and claimed again once the lease runs out.
    ``idempotency_key`` is unique: writing the same notice twice keeps one row, and the gateway
    receives the key so a retried send is not delivered twice."""

    id = Serial(primary_key=True)
    channel = Varchar(length=10)  # sms | email
    kind = Varchar(length=20)  # code | notice | reminder
    topic = Varchar(length=60, default="")  # e.g. certificate.revoked, otp.claim
    recipient = Varchar(length=255)
    subject = Varchar(length=200, default="")
    body = Text(default="")
    person = ForeignKey(Person, null=True, default=None, index=True)
    idempotency_key = Varchar(length=120, unique=True)
    state = Varchar(length=10, default=MessageState.PENDING.value, index=True)
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(index=True)
    claimed_at = Timestamptz(null=True, default=None)
    lease_until = Timestamptz(null=True, default=None)
    owner = Varchar(length=80, default="")
    sent_at = Timestamptz(null=True, default=None)
    gateway_ref = Varchar(length=120, default="")
    last_error = Varchar(length=500, default="")
    created_at = Timestamptz()


class OneTimeCode(Table, tablename="one_time_code"):
    """A 6-digit code sent by SMS, kept as an HMAC only. ``subject`` names what it proves
    (e.g. ``claim:12``, ``reset:user:7``)."""

    id = Serial(primary_key=True)
    purpose = Varchar(length=30, index=True)
    subject = Varchar(length=100, index=True)
    code_hash = Varchar(length=64)
    tries = Integer(default=0)
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(index=True)





class ReminderOptOut(Table, tablename="message_reminder_opt_out"):
    """A person who asked for no reminders (expiry, contracts). Notices about their own
    certificates and filings are still sent: they are not reminders."""

    id = Serial(primary_key=True)
    person = ForeignKey(Person, unique=True, index=True)
    created_at = Timestamptz()
TABLES = [Message, OneTimeCode, ReminderOptOut]
