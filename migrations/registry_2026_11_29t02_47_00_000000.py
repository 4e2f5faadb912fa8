"""Hand-written: unique person identity and the first catalogue edition (data).

Frozen: the catalogue rows come from ``migrations/data/catalogue_v1.json`` (a copy of the
edition shipped with this migration, never edited); the tables are declared here as they were
then. Imports piccolo and the standard library only. Rows whose code already exists are left
alone.
"""

import json
from pathlib import Path

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import (
    JSON,
    Boolean,
    Integer,
    Serial,
    SmallInt,
    Text,
    Varchar,
)
from piccolo.table import Table

ID = "2026-11-29T02:47:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "person identity unique index; seed qualification catalogue v1"
DATA = Path(__file__).resolve().parent / "data" / "catalogue_v1.json"
PASS_MARK = 60


class Qualification(Table, tablename="qualification", schema=None):
    id = Serial(null=False, primary_key=True)
    code = Varchar(length=40, unique=True)
    name = Varchar(length=100)
    kind = Varchar(length=20)
    occupation_code = Varchar(length=20, default="")
    issuer_kind = Varchar(length=100, default="")
    validity_months = Integer(null=True, default=None)
    counts_as = JSON(default=[])
    source = Text(default="")
    active = Boolean(default=True)


class QualificationLevel(Table, tablename="qualification_level", schema=None):
    id = Serial(null=False, primary_key=True)
    qualification = Integer()
    level = SmallInt()
    name = Varchar(length=30)
    pass_mark = SmallInt(default=60)
    needs_review = Boolean(default=False)
    subsidy_fen = Integer(null=True, default=None)


async def seed_catalogue() -> int:
    """Insert the edition's qualifications (and their levels) not present yet; returns how many."""
    data = json.loads(DATA.read_text(encoding="utf-8"))
    added = 0
    for item in data["qualifications"]:
        if await Qualification.exists().where(Qualification.code == item["code"]):
            continue
        row = Qualification(
            code=item["code"],
            name=item["name"],
            kind=item["kind"],
            occupation_code=item.get("occupation_code", ""),
            issuer_kind=item.get("issuer_kind", ""),
            validity_months=item.get("validity_months"),
            counts_as=item.get("counts_as", []),
            source=item.get("source", data["source"]),
        )
        await row.save()
        for level in item.get("levels", []):
            await QualificationLevel(
                qualification=row.id,
                level=level["level"],
                name=level["name"],
                pass_mark=level.get("pass_mark", PASS_MARK),
                needs_review=level.get("needs_review", False),
                subsidy_fen=level.get("subsidy_fen"),
            ).save()
        added += 1
    return added


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)

    async def run():
        db = Qualification._meta.db
        await db.run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS person_identity_uq ON person (id_type, id_number)"
        )
        await db.run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS qualification_level_uq "
            "ON qualification_level (qualification, level)"
        )
        await seed_catalogue()

    manager.add_raw(run)
    return manager
