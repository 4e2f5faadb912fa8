"""Hand-written: seed the minimum wage (labour) from employers/labour/data/minimum_wage.json."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-29T03:37:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "seed the Tianjin minimum wage rows officers maintain"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)

    async def run():
        from employers.labour.services.minimum_wage import seed_minimum_wages

        await seed_minimum_wages()

    manager.add_raw(run)
    return manager
