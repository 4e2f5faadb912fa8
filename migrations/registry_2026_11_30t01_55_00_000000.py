"""Hand-written (account lifecycle): on app_user a flag forcing a new password
at next sign-in and a session version (raising it ends every session of the user); a table of
one-time password-reset links (only the SHA-256 of the token is kept). Additive only."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import (
    Boolean,
    ForeignKey,
    Integer,
    Serial,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-11-30T01:55:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "account lifecycle: must_change_password, session_version, password reset links"


class User(Table, tablename="app_user", schema=None):
    id = Serial(null=False, primary_key=True)


def _params(**extra):
    params = {"null": False, "primary_key": False, "unique": False, "index": False,
              "index_method": IndexMethod.btree, "choices": None, "db_column_name": None,
              "secret": False}
    params.update(extra)
    return params


USER_COLUMNS = [
    ("must_change_password", Boolean, _params(default=False)),
    ("session_version", Integer, _params(default=0)),
]

RESET_COLUMNS = [
    ("id", Serial, _params(primary_key=True)),
    ("user", ForeignKey, _params(references=User, on_delete=OnDelete.cascade,
                                 on_update=OnUpdate.cascade, target_column=None, index=True)),
    ("token_hash", Varchar, _params(length=64, default="", unique=True)),
    ("created_at", Timestamptz, _params(default=TimestamptzNow())),
    ("expires_at", Timestamptz, _params(default=TimestamptzNow())),
    ("used_at", Timestamptz, _params(default=None, null=True)),
    ("created_by", Integer, _params(default=None, null=True)),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)
    for name, column_class, params in USER_COLUMNS:
        manager.add_column(
            table_class_name="User", tablename="app_user", column_name=name,
            db_column_name=name, column_class_name=column_class.__name__,
            column_class=column_class, params=params, schema=None)
    manager.add_table(class_name="PasswordReset", tablename="password_reset", schema=None,
                      columns=None)
    for name, column_class, params in RESET_COLUMNS:
        manager.add_column(
            table_class_name="PasswordReset", tablename="password_reset", column_name=name,
            db_column_name=name, column_class_name=column_class.__name__,
            column_class=column_class, params=params, schema=None)
    return manager
