"""Hand-written (claiming a record needs proof): ``app_user.
identity_verified_at`` and the ``identity_claim`` table (core.claims). Additive only; which
existing accounts count as verified is decided by the next migration (2026-11-30T01:51), since
Piccolo runs a migration's raw step before its schema changes."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import (
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-11-30T01:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "identity claims: app_user.identity_verified_at, identity_claim"


class User(Table, tablename="app_user", schema=None):
    id = Serial(null=False, primary_key=True)


class Person(Table, tablename="person", schema=None):
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
                   on_update=OnUpdate.cascade, target_column=None, null=null, index=True)


CLAIM_COLUMNS = [
    ("id", Serial, _params(primary_key=True)),
    ("user", ForeignKey, _fk(User)),
    ("id_type", Varchar, _params(length=20, default="")),
    ("id_number", Varchar, _params(length=32, default="", index=True)),
    ("name", Varchar, _params(length=50, default="")),
    ("phone", Varchar, _params(length=20, default="")),
    ("person", ForeignKey, _fk(Person, null=True) | {"default": None}),
    ("method", Varchar, _params(length=10, default="")),
    ("state", Varchar, _params(length=10, default="pending", index=True)),
    ("document", ForeignKey, _fk(StoredFile, null=True) | {"default": None, "index": False,
                                                            "on_delete": OnDelete.set_null}),
    ("document_consent_at", Timestamptz, _params(default=None, null=True)),
    ("document_uploaded_at", Timestamptz, _params(default=None, null=True)),
    ("document_deleted_at", Timestamptz, _params(default=None, null=True)),
    ("phone_verified_at", Timestamptz, _params(default=None, null=True)),
    ("decided_by", Integer, _params(default=None, null=True)),
    ("decided_at", Timestamptz, _params(default=None, null=True, index=True)),
    ("decision_note", Text, _params(default="")),
    ("created_at", Timestamptz, _params(default=TimestamptzNow())),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)
    manager.add_column(
        table_class_name="User", tablename="app_user", column_name="identity_verified_at",
        db_column_name="identity_verified_at", column_class_name="Timestamptz",
        column_class=Timestamptz, params=_params(default=None, null=True), schema=None)
    manager.add_table(class_name="IdentityClaim", tablename="identity_claim", schema=None,
                      columns=None)
    for name, column_class, params in CLAIM_COLUMNS:
        manager.add_column(
            table_class_name="IdentityClaim", tablename="identity_claim", column_name=name,
            db_column_name=name, column_class_name=column_class.__name__,
            column_class=column_class, params=params, schema=None)

    return manager
