"""Hand-written (consent both ways): the consent history table
(employers_consent), what each credential view showed and who viewed it by organisation
(employers_credential_access.shown / .organisation). Additive only; the data follows in
2026-11-30T01:31 (Piccolo runs a migration's raw steps before its tables)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-11-30T01:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "consent history; credential views record what was shown and the organisation"


class StaffLink(Table, tablename="employers_staff_link", schema=None):
    id = Serial(null=False, primary_key=True)


class Person(Table, tablename="person", schema=None):
    id = Serial(null=False, primary_key=True)


class Facility(Table, tablename="employers_facility", schema=None):
    id = Serial(null=False, primary_key=True)


class StoredFile(Table, tablename="stored_file", schema=None):
    id = Serial(null=False, primary_key=True)


def _params(**extra):
    params = {"null": False, "primary_key": False, "unique": False, "index": False,
              "index_method": IndexMethod.btree, "choices": None, "db_column_name": None,
              "secret": False}
    params.update(extra)
    return params


def _fk(references, null=False):
    return _params(references=references, on_delete=OnDelete.cascade,
                   on_update=OnUpdate.cascade, target_column=None, null=null,
                   index=not null) | ({"default": None} if null else {})


def _nullable(column_params):
    return _params(null=True, default=None) | column_params


CONSENT_COLUMNS = [
    ("id", Serial, _params(primary_key=True)),
    ("staff_link", ForeignKey, _fk(StaffLink)),
    ("person", ForeignKey, _fk(Person)),
    ("facility", ForeignKey, _fk(Facility)),
    ("given_at", Timestamptz, _nullable({})),
    ("how", Varchar, _nullable({"length": 20})),
    ("file", ForeignKey, _fk(StoredFile, null=True)),
    ("refused_at", Timestamptz, _nullable({})),
    ("withdrawn_at", Timestamptz, _nullable({})),
    ("withdrawn_by_user", Integer, _nullable({})),
    ("withdrawn_via", Varchar, _nullable({"length": 30})),
    ("withdrawal_reference", Varchar, _params(length=100, default="")),
    ("withdrawal_file", ForeignKey, _fk(StoredFile, null=True)),
    ("created_at", Timestamptz, _params(default=TimestamptzNow())),
]

ACCESS_COLUMNS = [
    ("shown", Varchar, _params(length=20, default="full")),
    ("organisation", Varchar, _params(length=200, default="")),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)
    manager.add_table(class_name="StaffConsent", tablename="employers_consent", schema=None,
                      columns=None)
    for name, column_class, params in CONSENT_COLUMNS:
        manager.add_column(
            table_class_name="StaffConsent", tablename="employers_consent", column_name=name,
            db_column_name=name, column_class_name=column_class.__name__,
            column_class=column_class, params=params, schema=None)
    for name, column_class, params in ACCESS_COLUMNS:
        manager.add_column(
            table_class_name="CredentialAccessLog", tablename="employers_credential_access",
            column_name=name, db_column_name=name, column_class_name=column_class.__name__,
            column_class=column_class, params=params, schema=None)

    return manager
