"""Public verification: by number + name, or number + verification code (the QR code).

An unknown number, a wrong name and a wrong code raise the same NotFound with the same message,
so the answers cannot be used to harvest numbers. One query per lookup (the endpoint is hot).
"""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime

from piccolo.engine.sqlite import SQLiteEngine

from certification.numbers import codes_match, normalise_code, normalise_number
from certification.tables import CertificateRecord
from certification.vc.credential import CERTIFICATE_TIMEZONE
from core.credentials import STATUS_LABELS
from core.db import SQLITE_BUSY_TIMEOUT_S, engine
from core.errors import NotFound
from core.identity import mask_name, names_match

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


_readers: dict[str, sqlite3.Connection] = {}


def _sqlite_reader(path: str) -> sqlite3.Connection:
    """A read-only connection kept open for lookups (Piccolo opens one per query on SQLite,
    which costs more than the lookup). In WAL mode each statement sees the latest commit, so a
    revocation shows at once."""
    reader = _readers.get(path)
    if reader is None:
        for old in _readers.values():
            old.close()
        _readers.clear()
        reader = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False,
                                 timeout=SQLITE_BUSY_TIMEOUT_S)
        reader.row_factory = sqlite3.Row
        _readers[path] = reader
    return reader


class _PgReaders:
    """A few connections of this event loop kept for lookups. Piccolo's pool resets every
    connection on release (one more round trip than the lookup itself) and re-plans the query;
    these connections keep the prepared statement and are used for plain autocommit reads,
    so each lookup sees the latest commit (a revocation shows at once)."""

    SIZE = 8

    def __init__(self) -> None:
        self.slots = asyncio.Semaphore(self.SIZE)
        self.idle: list = []

    async def fetch(self, db, query: str, *args: object) -> list:
        async with self.slots:
            conn = self.idle.pop() if self.idle else await db.get_new_connection()
            try:
                rows = await conn.fetch(query, *args)
            except BaseException:
                conn.terminate()
                raise
            self.idle.append(conn)
            return rows

    async def close(self) -> None:
        idle, self.idle = self.idle, []
        for conn in idle:
            await conn.close()


_pg_readers: dict[asyncio.AbstractEventLoop, _PgReaders] = {}
_PG_QUERY = _QUERY.replace("{}", "$1")


async def close_readers() -> None:
    """Close this event loop's lookup connections (the app's on_shutdown)."""
    readers = _pg_readers.pop(asyncio.get_running_loop(), None)
    if readers is not None:
        await readers.close()


async def _fetch(number: str) -> list:
    db = engine()
    if isinstance(db, SQLiteEngine):
        # An indexed lookup takes tens of microseconds: cheaper inline than a thread hop.
        cursor = _sqlite_reader(db.path).execute(_QUERY.replace("{}", "?"), (number,))
        return [dict(row) for row in cursor.fetchall()]
    if getattr(db, "current_transaction", None) is not None and db.current_transaction.get():
        return await CertificateRecord.raw(_QUERY, number)  # see the transaction's own writes
    loop = asyncio.get_running_loop()
    readers = _pg_readers.get(loop)
    if readers is None:
        readers = _pg_readers[loop] = _PgReaders()
    return await readers.fetch(db, _PG_QUERY, number)


@dataclass(frozen=True)
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


async def lookup(number: str, *, name: str = "", code: str = "", today: date) -> PublicCertificate:
    number = normalise_number(number)
    code = normalise_code(code)  # refused before the lookup: the answer never depends on it
    if not number or len(number) > 40 or not (name.strip() or code.strip()):
        raise NotFound(NOT_FOUND_MESSAGE)
    rows = await _fetch(number)
    if not rows:
        raise NotFound(NOT_FOUND_MESSAGE)
    row = rows[0]
    if name.strip():
        ok = names_match(name, row["holder_name"]) or names_match(name, row["person_name"])
    else:
        ok = codes_match(code, row["verification_code"])
    if not ok:
        raise NotFound(NOT_FOUND_MESSAGE)
    expires_on = _as_date(row["expires_on"])
    status = effective_status(row["status"], expires_on, today)
    changed = _as_date(row["status_changed_at"])
    if status == "expired" and row["status"] == "valid":
        changed = expires_on
    return PublicCertificate(
        number=row["number"], holder_name_masked=mask_name(row["holder_name"]),
        qualification=row["qualification_name"], level=row["level"],
        level_name=row["level_name"] or "", kind=row["kind"], issuer=row["issuer_name"],
        issued_on=_as_date(row["issued_on"]), expires_on=expires_on, status=status,
        status_label=STATUS_LABELS[status],
        status_date=changed if status != "valid" else None,
        status_reason=_public_reason(row["status"], status, row["status_reason"]),
        superseded_by=row["superseded_by_number"] if status == "superseded" else None,
    )
