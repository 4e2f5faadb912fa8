"""Hand-written: seed the minimum wage (labour) from the shipped rows.

Frozen: the rows come from ``migrations/data/minimum_wage.json`` (a copy of the file shipped
with this migration, never edited), inserted ordered by region and effective date. Imports
piccolo and the standard library only. Rows already present (same region and date) are left
alone.
"""

import json
from datetime import UTC, date, datetime
from pathlib import Path

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean, Date, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

ID = "2026-11-29T03:37:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "seed the Tianjin minimum wage rows officers maintain"
DATA = Path(__file__).resolve().parent / "data" / "minimum_wage.json"


class MinimumWageRate(Table, tablename="labour_minimum_wage", schema=None):
    id = Serial(null=False, primary_key=True)
    region = Varchar(length=20, default="天津市")
    effective_from = Date()
    monthly_fen = Integer()
    hourly_fen = Integer()
    source = Text(default="")
    provisional = Boolean(default=False)
    created_at = Timestamptz()


async def seed_minimum_wages() -> int:
    """Insert the file's rows not yet in the table (by region and date); returns how many."""
    document = json.loads(DATA.read_text(encoding="utf-8"))
    shipped = sorted(
        ({"region": raw["region"], "effective_from": date.fromisoformat(raw["effective_from"]),
          "monthly_fen": raw["monthly_fen"], "hourly_fen": raw["hourly_fen"],
          "source": raw["source"], "provisional": bool(raw.get("provisional", False))}
         for raw in document.get("rows", [])),
        key=lambda r: (r["region"], r["effective_from"]))
    existing = {
        (r["region"], r["effective_from"])
        for r in await MinimumWageRate.select(MinimumWageRate.region,
                                              MinimumWageRate.effective_from)
    }
    now = datetime.now(UTC)
    rows = [MinimumWageRate(created_at=now, **r) for r in shipped
            if (r["region"], r["effective_from"]) not in existing]
    if rows:
        await MinimumWageRate.insert(*rows)
    return len(rows)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)

    async def run():
        await seed_minimum_wages()

    manager.add_raw(run)
    return manager
