"""Hand-written (messages): ``app_user.email``, an optional contact address
(default empty) to which notices for the user's organisation go by e-mail through the outbox
(e.g. a facility's filing returned or accepted). Additive only (one column with a default)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-30T01:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "app_user.email: contact address for notices (optional)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)
    manager.add_column(
        table_class_name="User", tablename="app_user", column_name="email",
        db_column_name="email", column_class_name="Varchar", column_class=Varchar,
        params={"length": 254, "default": "", "null": False, "primary_key": False,
                "unique": False, "index": False, "index_method": IndexMethod.btree,
                "choices": None, "db_column_name": None, "secret": False},
        schema=None)
    return manager
