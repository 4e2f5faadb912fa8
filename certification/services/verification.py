"""Public verification: by number + name, or number + verification code (the QR code).

An unknown number, a wrong name and a wrong code raise the same NotFound with the same message,
so the answers cannot be used to harvest numbers. At most one query per lookup (the endpoint is
hot), none when the certificate's public answer is in this process's cache
(certification.services.lookup_cache: emptied by every change, on both engines).
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from dataclasses import dataclass, replace
from datetime import date, datetime

from piccolo.engine.sqlite import SQLiteEngine

from certification.numbers import codes_match, normalise_code, normalise_number
from certification.services.lookup_cache import LookupCache, PgListener, log
from certification.tables import CertificateRecord
from certification.vc.credential import CERTIFICATE_TIMEZONE
from core.credentials import STATUS_LABELS
from core.db import SQLITE_BUSY_TIMEOUT_S, engine
from core.errors import NotFound
from core.identity import mask_name, name_key
from core.settings import get_settings

NOT_FOUND_MESSAGE = "未查到匹配的证书：请核对证书编号和姓名（或验证码）"
REASON_SHOWN = ("suspended", "revoked", "superseded", "expired")

_QUERY = """
SELECT c.number, c.code, c.level, c.issuer_name, c.issued_on, c.expires_on, c.status,
       c.status_reason, c.status_changed_at, c.verification_code,
       r.holder_name, r.qualification_name, r.level_name, r.kind, p.name AS person_name,
       n.number AS superseded_by_number
