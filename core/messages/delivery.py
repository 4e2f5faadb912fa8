"""The worker's side of the outbox: claim due messages with a lease, send each through its
gateway, record the result; failures are retried with growing delays, then marked failed.

A claimed message is leased to this worker (``owner``, ``lease_until``; core.worker): the lease
is renewed while the batch is sent and checked again just before each send, a message whose
lease ran out (its worker died) is claimed again within seconds, and only the holder of the
current attempt records the outcome, so two live workers never send one message twice.

Logs carry the message id and the masked recipient, never the body.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta
from typing import Any

from core import clock, db, worker
from core.messages.gateways import GatewayError, Outgoing, gateway_for
from core.messages.outbox import mask_recipient
from core.messages.tables import Message, MessageState

log = logging.getLogger("registry.messages")

RETRY_DELAYS_S = (30, 120, 600, 1800, 7200)  # after the 1st, 2nd… failed attempt
MAX_ATTEMPTS = len(RETRY_DELAYS_S) + 1
LEASE = worker.LEASE  # a "sending" row whose lease is this much past is claimed again
CLAIM_BATCH = 10  # messages leased at a time
POLL_S = 2.0
STOP_WAIT_S = 30.0  # on stop, how long the message in hand may take (gateway timeouts: ≤ 20 s)
CLEARED_BODY = "（验证码内容已在发送后清除）"


async def _claim(limit: int) -> list[dict]:
    """Lease up to ``limit`` due messages (or ones whose lease ran out) to this worker; each
    returned row's ``attempts`` is the count before this claim."""
    now = clock.now()
    async with db.transaction():
        due = (Message.state == MessageState.PENDING) & (Message.next_attempt_at <= now)
        stale = worker.lease_lapsed(Message, MessageState.SENDING)
        rows = await worker.skip_locked(
            Message.select(Message.id, Message.channel, Message.recipient, Message.subject,
                           Message.body, Message.idempotency_key, Message.attempts, Message.kind)
            .where(due | stale).order_by(Message.id).limit(limit)
        )
        if rows:
            await worker.take_leases(Message, [row["id"] for row in rows],
                                     MessageState.SENDING, now)
    return rows


def _held(row: dict) -> Any:
    """The message is still this worker's, for the attempt it claimed (core.worker.still_held)."""
    return worker.still_held(Message, MessageState.SENDING, row)


async def _release(rows: list[dict]) -> None:
    """Give back messages claimed but not attempted (a stop): pending again, attempt uncounted."""
    for row in rows:
        await Message.update({
            Message.state: MessageState.PENDING, Message.lease_until: None,
            Message.attempts: Message.attempts - 1,
        }).where(_held(row))


async def _send_one(row: dict) -> bool:
    gateway = gateway_for(row["channel"])
    outgoing = Outgoing(id=row["id"], channel=row["channel"], recipient=row["recipient"],
                        subject=row["subject"], body=row["body"],
                        idempotency_key=row["idempotency_key"])
    masked = mask_recipient(row["channel"], row["recipient"])
    attempt = row["attempts"] + 1
    # Confirm the lease just before sending: another worker may have it if ours ran out.
    held = await Message.update({Message.lease_until: worker.lease_deadline()}).where(
        _held(row)).returning(Message.id)
    if not held:
        log.warning("message lease lost, not sent", extra={"fields": {
            "message_id": row["id"], "attempt": attempt, "worker": worker.worker_id()}})
        return False
    try:
        ref = await gateway.send(outgoing)
    except (GatewayError, OSError) as error:
        failed = attempt >= MAX_ATTEMPTS or getattr(error, "final", False)
        delay = RETRY_DELAYS_S[min(attempt, len(RETRY_DELAYS_S)) - 1]
        await Message.update({
            Message.state: MessageState.FAILED if failed else MessageState.PENDING,
            Message.next_attempt_at: clock.now() + timedelta(seconds=delay),
            Message.last_error: str(error)[:500], Message.lease_until: None,
        }).where(_held(row))
        log.warning("message not sent", extra={"fields": {
            "message_id": row["id"], "to": masked, "attempt": attempt, "final": failed,
            "error": type(error).__name__}})
        return False
    changes: dict = {Message.state: MessageState.SENT, Message.sent_at: clock.now(),
                     Message.gateway_ref: ref[:120], Message.last_error: "",
                     Message.lease_until: None}
    if not gateway.local and row["kind"] == "code":
        changes[Message.body] = CLEARED_BODY  # a code has no business staying in the database
    recorded = await Message.update(changes).where(_held(row)).returning(Message.id)
    if not recorded:  # our lease ran out during the send; the gateway has the idempotency key
        log.warning("message sent after its lease ran out", extra={"fields": {
            "message_id": row["id"], "to": masked, "worker": worker.worker_id()}})
    log.info("message sent", extra={"fields": {"message_id": row["id"], "to": masked,
                                               "channel": row["channel"]}})
    return True


async def deliver_pending(limit: int = 50, stopping: asyncio.Event | None = None) -> int:
    """Send what is due (at most ``limit`` messages, leased ``CLAIM_BATCH`` at a time); returns
    how many were sent. Safe to run in several workers at once (rows are leased; SKIP LOCKED on
    PostgreSQL). When ``stopping`` is set, the message in hand is finished and the rest of the
    batch given back."""
    sent = handled = 0
    while handled < limit and not (stopping is not None and stopping.is_set()):
        rows = await _claim(min(CLAIM_BATCH, limit - handled))
        if not rows:
            break
        waiting = list(rows)
        async with worker.renewing_leases(
                Message, MessageState.SENDING,
                lambda waiting=waiting: [row["id"] for row in waiting]):
            while waiting and not (stopping is not None and stopping.is_set()):
                sent += await _send_one(waiting[0])
                waiting.pop(0)
            await _release(waiting)
        handled += len(rows)
    return sent


async def _loop(stopping: asyncio.Event) -> None:
    while not stopping.is_set():
        try:
            while await deliver_pending(stopping=stopping):
                pass
        except Exception:  # noqa: BLE001 — delivery must not stop for one bad round
            log.exception("message delivery round failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), POLL_S)


_task: asyncio.Task | None = None
_stopping: asyncio.Event | None = None


async def start() -> None:
    """Start delivering in this process (a Background's start: the worker, or a web process
    with RUN_JOBS)."""
    global _task, _stopping
    if _task is not None:
        return
    _stopping = asyncio.Event()
    _task = asyncio.create_task(_loop(_stopping), name="message-delivery")


async def stop() -> None:
    """Send no more: finish the message in hand (up to ``STOP_WAIT_S``), give back the rest."""
    global _task, _stopping
    if _task is not None and _stopping is not None:
        _stopping.set()
        try:
            await asyncio.wait_for(asyncio.shield(_task), STOP_WAIT_S)
        except TimeoutError:
            _task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await _task
        _task = _stopping = None
