"""Hand-written: seed the working-day calendar (employers) from employers/data/holidays.json."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-29T03:36:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "seed employers work calendar from the shipped holiday notices"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)

    async def run():
        from employers.services.calendar import seed_from_file

        await seed_from_file()

    manager.add_raw(run)
    return manager
