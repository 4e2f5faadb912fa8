"""Hand-written (declared is not verified): the evidence a provider saw when it
confirmed an exam registration resting on the applicant's own declaration — a note and/or an
uploaded file. Additive only (a defaulted and a nullable column)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Text
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-11-30T00:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "exam registration: evidence seen for declared conditions"


class StoredFile(Table, tablename="stored_file", schema=None):
    pass


def _params(**extra):
    params = {"null": False, "primary_key": False, "unique": False, "index": False,
              "index_method": IndexMethod.btree, "choices": None, "db_column_name": None,
              "secret": False}
    params.update(extra)
    return params


COLUMNS = [
    ("evidence_note", Text, _params(default="")),
    ("evidence_file", ForeignKey, _params(
        references=StoredFile, on_delete=OnDelete.set_null, on_update=OnUpdate.cascade,
        target_column=None, null=True, default=None)),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)
    for name, column_class, params in COLUMNS:
        manager.add_column(
            table_class_name="ExamRegistration", tablename="training_exam_registration",
            column_name=name, db_column_name=name, column_class_name=column_class.__name__,
            column_class=column_class, params=params, schema=None)
    return manager
