"""Hand-written: unique person identity and the first catalogue edition (data)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-29T02:47:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "person identity unique index; seed qualification catalogue v1"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)

    async def run():
        from core.catalogue_seed import seed_catalogue
        from core.db import engine

        await engine().run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS person_identity_uq ON person (id_type, id_number)"
        )
        await engine().run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS qualification_level_uq "
            "ON qualification_level (qualification, level)"
        )
        await seed_catalogue("catalogue_v1.json")

    manager.add_raw(run)
    return manager
