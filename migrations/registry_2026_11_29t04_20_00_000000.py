"""Hand-written: indexes for the dashboards' credential aggregates."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-29T04:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "credential indexes for dashboards"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)

    async def run():
        db = engine_finder()
        await db.run_ddl(
            "CREATE INDEX IF NOT EXISTS credential_issued_on_idx ON credential (issued_on)"
        )
        await db.run_ddl(
            "CREATE INDEX IF NOT EXISTS credential_code_status_idx ON credential (code, status)"
        )

    manager.add_raw(run)
    return manager
