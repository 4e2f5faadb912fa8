"""Hand-written (names are names): further identity numbers of a person, e.g.
the old 15-character 外国人永久居留身份证 of someone who now holds the 18-character card. Table
person_linked_number (the name person_id_number is taken by the index on person.id_number in
SQLite's shared namespace of tables and indexes). Additive only (a new table); its unique
(id_type, id_number) index is added by the next migration (in one migration, raw steps run
before tables are created)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-11-30T01:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "further identity numbers of a person (person_linked_number)"


class Person(Table, tablename="person", schema=None):
    id = Serial(null=False, primary_key=True)


def _params(**extra):
    params = {"null": False, "primary_key": False, "unique": False, "index": False,
              "index_method": IndexMethod.btree, "choices": None, "db_column_name": None,
              "secret": False}
    params.update(extra)
    return params


COLUMNS = [
    ("id", Serial, _params(primary_key=True)),
    ("person", ForeignKey, _params(references=Person, on_delete=OnDelete.cascade,
                                   on_update=OnUpdate.cascade, target_column=None, index=True)),
    ("id_type", Varchar, _params(length=20, default="")),
    ("id_number", Varchar, _params(length=32, default="", index=True)),
    ("note", Text, _params(default="")),
    ("created_at", Timestamptz, _params(default=TimestamptzNow())),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)
    manager.add_table(class_name="PersonIdNumber", tablename="person_linked_number", schema=None,
                      columns=None)
    for name, column_class, params in COLUMNS:
        manager.add_column(
            table_class_name="PersonIdNumber", tablename="person_linked_number", column_name=name,
            db_column_name=name, column_class_name=column_class.__name__,
            column_class=column_class, params=params, schema=None)
    return manager
