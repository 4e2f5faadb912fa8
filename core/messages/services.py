"""What a person or an account chooses about messages, each change in its own transaction with
its audit row: reminders on or off (a person), the address for notices by e-mail (an account);
and the outbox as the admins' list reads it. The pages (``core.messages.pages``) call these."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core import audit, clock, db
from core.errors import NotFound, ValidationError
from core.messages.outbox import mask_recipient, reminders_refused
from core.messages.tables import Message, MessageState, ReminderOptOut
from core.pagination import Page
from core.tables import User


@dataclass(frozen=True)
class OutboxRow:
    """One outbox message as the admins' list shows it: ``recipient`` masked
    (``mask_recipient``); ``channel`` sms | email, ``kind`` code | notice | reminder, ``topic``
    (e.g. certificate.revoked, "" for none); ``attempts`` made so far, ``last_error`` of the
    latest (None or "" for none). ``subject`` and ``body`` are None unless the list was read
    with them (the embedded gateways only)."""

    id: int
    channel: str
    kind: str
    topic: str
    recipient: str
    state: MessageState
    attempts: int
    created_at: datetime
    sent_at: datetime | None
    next_attempt_at: datetime | None
    last_error: str | None
    subject: str | None = None
    body: str | None = None


_OUTBOX_COLUMNS = (
    Message.id, Message.channel, Message.kind, Message.topic, Message.recipient, Message.state,
    Message.attempts, Message.created_at, Message.sent_at, Message.next_attempt_at,
    Message.last_error)


async def list_messages(state: str, number: int, per: int, *,
                        with_bodies: bool) -> Page[OutboxRow]:
    """Page ``number`` (``per`` rows) of the outbox, newest first, only of ``state`` when it
    is a MessageState value (else every state). Recipients are masked; ``subject`` and ``body``
    are read only ``with_bodies`` (the embedded set-up), else never leave the database."""
    columns = (*_OUTBOX_COLUMNS, Message.subject, Message.body) if with_bodies \
        else _OUTBOX_COLUMNS
    query, count = Message.select(*columns).order_by(Message.id, ascending=False), Message.count()
    if state in tuple(MessageState):
        query, count = query.where(Message.state == state), count.where(Message.state == state)
    result = Page([], number, per, await count, query={"state": state})
    result.items = [
        OutboxRow(**{**row, "state": MessageState(row["state"]),
                     "recipient": mask_recipient(row["channel"], row["recipient"])})
        for row in await query.limit(per).offset(result.offset)]
    return result


async def set_reminders(person_id: int, wanted: bool, actor: Any) -> bool:
    """Turn reminders (expiry, contracts ending) on or off for a person; notices about their
    own certificates, filings and consent are sent either way. Audited when it changes;
    returns whether anything changed."""
    async with db.transaction():
        refused = await reminders_refused(person_id)
        if refused == (not wanted):
            return False
        if wanted:
            await ReminderOptOut.delete().where(ReminderOptOut.person == person_id)
        else:
            await ReminderOptOut(person=person_id, created_at=clock.now()).save()
        await audit.record(actor, "person.reminders", "person", person_id,
                           before={"reminders": refused is False},
                           after={"reminders": wanted})
    return True


# local@domain.tld, ASCII (what SMTP servers accept without SMTPUTF8)
EMAIL = re.compile(r"^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63})+$")


def check_email(value: str) -> str:
    """The trimmed address, or "" (no e-mail). Raises ValidationError (422, field ``email``)
    for anything that is not local@domain.tld of at most 254 characters."""
    email = (value or "").strip()
    if email and (len(email) > 254 or not EMAIL.match(email)):
        raise ValidationError("邮箱地址格式不正确，例如 name@example.com", "email")
    return email


async def notice_email_of(user_id: int) -> str:
    """The user's address for notices by e-mail, "" for none (or no such user)."""
    row = await User.select(User.email).where(User.id == user_id).first()
    return row["email"] if row else ""


async def set_notice_email(user_id: int, value: str, actor: Any) -> str:
    """Save the user's address for notices (e.g. a facility's filing decisions); audited with
    the masked address. Returns the saved address; raises ValidationError, writing nothing."""
    email = check_email(value)
    async with db.transaction():
        row = await User.select(User.email).where(User.id == user_id).first()
        if row is None:
            raise NotFound("未找到该用户")
        if row["email"] != email:
            await User.update({User.email: email}).where(User.id == user_id)
            await audit.record(actor, "user.notice_email", "user", user_id,
                               before={"email": mask_recipient("email", row["email"])
                                       if row["email"] else ""},
                               after={"email": mask_recipient("email", email) if email else ""})
    return email
