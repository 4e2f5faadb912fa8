"""Serial allocation: a counter row per prefix, bumped inside the issuing transaction.

``UPDATE … SET last_serial = last_serial + n … RETURNING`` is atomic on both engines; on
PostgreSQL it also row-locks the counter until the transaction ends, so two issuers of the same
prefix queue up instead of both reading the same value. On SQLite the IMMEDIATE transaction
(``core.db.transaction``) already serialises writers. Serials are never handed back: a rolled-back
transaction rolls its bump back too, so nothing that was committed is ever reused.
"""

from __future__ import annotations

from certification.tables import SerialCounter


async def allocate(prefix: str, count: int = 1) -> list[int]:
    """Reserve ``count`` consecutive serials under ``prefix``; call inside a transaction."""
    if count < 1:
        return []
    await SerialCounter.raw(
        "INSERT INTO serial_counter (prefix, last_serial) VALUES ({}, 0) "
        "ON CONFLICT (prefix) DO NOTHING", prefix,
    )
    rows = await SerialCounter.raw(
        "UPDATE serial_counter SET last_serial = last_serial + {} WHERE prefix = {} "
        "RETURNING last_serial", count, prefix,
    )
    last = int(rows[0]["last_serial"])
    return list(range(last - count + 1, last + 1))

