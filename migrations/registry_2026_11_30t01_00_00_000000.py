"""Hand-written: the message outbox (SMS and e-mail delivered by the worker), one-time SMS
codes (kept as HMACs) and reminder opt-outs. Additive only (new tables)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-11-30T01:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "message outbox, one-time codes, reminder opt-outs"


class Person(Table, tablename="person", schema=None):
    id = Serial(null=False, primary_key=True)


def _params(**extra):
    params = {"null": False, "primary_key": False, "unique": False, "index": False,
              "index_method": IndexMethod.btree, "choices": None, "db_column_name": None,
              "secret": False}
    params.update(extra)
    return params


def _varchar(length, default="", **extra):
    return _params(length=length, default=default, **extra)


def _fk(references, **extra):
    return _params(references=references, on_delete=OnDelete.cascade,
                   on_update=OnUpdate.cascade, target_column=None, index=True, **extra)


NOW = TimestamptzNow()
TABLES = {
    ("Message", "message_outbox"): [
        ("id", Serial, _params(primary_key=True)),
        ("channel", Varchar, _varchar(10)),
        ("kind", Varchar, _varchar(20)),
        ("topic", Varchar, _varchar(60)),
        ("recipient", Varchar, _varchar(255)),
        ("subject", Varchar, _varchar(200)),
        ("body", Text, _params(default="")),
        ("person", ForeignKey, _fk(Person, null=True, default=None)),
        ("idempotency_key", Varchar, _varchar(120, unique=True)),
        ("state", Varchar, _varchar(10, default="pending", index=True)),
        ("attempts", Integer, _params(default=0)),
        ("next_attempt_at", Timestamptz, _params(default=NOW, index=True)),
        ("claimed_at", Timestamptz, _params(default=None, null=True)),
        ("sent_at", Timestamptz, _params(default=None, null=True)),
        ("gateway_ref", Varchar, _varchar(120)),
        ("last_error", Varchar, _varchar(500)),
        ("created_at", Timestamptz, _params(default=NOW)),
    ],
    ("OneTimeCode", "one_time_code"): [
        ("id", Serial, _params(primary_key=True)),
        ("purpose", Varchar, _varchar(30, index=True)),
        ("subject", Varchar, _varchar(100, index=True)),
        ("code_hash", Varchar, _varchar(64)),
        ("tries", Integer, _params(default=0)),
        ("expires_at", Timestamptz, _params(default=NOW)),
        ("used_at", Timestamptz, _params(default=None, null=True)),
        ("created_at", Timestamptz, _params(default=NOW, index=True)),
    ],
    ("ReminderOptOut", "message_reminder_opt_out"): [
        ("id", Serial, _params(primary_key=True)),
        ("person", ForeignKey, _fk(Person, unique=True)),
        ("created_at", Timestamptz, _params(default=NOW)),
    ],
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)
    for (class_name, tablename), columns in TABLES.items():
        manager.add_table(class_name=class_name, tablename=tablename, schema=None, columns=None)
        for name, column_class, params in columns:
            manager.add_column(
                table_class_name=class_name, tablename=tablename, column_name=name,
                db_column_name=name, column_class_name=column_class.__name__,
                column_class=column_class, params=params, schema=None)
    return manager
