"""Hand-written (issue 10): seed the minutes-per-学时 rule from training/data/class_hours.json,
then examine the existing data once against the new integrity rules (``training.integrity``):
doubtful certificates are queued for the officers, doubtful class sessions flagged for the
providers; nothing is changed or deleted. The report is printed with the migration's output."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-30T00:21:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "seed class-hour rule; examine existing data (integrity review)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)

    async def run():
        from training.integrity import examine
        from training.services.class_hour_rules import seed_class_hour_rules

        await seed_class_hour_rules()
        report = await examine()
        print()
        print(report.text())

    manager.add_raw(run)
    return manager
