"""Hand-written (class hours and integrity): session times, state and revision on
class sessions; session history, the minutes-per-学时 rule, session flags and the officers'
certificate review queue. Additive only (new tables, defaulted/nullable columns)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import (
    JSON,
    Date,
    ForeignKey,
    Integer,
    Serial,
    SmallInt,
    Text,
    Time,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.date import DateNow
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-11-30T00:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "class session times, history, class-hour rule, session flags, certificate reviews"


class ClassSession(Table, tablename="training_class_session", schema=None):
    id = Serial(null=False, primary_key=True)


class Credential(Table, tablename="credential", schema=None):
    id = Serial(null=False, primary_key=True)


def _params(**extra):
    params = {"null": False, "primary_key": False, "unique": False, "index": False,
              "index_method": IndexMethod.btree, "choices": None, "db_column_name": None,
              "secret": False}
    params.update(extra)
    return params


def _fk(references):
    return _params(references=references, on_delete=OnDelete.cascade,
                   on_update=OnUpdate.cascade, target_column=None, null=True, index=True)


NEW_TABLES = {
    ("ClassSessionRevision", "training_class_session_revision"): [
        ("session", ForeignKey, _fk(ClassSession)),
        ("revision", Integer, _params(default=0)),
        ("held_on", Date, _params(default=DateNow())),
        ("starts_at", Time, _params(default=None, null=True)),
        ("ends_at", Time, _params(default=None, null=True)),
        ("kind", Varchar, _params(length=10, default="")),
        ("hours", Integer, _params(default=0)),
        ("topic", Varchar, _params(length=200, default="")),
        ("present", JSON, _params(default="[]")),
        ("state", Varchar, _params(length=10, default="recorded")),
        ("action", Varchar, _params(length=10, default="record")),
        ("reason", Text, _params(default="")),
        ("changed_by", Integer, _params(default=None, null=True)),
        ("changed_at", Timestamptz, _params(default=TimestamptzNow())),
    ],
    ("ClassHourRule", "training_class_hour_rule"): [
        ("effective_from", Date, _params(default=DateNow())),
        ("minutes_per_hour", SmallInt, _params(default=0)),
        ("source", Text, _params(default="")),
        ("created_at", Timestamptz, _params(default=TimestamptzNow())),
    ],
    ("SessionFlag", "training_session_flag"): [
        ("session", ForeignKey, _fk(ClassSession)),
        ("enrolment", Integer, _params(default=None, null=True)),
        ("kind", Varchar, _params(length=20, default="")),
        ("detail", Text, _params(default="")),
        ("key", Varchar, _params(length=80, default="", unique=True)),
        ("state", Varchar, _params(length=10, default="open", index=True)),
        ("created_at", Timestamptz, _params(default=TimestamptzNow())),
        ("resolved_at", Timestamptz, _params(default=None, null=True)),
        ("resolved_by", Integer, _params(default=None, null=True)),
    ],
    ("CertificateReview", "certificate_review"): [
        ("credential", ForeignKey, _fk(Credential)),
        ("kind", Varchar, _params(length=30, default="", index=True)),
        ("reason", Text, _params(default="")),
        ("details", JSON, _params(default="{}")),
        ("key", Varchar, _params(length=100, default="", unique=True)),
        ("state", Varchar, _params(length=12, default="open", index=True)),
        ("created_at", Timestamptz, _params(default=TimestamptzNow())),
        ("decided_at", Timestamptz, _params(default=None, null=True)),
        ("decided_by", Integer, _params(default=None, null=True)),
        ("decision_note", Text, _params(default="")),
        ("new_credential", Integer, _params(default=None, null=True)),
    ],
}

SESSION_COLUMNS = [
    ("starts_at", Time, _params(default=None, null=True)),
    ("ends_at", Time, _params(default=None, null=True)),
    ("state", Varchar, _params(length=10, default="recorded", index=True)),
    ("revision", Integer, _params(default=1)),
    ("updated_at", Timestamptz, _params(default=None, null=True)),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)

    def add(class_name, tablename, name, column_class, params):
        manager.add_column(
            table_class_name=class_name, tablename=tablename, column_name=name,
            db_column_name=name, column_class_name=column_class.__name__,
            column_class=column_class, params=params, schema=None)

    for name, column_class, params in SESSION_COLUMNS:
        add("ClassSession", "training_class_session", name, column_class, params)
    for (class_name, tablename), columns in NEW_TABLES.items():
        manager.add_table(class_name=class_name, tablename=tablename, schema=None, columns=None)
        add(class_name, tablename, "id", Serial,
            _params(primary_key=True))
        for name, column_class, params in columns:
            add(class_name, tablename, name, column_class, params)
    return manager
