"""The daily reminder pass of the labour package, through the outbox (core.messages): each
person with a phone on file is sent an SMS (kind ``reminder``, skipped for a person who opted
out) before a certificate or health check expires or a labour contract ends within
``REMIND_DAYS`` days, once per item (the idempotency key names the item and its due day).

It lives here, not in ``employers.notices``, because what is due comes from
``employers.labour.services.reminders`` (contracts are labour's records) and the employers
package never imports its labour package; labour's declaration runs it as the ``reminders``
task (core.domain.Task).
"""

from __future__ import annotations

import hashlib
import logging
from datetime import date, timedelta

from core import clock, db
from core.credentials import CredentialStatus
from core.messages.outbox import enqueue
from core.tables import Credential, Person
from employers.facilities import LinkStatus
from employers.labour.services.reminders import person_reminders
from employers.notices import SIGN
from employers.tables import StaffLink

log = logging.getLogger("registry.messages")
REMIND_DAYS = 30


def reminder_text(kind_label: str, what: str, due_on: date, days_left: int) -> str:
    """The SMS of one reminder. Pure."""
    when = "今天" if days_left == 0 else f"{days_left} 天后（{due_on.isoformat()}）"
    return (f"{SIGN}到期提醒：您的{what}将于{when}到期（{kind_label}），请及时办理。"
            "不想再收到提醒，可在平台“我的信息”中关闭。")


def reminder_key(kind: str, person_id: int, what: str, due_on: date) -> str:
    """Once per item and due day: a renewed item (new due day) is reminded again."""
    digest = hashlib.sha256(what.encode()).hexdigest()[:16]
    return f"reminder:{kind}:{person_id}:{due_on.isoformat()}:{digest}"


async def _candidates(today: date) -> dict[int, dict]:
    """People with a phone who may have something due: a valid credential expiring within the
    window, any valid health check (its validity comes from the rules), or a staff link (its
    contracts)."""
    last = today + timedelta(days=REMIND_DAYS)
    ids: set[int] = set()
    for row in await Credential.select(Credential.person).where(
            (Credential.status == CredentialStatus.VALID)
            & ((Credential.code == "HEALTH_CERT")
               | ((Credential.expires_on >= today) & (Credential.expires_on <= last)))):
        ids.add(row["person"])
    for row in await StaffLink.select(StaffLink.person).where(StaffLink.status != LinkStatus.ENDED):
        ids.add(row["person"])
    people: dict[int, dict] = {}
    chunk = sorted(ids)
    for i in range(0, len(chunk), 500):
        for row in await Person.select(Person.id, Person.name, Person.phone).where(
                Person.id.is_in(chunk[i:i + 500]) & Person.phone.is_not_null()):
            if row["phone"]:
                people[row["id"]] = row
    return people


async def send_due_reminders(today: date | None = None) -> int:
    """Write the reminders due today (China date): each certificate or health check expiring and
    each labour contract ending within ``REMIND_DAYS`` days, once per item; skipped for people
    who opted out (core.messages.outbox). Idempotent: safe to run every hour in every worker.
    Returns how many messages were written."""
    today = today or clock.today()
    written = 0
    for person_id, person in (await _candidates(today)).items():
        for reminder in await person_reminders(person_id, person["name"], today):
            if not 0 <= reminder.days_left <= REMIND_DAYS:
                continue
            async with db.transaction():
                written += bool(await enqueue(
                    "sms", person["phone"],
                    reminder_text(reminder.kind_label, reminder.what, reminder.due_on,
                                  reminder.days_left),
                    kind="reminder", topic=f"reminder.{reminder.kind}", person_id=person_id,
                    idempotency_key=reminder_key(reminder.kind, person_id, reminder.what,
                                                 reminder.due_on)))
    if written:
        log.info("reminders written", extra={"fields": {"count": written}})
    return written


_last_run: date | None = None


async def daily_reminders() -> int:
    """The housekeeping task: ``send_due_reminders`` once per China day in this process."""
    global _last_run
    today = clock.today()
    if _last_run == today:
        return 0
    written = await send_due_reminders(today)
    _last_run = today
    return written
