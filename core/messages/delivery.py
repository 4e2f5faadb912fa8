"""The worker's side of the outbox: claim due messages with a lease, send each through its
gateway, record the result; failures are retried with growing delays, then marked failed.

Logs carry the message id and the masked recipient, never the body.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from core import clock, db
from core.messages.gateways import GatewayError, Outgoing, gateway_for
from core.messages.outbox import mask_recipient
from core.messages.tables import Message

log = logging.getLogger("registry.messages")

RETRY_DELAYS_S = (30, 120, 600, 1800, 7200)  # after the 1st, 2nd… failed attempt
MAX_ATTEMPTS = len(RETRY_DELAYS_S) + 1
LEASE = timedelta(minutes=2)  # a "sending" row older than this is claimed again
POLL_S = 2.0
CLEARED_BODY = "（验证码内容已在发送后清除）"


async def _claim(limit: int) -> list[dict]:
    now = clock.now()
    async with db.transaction():
        due = (Message.state == "pending") & (Message.next_attempt_at <= now)
        stale = (Message.state == "sending") & (Message.claimed_at < now - LEASE)
        query = (
            Message.select(Message.id, Message.channel, Message.recipient, Message.subject,
                           Message.body, Message.idempotency_key, Message.attempts, Message.kind)
            .where(due | stale).order_by(Message.id).limit(limit)
        )
        if not db.is_sqlite():
            query = query.lock_rows("UPDATE", skip_locked=True)
        rows = await query
        if rows:
            await Message.update({
                Message.state: "sending", Message.claimed_at: now,
                Message.attempts: Message.attempts + 1,
            }).where(Message.id.is_in([row["id"] for row in rows]))
    return rows


async def _send_one(row: dict) -> bool:
    gateway = gateway_for(row["channel"])
    outgoing = Outgoing(id=row["id"], channel=row["channel"], recipient=row["recipient"],
                        subject=row["subject"], body=row["body"],
                        idempotency_key=row["idempotency_key"])
    masked = mask_recipient(row["channel"], row["recipient"])
    attempt = row["attempts"] + 1
    try:
        ref = await gateway.send(outgoing)
    except (GatewayError, OSError) as error:
        failed = attempt >= MAX_ATTEMPTS or getattr(error, "final", False)
        delay = RETRY_DELAYS_S[min(attempt, len(RETRY_DELAYS_S)) - 1]
        await Message.update({
            Message.state: "failed" if failed else "pending",
            Message.next_attempt_at: clock.now() + timedelta(seconds=delay),
            Message.last_error: str(error)[:500],
        }).where(Message.id == row["id"])
        log.warning("message not sent", extra={"fields": {
            "message_id": row["id"], "to": masked, "attempt": attempt, "final": failed,
            "error": type(error).__name__}})
        return False
    changes: dict = {Message.state: "sent", Message.sent_at: clock.now(),
                     Message.gateway_ref: ref[:120], Message.last_error: ""}
    if not gateway.local and row["kind"] == "code":
        changes[Message.body] = CLEARED_BODY  # a code has no business staying in the database
    await Message.update(changes).where(Message.id == row["id"])
    log.info("message sent", extra={"fields": {"message_id": row["id"], "to": masked,
                                               "channel": row["channel"]}})
    return True


async def deliver_pending(limit: int = 50) -> int:
    """Send what is due (at most ``limit`` messages); returns how many were sent. Safe to run in
    several workers at once on PostgreSQL (rows are claimed with SKIP LOCKED)."""
    sent = 0
    for row in await _claim(limit):
        sent += await _send_one(row)
    return sent


async def _loop() -> None:
    while True:
        try:
            while await deliver_pending():
                pass
        except Exception:  # noqa: BLE001 — delivery must not stop for one bad round
            log.exception("message delivery round failed")
        await asyncio.sleep(POLL_S)


_task: asyncio.Task | None = None


async def start() -> None:
    """Start delivering in this process (the app calls this when RUN_JOBS is on)."""
    global _task
    _task = asyncio.create_task(_loop(), name="message-delivery")


async def stop() -> None:
    global _task
    if _task is not None:
        _task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await _task
        _task = None
