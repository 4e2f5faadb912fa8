"""Hand-written (results files): candidates marked 缺考 (absent) in a results
upload. Additive only (a new table)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Serial, Timestamptz
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-11-30T00:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "exam absences (缺考) from results uploads"


class ExamSession(Table, tablename="training_exam_session", schema=None):
    id = Serial(null=False, primary_key=True)


class ExamRegistration(Table, tablename="training_exam_registration", schema=None):
    id = Serial(null=False, primary_key=True)


class Person(Table, tablename="person", schema=None):
    id = Serial(null=False, primary_key=True)


class ResultUpload(Table, tablename="training_result_upload", schema=None):
    id = Serial(null=False, primary_key=True)


def _params(**extra):
    params = {"null": False, "primary_key": False, "unique": False, "index": False,
              "index_method": IndexMethod.btree, "choices": None, "db_column_name": None,
              "secret": False}
    params.update(extra)
    return params


def _fk(references, null=False):
    return _params(references=references, on_delete=OnDelete.cascade,
                   on_update=OnUpdate.cascade, target_column=None, null=null, index=True)


COLUMNS = [
    ("id", Serial, _params(primary_key=True)),
    ("session", ForeignKey, _fk(ExamSession)),
    ("registration", ForeignKey, _fk(ExamRegistration)),
    ("person", ForeignKey, _fk(Person)),
    ("upload", ForeignKey, _fk(ResultUpload, null=True) | {"default": None}),
    ("created_at", Timestamptz, _params(default=TimestamptzNow())),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)
    manager.add_table(class_name="ExamAbsence", tablename="training_exam_absence", schema=None,
                      columns=None)
    for name, column_class, params in COLUMNS:
        manager.add_column(
            table_class_name="ExamAbsence", tablename="training_exam_absence", column_name=name,
            db_column_name=name, column_class_name=column_class.__name__,
            column_class=column_class, params=params, schema=None)
    return manager
