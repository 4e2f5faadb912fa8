"""Hand-written (issue 11 point 5): every consent already given becomes a consent history row
dated when it was given (StaffLink.consent_at), and earlier credential views are named by their
facility (``employers.services.consents.backfill``; runs once, a second run adds nothing)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-30T01:31:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "existing consents become consent history rows"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)

    async def run():
        from employers.services.consents import backfill

        given, named = await backfill()
        print(f"\nconsent history: {given} consents already given recorded; "
              f"{named} earlier views named by organisation")

    manager.add_raw(run)
    return manager
