"""Hand-written (pre-claimed new persons): on identity_claim the time an
organisation corroborated a self-registered new person's phone (core.claims.corroboration).
Additive only."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-30T02:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "identity_claim.corroborated_at"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)
    manager.add_column(
        table_class_name="IdentityClaim", tablename="identity_claim",
        column_name="corroborated_at", db_column_name="corroborated_at",
        column_class_name="Timestamptz", column_class=Timestamptz,
        params={"default": None, "null": True, "primary_key": False, "unique": False,
                "index": False, "index_method": IndexMethod.btree, "choices": None,
                "db_column_name": None, "secret": False},
        schema=None)
    return manager
