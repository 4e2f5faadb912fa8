"""The minimum wage as a dated parameter: seeded from the shipped file, maintained by officers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core import audit, clock, db
from core.actor import Actor
from core.clock import today
from core.errors import Conflict
from employers.labour.minimum_wage import DEFAULT_REGION, load_minimum_wages
from employers.labour.schemas import MinimumWageIn
from employers.labour.services.findings import refresh_all
from employers.labour.tables import MinimumWageRate


async def seed_minimum_wages() -> int:
    """Insert the shipped rows not yet in the table (by region and date); returns how many."""
    existing = {
        (r["region"], r["effective_from"])
        for r in await MinimumWageRate.select(MinimumWageRate.region,
                                              MinimumWageRate.effective_from)
    }
    rows = [
        MinimumWageRate(region=r.region, effective_from=r.effective_from,
                        monthly_fen=r.monthly_fen, hourly_fen=r.hourly_fen, source=r.source,
                        provisional=r.provisional, created_at=clock.now())
        for r in load_minimum_wages(region=None)
        if (r.region, r.effective_from) not in existing
    ]
    if rows:
        await MinimumWageRate.insert(*rows)
    return len(rows)


@dataclass(frozen=True)
class StoredRate:
    """A minimum wage standard as the table holds it: the region, the day it applies from,
    the monthly and the hourly (非全日制) minimum in fen (分), the notice it comes from and
    whether it is provisional (not yet checked against the notice)."""

    id: int
    region: str
    effective_from: date
    monthly_fen: int
    hourly_fen: int
    source: str
    provisional: bool


async def list_rates(region: str = DEFAULT_REGION) -> list[StoredRate]:
    """The region's standards, the latest first."""
    rows = await MinimumWageRate.select(
        MinimumWageRate.id, MinimumWageRate.region, MinimumWageRate.effective_from,
        MinimumWageRate.monthly_fen, MinimumWageRate.hourly_fen, MinimumWageRate.source,
        MinimumWageRate.provisional,
    ).where(MinimumWageRate.region == region).order_by(
        MinimumWageRate.effective_from, ascending=False)
    return [StoredRate(id=r["id"], region=r["region"], effective_from=r["effective_from"],
                       monthly_fen=r["monthly_fen"], hourly_fen=r["hourly_fen"],
                       source=r["source"], provisional=r["provisional"]) for r in rows]


async def add_rate(actor: Actor, data: MinimumWageIn, region: str = DEFAULT_REGION) -> int:
    """A new standard (or a correction of a provisional one with the same date)."""
    values = data.model_dump()
    async with db.transaction():
        existing = await MinimumWageRate.select().where(
            (MinimumWageRate.region == region)
            & (MinimumWageRate.effective_from == data.effective_from)).first()
        if existing and not existing["provisional"]:
            raise Conflict("该日期已有经核对的最低工资标准", "effective_from")
        if existing:
            await MinimumWageRate.update(values).where(MinimumWageRate.id == existing["id"])
            row_id = existing["id"]
        else:
            row = MinimumWageRate(region=region, created_at=clock.now(), **values)
            await row.save()
            row_id = row.id
        await audit.record(actor, "labour.minimum_wage.save", "minimum_wage", row_id,
                           before={k: existing[k] for k in values} if existing else None,
                           after=values)
    await refresh_all(today())  # every wage finding may change
    return row_id
