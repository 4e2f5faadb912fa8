"""Hand-written: exam registrations made by a provider on a trainee's behalf, pending until the
trainee confirms them (training_exam_on_behalf). A new table; additive only."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import (
    JSON,
    ForeignKey,
    Integer,
    Serial,
    SmallInt,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-11-30T06:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "training_exam_on_behalf: exam registrations by the provider, pending the trainee"


class ExamSession(Table, tablename="training_exam_session", schema=None):
    id = Serial(null=False, primary_key=True)


class Person(Table, tablename="person", schema=None):
    id = Serial(null=False, primary_key=True)


class StoredFile(Table, tablename="stored_file", schema=None):
    id = Serial(null=False, primary_key=True)


class ExamRegistration(Table, tablename="training_exam_registration", schema=None):
    id = Serial(null=False, primary_key=True)


def _params(**extra):
    params = {"null": False, "primary_key": False, "unique": False, "index": False,
              "index_method": IndexMethod.btree, "choices": None, "db_column_name": None,
              "secret": False}
    params.update(extra)
    return params


def _fk(table, *, null=False, index=False, on_delete=OnDelete.cascade):
    return _params(references=table, on_delete=on_delete, on_update=OnUpdate.cascade,
                   target_column=None, null=null, index=index,
                   **({"default": None} if null else {}))


COLUMNS = [
    ("id", Serial, _params(primary_key=True)),
    ("session", ForeignKey, _fk(ExamSession, index=True)),
    ("person", ForeignKey, _fk(Person, null=True, index=True)),
    ("id_type", Varchar, _params(length=20, default="")),
    ("id_number", Varchar, _params(length=32, default="")),
    ("name", Varchar, _params(length=50, default="")),
    ("condition", SmallInt, _params(default=0)),
    ("eligibility", JSON, _params(default="{}")),
    ("evidence_note", Text, _params(default="")),
    ("evidence_file", ForeignKey, _fk(StoredFile, null=True, on_delete=OnDelete.set_null)),
    ("state", Varchar, _params(length=20, default="awaiting", index=True)),
    ("registration", ForeignKey, _fk(ExamRegistration, null=True)),
    ("created_by", Integer, _params(default=None, null=True)),
    ("created_at", Timestamptz, _params(default=TimestamptzNow())),
    ("decided_at", Timestamptz, _params(default=None, null=True)),
    ("decided_via", Varchar, _params(length=10, default="")),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)
    manager.add_table(class_name="OnBehalfRegistration", tablename="training_exam_on_behalf",
                      schema=None, columns=None)
    for name, column_class, params in COLUMNS:
        manager.add_column(
            table_class_name="OnBehalfRegistration", tablename="training_exam_on_behalf",
            column_name=name, db_column_name=name, column_class_name=column_class.__name__,
            column_class=column_class, params=params, schema=None)
    return manager
