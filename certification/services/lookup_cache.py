"""The public lookup's rows kept in this process, and how a change anywhere empties them.

The public verification (certification.services.verification) is the hottest endpoint; its one
query costs more than everything else the request does. ``LookupCache`` keeps what the query
returned (already shaped for the public, with the holder's name keys for matching) by
normalised certificate number, bounded (least recently used out). What depends on the request
is still done per request by the caller: matching the name or the code, and reading a valid
certificate past its expiry date as expired on today's China date. Unknown numbers are not
kept (an issuance needs no invalidation).

A cached entry is served only while its invalidation is live, so a status change made by any
process, worker or command shows on the next lookup:

- PostgreSQL: one listening connection per web process (``PgListener``, started by the app's
  on_startup through the certification Domain) receives ``credential_lookup`` notifications,
  sent by triggers on ``credential``, ``certificate_record`` and ``person`` in the same
  transaction as the change (migration registry_2026_11_30t07_10_00_000000): the number of the
  certificate whose public answer changed, or an empty payload (TRUNCATE) for everything. The
  cache is off (and empty) until the listener connects, and goes off and empty the moment the
  connection is lost or a keep-alive query fails; it comes back, empty, on reconnection. A
  change made by this very process is also marked ``pending`` inside its transaction (the
  ``core.credentials.LISTENERS`` hook), so a lookup right after the officer's request never
  waits for the notification to arrive: the number bypasses the cache until it does.
- SQLite: ``PRAGMA data_version`` on the kept reader connection changes when any other
  connection (this process or another) commits; a change empties the cache before the lookup
  (read once per turn of the event loop: verification._sqlite_cache_check says why that is
  enough).

A row fetched while an invalidation arrived is not stored (``epoch``): it may predate the
change.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any

log = logging.getLogger("registry.verification")

CHANNEL = "credential_lookup"
CACHE_ENTRIES = 50_000  # ~0.32 kB each (measured): ~16 MB per web process when full
PENDING_SECONDS = 30.0  # a change of this process never confirmed (rolled back) stops bypassing
KEEPALIVE_SECONDS = 5.0  # the listener's connection is checked this often
RECONNECT_SECONDS = 1.0


class LookupCache:
    """Entries by normalised number, at most ``size``; served only while ``live``.

    ``get`` returns the entry or None; ``put(number, entry, epoch)`` stores it only if no
    invalidation happened since ``epoch`` was read (``self.epoch`` before the fetch)."""

    def __init__(self, size: int = CACHE_ENTRIES) -> None:
        self.size = size
        self.entries: dict[str, Any] = {}
        self.live = False
        self.epoch = 0
        self.pending: dict[str, float] = {}  # number -> monotonic deadline (changes of ours)

    def get(self, number: str) -> Any:
        if not self.live:
            return None
        if self.pending and number in self.pending:
            if self.pending[number] > time.monotonic():
                return None
            del self.pending[number]
        entry = self.entries.pop(number, None)
        if entry is not None:
            self.entries[number] = entry  # most recently used last
        return entry

    def put(self, number: str, entry: Any, epoch: int) -> None:
        if not self.live or epoch != self.epoch or number in self.pending:
            return
        entries = self.entries
        entries[number] = entry
        if len(entries) > self.size:
            del entries[next(iter(entries))]

    def forget(self, number: str) -> None:
        """A notification: ``number`` changed ('' : anything may have)."""
        self.epoch += 1
        if number:
            self.entries.pop(number, None)
            self.pending.pop(number, None)
        else:
            self.entries.clear()
            self.pending.clear()

    def changing(self, number: str) -> None:
        """This process is changing ``number`` (inside the transaction, before its commit): no
        cached answer for it until the notification of the commit arrives."""
        self.epoch += 1
        self.entries.pop(number, None)
        self.pending[number] = time.monotonic() + PENDING_SECONDS

    def start(self) -> None:
        """Invalidation is live: serve and store from now on, starting empty."""
        self.clear()
        self.live = True

    def stop(self) -> None:
        """Invalidation is lost: serve nothing from the cache until ``start``."""
        self.live = False
        self.clear()

    def clear(self) -> None:
        self.epoch += 1
        self.entries.clear()
        self.pending.clear()


class PgListener:
    """The LISTEN connection of this web process: ``cache`` is live exactly while it is
    connected and answering. ``connect`` opens a new asyncpg connection (the engine's)."""

    def __init__(self, cache: LookupCache, connect: Callable[[], Any]) -> None:
        self.cache = cache
        self.connect = connect
        self.task: asyncio.Task | None = None
        self.conn: Any = None
        self.lost = asyncio.Event()

    async def start(self) -> None:
        """Connect (the first attempt awaited, so the cache is live once the app has started),
        then keep the connection in a task, reconnecting after a loss."""
        await self._open()
        self.task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        self.cache.stop()
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
            self.task = None
        await self._close()

    async def _open(self) -> bool:
        self.lost = asyncio.Event()
        try:
            conn = await self.connect()
            self.conn = conn
            conn.add_termination_listener(self._terminated)
            await conn.add_listener(CHANNEL, self._notified)
        except Exception as error:  # noqa: BLE001 — no cache until the database answers
            log.warning("lookup cache off: cannot listen for changes (%s)", type(error).__name__)
            self.cache.stop()
            await self._close()
            return False
        self.cache.start()
        return True

    async def _close(self) -> None:
        conn, self.conn = self.conn, None
        if conn is not None and not conn.is_closed():
            try:
                await asyncio.wait_for(conn.close(), KEEPALIVE_SECONDS)
            except Exception:  # noqa: BLE001 — a broken connection: drop it
                conn.terminate()

    def _notified(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        self.cache.forget(payload)

    def _terminated(self, conn: Any) -> None:
        if conn is self.conn:  # not an old connection being closed
            self.dropped()

    def dropped(self) -> None:
        """The connection is gone (or did not answer): nothing cached is trusted any more."""
        self.cache.stop()
        self.lost.set()

    async def _run(self) -> None:
        while True:
            if self.conn is not None:
                try:
                    await asyncio.wait_for(self.lost.wait(), KEEPALIVE_SECONDS)
                except TimeoutError:
                    try:
                        await self.conn.fetchval("SELECT 1", timeout=KEEPALIVE_SECONDS)
                        continue
                    except Exception:  # noqa: BLE001 — treated as a lost connection
                        self.dropped()
                log.warning("lookup cache off: the change listener's connection was lost")
                await self._close()
            await asyncio.sleep(RECONNECT_SECONDS)
            await self._open()
