"""Hand-written: leases for the worker's claims. A running certificate job item and a message
being sent record their holder (``owner``, the worker's token) and ``lease_until``; the holder
renews it, anyone claims the row again once it has run out (core.worker). Additive only: rows
claimed before this change keep their ``claimed_at`` and count as leased from it."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Timestamptz, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-30T06:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "issuance_job_item and message_outbox: lease_until, owner"

TABLES = (("IssuanceJobItem", "issuance_job_item"), ("Message", "message_outbox"))


def _params(**extra):
    params = {"null": False, "primary_key": False, "unique": False, "index": False,
              "index_method": IndexMethod.btree, "choices": None, "db_column_name": None,
              "secret": False}
    params.update(extra)
    return params


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)
    for class_name, tablename in TABLES:
        manager.add_column(
            table_class_name=class_name, tablename=tablename,
            column_name="lease_until", db_column_name="lease_until",
            column_class_name="Timestamptz", column_class=Timestamptz,
            params=_params(default=None, null=True), schema=None)
        manager.add_column(
            table_class_name=class_name, tablename=tablename,
            column_name="owner", db_column_name="owner",
            column_class_name="Varchar", column_class=Varchar,
            params=_params(length=80, default=""), schema=None)
    return manager