FROM credential c
JOIN certificate_record r ON r.credential = c.id
JOIN person p ON p.id = c.person
LEFT JOIN credential n ON n.id = c.superseded_by
WHERE c.number = {} AND c.source = 'issued'
"""


_readers: dict[str, tuple[sqlite3.Connection, sqlite3.Cursor]] = {}  # see _sqlite_reader
CACHE = LookupCache()  # this process's public answers (lookup_cache says when they are served)
_sqlite_version: list[int] = [-1]  # PRAGMA data_version the cached SQLite entries were read at
_SQLITE_QUERY = _QUERY.replace("{}", "?")


def _sqlite_reader(path: str) -> tuple[sqlite3.Connection, sqlite3.Cursor]:
    """A read-only connection kept open for lookups (Piccolo opens one per query on SQLite,
    which costs more than the lookup), and a cursor of it kept for the pragma. In WAL mode each
    statement sees the latest commit, so a revocation shows at once. A new database file
    (tests) starts an empty cache."""
    kept = _readers.get(path)
    if kept is None:
        for old, _ in _readers.values():
            old.close()
        _readers.clear()
        reader = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False,
                                 timeout=SQLITE_BUSY_TIMEOUT_S)
        reader.row_factory = sqlite3.Row
        kept = _readers[path] = (reader, reader.cursor())
        CACHE.start()
        _sqlite_version[0] = -1
    return kept


_checked_on: list[asyncio.AbstractEventLoop | None] = [None]  # see _sqlite_cache_check


def _sqlite_cache_check(path: str) -> None:
    """Empty the cache when any other connection (this process's writers, the worker, another
    process) committed since the entries were read: ``PRAGMA data_version`` of the reader of
    the database at ``path``.

    Read at most once per turn of the event loop: under load a few dozen lookups share one,
    and the pragma costs as much as the rest of a cached lookup. After a read, the lookups
    that skip it are those run before the reset scheduled by that read (call_soon, behind
    what was already scheduled). Each of them runs in a task step scheduled before the reset,
    so its request's bytes had arrived before the read: a commit completed before a client
    could have sent its request (say the revocation the officer saw confirmed) is seen. This
    holds because a request's first step is scheduled (create_task), not run inside the
    callback that received its bytes (uvicorn on Python 3.11; an eager task factory would
    break it), and because the loop runs on (a loop stopped with the reset pending skips one
    more read when restarted: harnesses only)."""
    loop = asyncio.get_running_loop()
    if _checked_on[0] is loop:
        return
    version = _sqlite_reader(path)[1].execute("PRAGMA data_version").fetchone()[0]
    if version != _sqlite_version[0]:
        CACHE.clear()
        _sqlite_version[0] = version
    _checked_on[0] = loop
    loop.call_soon(_checked_on.__setitem__, 0, None)


class _PgReaders:
    """The lookups of one event loop, coalesced: a few connections kept for them, and the
    numbers asked for while those connections are busy go together in the next query.

    Piccolo's pool resets every connection on release (one more round trip than the lookup
    itself) and re-plans the query; these connections keep the prepared statement and are
    used for plain autocommit reads, so each lookup sees the latest commit (a revocation shows
    at once). Alone, a lookup is one query as before; under load, the numbers that arrive
    while every connection is in use wait for the next free one and are fetched by one
    ``number = ANY($1)`` query (at most BATCH of them): one round trip, one parse/bind/execute
    on the server and one wake-up of this process for the lot, instead of one each."""

    BATCH = 64  # numbers per query at most

    def __init__(self) -> None:
        # VERIFY_LOOKUP_CONNECTIONS. Fewer mean fewer backends to wake and more numbers per
        # query: with PostgreSQL on the same 2 cores bench.verify measured 0.44 of the constant
        # endpoint with 4, 0.55 with 3, 0.56-0.60 with 2 and 0.51 with 1 (a lone connection
        # leaves the server idle between round trips)
        self.size = get_settings().verify_lookup_connections
        self.queue: dict[str, list[asyncio.Future]] = {}
        self.running = 0
        self.idle: list = []
        self.tasks: set[asyncio.Task] = set()  # the running drains (the loop keeps weak refs)

    async def fetch(self, db, number: str) -> dict | None:
        """The row of ``number`` (the _QUERY's columns), or None."""
        loop = asyncio.get_running_loop()
        waiter = loop.create_future()
        self.queue.setdefault(number, []).append(waiter)
        if self.running < self.size:
            self.running += 1
            task = loop.create_task(self._drain(db))
            self.tasks.add(task)
            task.add_done_callback(self._drained)  # also when cancelled before it ever ran
        return await waiter

    def _drained(self, task: asyncio.Task) -> None:
        self.tasks.discard(task)
        self.running -= 1

    async def _drain(self, db) -> None:
        """Fetch what is queued, batch after batch, on one connection, until nothing is."""
        conn = None
        try:
            while self.queue:
                batch = self._take()
                try:
                    if conn is None:
                        conn = self.idle.pop() if self.idle else await self._connect(db)
                    rows = await conn.fetch(_PG_QUERY, list(batch))
                except Exception as error:
                    if conn is not None and _refused(error):  # a value, not the connection
                        try:
                            await self._one_by_one(conn, batch)
                        except BaseException as broken:  # each waiter has its answer or error
                            conn.terminate()
                            conn = None
                            if not isinstance(broken, Exception):
                                raise
                        continue
                    if conn is not None:
                        conn.terminate()
                        conn = None
                    _fail(batch, error)
                    continue
                except BaseException as error:  # cancelled: the waiters are not left hanging
                    if conn is not None:
                        conn.terminate()
                        conn = None
                    _fail(batch, error)
                    raise
                _deliver(batch, rows)
        finally:
            if conn is not None:
                self.idle.append(conn)

    @staticmethod
    async def _one_by_one(conn, batch: dict[str, list[asyncio.Future]]) -> None:
        """The batch's statement was refused for one of its values: each number on its own,
        so that only the waiters of a refused number get the error. Any other error fails
        what is left of the batch and is raised (the connection is then dropped)."""
        numbers = list(batch)
        for i, number in enumerate(numbers):
            try:
                rows = await conn.fetch(_PG_QUERY, [number])
            except BaseException as error:
                if isinstance(error, Exception) and _refused(error):
                    _fail({number: batch[number]}, error)
                    continue
                _fail({n: batch[n] for n in numbers[i:]}, error)
                raise
            _deliver({number: batch[number]}, rows)

    @staticmethod
    async def _connect(db):
        """A new lookup connection. Its prepared lookup keeps one generic plan: by default
        PostgreSQL re-plans ``number = ANY($1)`` at every execution (its estimate for an array
        of unknown length favours custom plans), which cost three times the execution itself;
        the plan is the same every time (the unique index on the number, then primary keys)."""
        conn = await db.get_new_connection()
        try:
            await conn.execute("SET plan_cache_mode = force_generic_plan")
        except BaseException:
            conn.terminate()
            raise
        return conn

    def _take(self) -> dict[str, list[asyncio.Future]]:
        if len(self.queue) <= self.BATCH:
            batch, self.queue = self.queue, {}
            return batch
        numbers = list(self.queue)[: self.BATCH]
        return {number: self.queue.pop(number) for number in numbers}

    async def close(self) -> None:
        idle, self.idle = self.idle, []
        for conn in idle:
            await conn.close()


def _refused(error: BaseException) -> bool:
    """The server refused a value of the statement (asyncpg's DataError, SQLSTATE class 22:
    e.g. a character it cannot store); the connection itself is fine."""
    import asyncpg  # already loaded: lookups go through asyncpg on PostgreSQL only

    return isinstance(error, asyncpg.exceptions.DataError)


def _fail(batch: dict[str, list[asyncio.Future]], error: BaseException) -> None:
    for waiters in batch.values():
        for waiter in waiters:
            if not waiter.done():  # not cancelled (the client went away)
                waiter.set_exception(error)


def _deliver(batch: dict[str, list[asyncio.Future]], rows: list) -> None:
    found = {row["number"]: row for row in rows}
    for number, waiters in batch.items():
        row = found.get(number)
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(row)


_pg_readers: dict[asyncio.AbstractEventLoop, _PgReaders] = {}
_PG_QUERY = _QUERY.replace("c.number = {}", "c.number = ANY($1::text[])")


_listeners: dict[asyncio.AbstractEventLoop, PgListener] = {}


_warming: dict[asyncio.AbstractEventLoop, asyncio.Task] = {}
WARM_CHUNK = 500  # certificates read per query while warming


async def start_cache() -> None:
    """The app's on_startup: on PostgreSQL, listen for changes so that the cache may serve
    (SQLite needs no listener: see _sqlite_cache_check); then warm the cache in the background
    (warm_cache)."""
    db = engine()
    loop = asyncio.get_running_loop()
    if not isinstance(db, SQLiteEngine):
        listener = PgListener(CACHE, db.get_new_connection)
        _listeners[loop] = listener
        await listener.start()
    _warming[loop] = loop.create_task(_warm_in_background())


async def _warm_in_background() -> None:
    try:
        await warm_cache()
    except Exception as error:  # noqa: BLE001 — the cache fills by lookups instead
        log.warning("lookup cache not warmed (%s)", type(error).__name__)


async def warmed() -> None:
    """Wait until this event loop's start-up warming (start_cache) has finished (tests: so that
    nothing a test does races with it)."""
    task = _warming.get(asyncio.get_running_loop())
    if task is not None:
        await asyncio.shield(task)


_WARM_QUERY = _QUERY.replace("SELECT c.number,", "SELECT c.id AS credential_id, c.number,").replace(
    "WHERE c.number = {} AND c.source = 'issued'",
    "WHERE c.source = 'issued' AND c.id > {} ORDER BY c.id LIMIT {}")
_WARM_FROM = ("SELECT id FROM credential WHERE source = 'issued' ORDER BY id DESC "
              "LIMIT 1 OFFSET {}")  # the oldest of the newest ``limit``
# the two statements with each engine's placeholders
_WARM_SQLITE = (_WARM_FROM.replace("{}", "?"), _WARM_QUERY.replace("{}", "?"))
_WARM_PG = (_WARM_FROM.replace("{}", "$1"),
            _WARM_QUERY.replace("{}", "$1", 1).replace("{}", "$2", 1))


async def warm_cache(limit: int | None = None) -> int:
    """Fill this process's cache with the public answers of the newest issued certificates: as
    many as the cache has room for (or ``limit``), read WARM_CHUNK at a time from the oldest of
    them to the newest, so that the newest are the most recently used. A process that starts (a
    deploy, a restart) then answers the certificates most likely to be verified, those of people
    being hired, without a miss each, and does not send PostgreSQL a burst of them. Each chunk
    is stored at once under the rule of a miss's row (LookupCache.put: not when the cache's
    epoch moved since the chunk was read, on either engine), so a change costs only the chunk
    in flight; a number a lookup has cached meanwhile is left as it is. Returns how many
    answers were stored."""
    limit = CACHE.size - len(CACHE.entries) if limit is None else limit
    if limit <= 0:
        return 0
    db = engine()
    conn = None if isinstance(db, SQLiteEngine) else await db.get_new_connection()  # records
    start, chunk = _WARM_SQLITE if conn is None else _WARM_PG
    kept = 0
    try:
        if conn is None:
            row = _sqlite_reader(db.path)[0].execute(start, (limit - 1,)).fetchone()
        else:
            row = await conn.fetchrow(start, limit - 1)
        last_id = row[0] - 1 if row is not None else 0
        while True:
            if conn is None:
                _sqlite_cache_check(db.path)
            if not CACHE.live:
                break
            epoch = CACHE.epoch
            if conn is None:
                rows = _sqlite_reader(db.path)[0].execute(chunk, (last_id, WARM_CHUNK)).fetchall()
            else:
                rows = await conn.fetch(chunk, last_id, WARM_CHUNK)
            for row in rows:
                number = row["number"]
                if number not in CACHE.entries and epoch == CACHE.epoch and CACHE.live:
                    CACHE.put(number, _entry(row, number), epoch)
                    kept += number in CACHE.entries
            if len(rows) < WARM_CHUNK:
                break
            last_id = rows[-1]["credential_id"]
            await asyncio.sleep(0)  # requests go on between chunks
    except BaseException:
        if conn is not None:
            conn.terminate()  # cancelled or failed mid-query: never wait on the server
            conn = None
        raise
    finally:
        if conn is not None:
            try:
                await asyncio.wait_for(conn.close(), 5)
            except Exception:  # noqa: BLE001 — an unresponsive server: drop the connection
                conn.terminate()
    return kept


async def close_readers() -> None:
    """Close this event loop's lookup connections and its change listener (the app's
    on_shutdown); the cache stops serving."""
    loop = asyncio.get_running_loop()
    warming = _warming.pop(loop, None)
    if warming is not None:
        warming.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await warming
    listener = _listeners.pop(loop, None)
    if listener is not None:
        await listener.stop()
    readers = _pg_readers.pop(loop, None)
    if readers is not None:
        await readers.close()


async def changing(credential_id: int, _person_id: int, kind: str) -> None:
    """core.credentials listener, inside the transaction changing a credential: its number
    bypasses this process's cache until the commit's notification arrives, so the officer's
    next lookup (served by this process) never sees the old answer."""
    if kind == "created" or not CACHE.live or isinstance(engine(), SQLiteEngine):
        return  # unknown numbers are not cached; SQLite checks data_version on each lookup
    rows = await CertificateRecord.raw("SELECT number FROM credential WHERE id = {}",
                                       credential_id)
    for row in rows:
        CACHE.changing(row["number"])


async def _fetch(number: str) -> dict | None:
    db = engine()
    if isinstance(db, SQLiteEngine):
        # An indexed lookup takes tens of microseconds: cheaper inline than a thread hop.
        row = _sqlite_reader(db.path)[0].execute(_SQLITE_QUERY, (number,)).fetchone()
        return dict(row) if row is not None else None
    if _in_transaction(db):
        rows = await CertificateRecord.raw(_QUERY, number)  # see the transaction's own writes
        return rows[0] if rows else None
    loop = asyncio.get_running_loop()
    readers = _pg_readers.get(loop)
    if readers is None:
        readers = _pg_readers[loop] = _PgReaders()
    return await readers.fetch(db, number)


def _in_transaction(db: object) -> bool:
    current = getattr(db, "current_transaction", None)
    return current is not None and current.get() is not None


@dataclass(frozen=True, slots=True)
class PublicCertificate:
    number: str
    holder_name_masked: str
    qualification: str
    level: int | None
    level_name: str
    kind: str
    issuer: str
    issued_on: date
    expires_on: date | None
    status: str
    status_label: str
    status_date: date | None
    status_reason: str
    superseded_by: str | None

    @property
    def holder_name(self) -> str:
        """The holder's name as the public sees it (partly hidden)."""
        return self.holder_name_masked


def _as_date(value: object) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(CERTIFICATE_TIMEZONE).date()
    if isinstance(value, date):
        return value
    text = str(value)
    return datetime.fromisoformat(text).astimezone(CERTIFICATE_TIMEZONE).date() if "T" in text \
        or " " in text else date.fromisoformat(text)


def effective_status(status: str, expires_on: date | None, today: date) -> str:
    """A valid certificate past its expiry date reads as expired even before the nightly job."""
    if status == "valid" and expires_on is not None and expires_on < today:
        return "expired"
    return status


def _public_reason(stored: str, status: str, reason: str | None) -> str:
    """The public reason shown for ``status`` (stored as ``stored``): the officer's public
    reason (Credential.status_reason; internal notes are never read here) for a status in
    REASON_SHOWN. A certificate stored valid but read as expired shows "有效期届满", not the
    public reason of an earlier reinstatement still in the column."""
    if status not in REASON_SHOWN:
        return ""
    if status == "expired" and (stored != "expired" or not reason):
        return "有效期届满"
    return reason or ""


# What the cache keeps of one certificate: the fields of its PublicCertificate as stored (no
# expiry applied), then what a request is matched against. A flat tuple of strings, numbers and
# dates: the garbage collector stops tracking it, so a full cache adds nothing to its passes.
_FIELDS = 14  # PublicCertificate's
_HOLDER_KEY, _PERSON_KEY, _CODE = 14, 15, 16  # name_key of the printed name, of the person's
_Entry = tuple


_shared: dict[object, object] = {}  # one object per repeated value (labels, dates, masks)


def _one(value: object) -> object:
    """The one shared copy of a repeated value, so that many cached entries cost little."""
    if value is None:
        return None
    if len(_shared) > 100_000:
        _shared.clear()
    return _shared.setdefault(value, value)


def _entry(row: dict, number: str | None = None) -> _Entry:
    """The public answer for the certificate as stored, and its matching keys. ``number``: the
    same number as the row's, already held as the cache's key (one string, not two)."""
    status = row["status"]
    changed = _as_date(row["status_changed_at"])
    holder_key = name_key(row["holder_name"])
    person_key = name_key(row["person_name"])
    return (
        number or row["number"], _one(mask_name(row["holder_name"])),
        _one(row["qualification_name"]), row["level"], _one(row["level_name"] or ""),
        _one(row["kind"]),
        _one(row["issuer_name"]), _one(_as_date(row["issued_on"])),
        _one(_as_date(row["expires_on"])), _one(status), STATUS_LABELS[status],
        _one(changed) if status != "valid" else None,
        _one(_public_reason(status, status, row["status_reason"])),
        row["superseded_by_number"] if status == "superseded" else None,
        _one(holder_key), _one(person_key) if person_key != holder_key else _one(holder_key),
        row["verification_code"],
    )


def _on(cert: PublicCertificate, today: date) -> PublicCertificate:
    """The answer on ``today``: a valid certificate past its expiry date reads as expired
    (since its expiry date, "有效期届满") even before the nightly job."""
    if effective_status(cert.status, cert.expires_on, today) == cert.status:
        return cert
    return replace(cert, status="expired", status_label=STATUS_LABELS["expired"],
                   status_date=cert.expires_on,
                   status_reason=_public_reason(cert.status, "expired", None),
                   superseded_by=None)


async def _find(number: str) -> _Entry | None:
    db = engine()
    if isinstance(db, SQLiteEngine):
        _sqlite_cache_check(db.path)
    elif _in_transaction(db):  # must see the transaction's own writes: never cached
        row = await _fetch(number)
        return _entry(row) if row is not None else None
    entry = CACHE.get(number)
    if entry is not None:
        return entry
    epoch = CACHE.epoch
    row = await _fetch(number)
    if row is None:
        return None
    entry = _entry(row, number)
    CACHE.put(number, entry, epoch)
    return entry


def _fold_number(number: str) -> str:
    """normalise_number, with a shortcut for plain ASCII (the usual case: nothing to fold but
    spaces and case)."""
    if number.isascii():
        return "".join(number.split()).upper()
    return normalise_number(number)


async def lookup(number: str, *, name: str = "", code: str = "", today: date) -> PublicCertificate:
    """The public answer for a certificate number with its holder's name (or its verification
    code), on ``today`` (China date). Raises NotFound, always with NOT_FOUND_MESSAGE, for an
    unknown number, a wrong name or a wrong code; ValidationError for a digit of another
    script in the number or the code."""
    number = _fold_number(number)
    code = normalise_code(code) if code else ""  # refused before the lookup
    name = name.strip()
    # every certificate number is ASCII letters and digits (certification.numbers): anything
    # else is unknown without asking the database (a NUL would have it refuse the query)
    if not number or len(number) > 40 or not (number.isascii() and number.isalnum()) \
            or not (name or code):
        raise NotFound(NOT_FOUND_MESSAGE)
    entry = await _find(number)
    if entry is None:
        raise NotFound(NOT_FOUND_MESSAGE)
    if name:
        key = name_key(name)
        ok = bool(key) and (key == entry[_HOLDER_KEY] or key == entry[_PERSON_KEY])
    else:
        ok = codes_match(code, entry[_CODE])
    if not ok:
        raise NotFound(NOT_FOUND_MESSAGE)
    return _on(PublicCertificate(*entry[:_FIELDS]), today)
