"""Hand-written: seed the working-day calendar (employers) from the shipped holiday notices.

Frozen: the notices come from ``migrations/data/holidays.json`` (a copy of the file shipped
with this migration, never edited); each span becomes one row per day. Imports piccolo and the
standard library only. Days already in the table are left alone.
"""

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean, Date, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

ID = "2026-11-29T03:36:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "seed employers work calendar from the shipped holiday notices"
DATA = Path(__file__).resolve().parent / "data" / "holidays.json"


class WorkCalendarDay(Table, tablename="employers_work_calendar_day", schema=None):
    id = Serial(null=False, primary_key=True)
    day = Date(unique=True)
    kind = Varchar(length=20)
    name = Varchar(length=30, default="")
    source = Text(default="")
    provisional = Boolean(default=False)
    updated_by = Integer(null=True, default=None)
    updated_at = Timestamptz()


def rows_from_document(document: dict) -> list[dict]:
    """The data file's spans as one row per day (holidays, then make-up working days, per year)."""
    rows: list[dict] = []
    for entry in document.get("years", {}).values():
        source = entry.get("source", "")
        provisional = bool(entry.get("provisional", False))
        for span in entry.get("holidays", []):
            day, last = date.fromisoformat(span["from"]), date.fromisoformat(span["to"])
            while day <= last:
                rows.append({"day": day, "kind": "holiday", "name": span.get("name", ""),
                             "source": source, "provisional": provisional})
                day += timedelta(days=1)
        for text in entry.get("makeup_workdays", []):
            rows.append({"day": date.fromisoformat(text), "kind": "makeup_workday",
                         "name": "调休上班", "source": source, "provisional": provisional})
    return rows


async def seed_from_file() -> int:
    """Insert the file's days that are not in the table yet; returns how many."""
    document = json.loads(DATA.read_text(encoding="utf-8"))
    existing = {r["day"] for r in await WorkCalendarDay.select(WorkCalendarDay.day)}
    now = datetime.now(UTC)
    new = [WorkCalendarDay(updated_at=now, **row)
           for row in rows_from_document(document) if row["day"] not in existing]
    if new:
        await WorkCalendarDay.insert(*new)
    return len(new)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)

    async def run():
        await seed_from_file()

    manager.add_raw(run)
    return manager
