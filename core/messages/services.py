"""What a person or an account chooses about messages, each change in its own transaction with
its audit row: reminders on or off (a person), the address for notices by e-mail (an account).
The pages (``core.messages.pages``) call these."""

from __future__ import annotations

import re
from typing import Any

from core import audit, clock, db
from core.errors import NotFound, ValidationError
from core.messages.outbox import mask_recipient, reminders_refused
from core.messages.tables import ReminderOptOut
from core.tables import User


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
