"""Hand-written: one identity number belongs to one person — a unique index
on person_linked_number (id_type, id_number). Same SQL on SQLite and PostgreSQL."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Serial
from piccolo.table import Table

ID = "2026-11-30T01:11:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique (id_type, id_number) on person_linked_number"


class PersonIdNumber(Table, tablename="person_linked_number", schema=None):
    id = Serial(null=False, primary_key=True)


async def add_unique() -> None:
    await PersonIdNumber._meta.db.run_ddl(
        "CREATE UNIQUE INDEX person_linked_number_type_number "
        "ON person_linked_number (id_type, id_number)")


async def drop_unique() -> None:
    await PersonIdNumber._meta.db.run_ddl("DROP INDEX person_linked_number_type_number")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)
    manager.add_raw(add_unique)
    manager.add_raw_backwards(drop_unique)
    return manager
