"""Hand-written: every consent already given becomes a consent history row
dated when it was given (employers_staff_link.consent_at), and earlier credential views are
named by their facility. Plain SQL (same on SQLite and PostgreSQL), frozen with this migration;
imports piccolo only. Runs once; a second run adds nothing."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Serial
from piccolo.table import Table

ID = "2026-11-30T01:31:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "existing consents become consent history rows"

MISSING = (
    "FROM employers_staff_link l WHERE l.consent IS NOT NULL AND l.consent_at IS NOT NULL "
    "AND NOT EXISTS (SELECT 1 FROM employers_consent c WHERE c.staff_link = l.id)")
UNNAMED = "FROM employers_credential_access a WHERE a.organisation = '' AND a.facility IS NOT NULL"


class StaffLink(Table, tablename="employers_staff_link", schema=None):
    id = Serial(null=False, primary_key=True)


async def backfill() -> tuple[int, int]:
    """Consent history rows for consents given; facility names for earlier views. Returns
    (history rows added, views named)."""
    given = (await StaffLink.raw(f"SELECT COUNT(*) AS n {MISSING}"))[0]["n"]
    await StaffLink.raw(
        "INSERT INTO employers_consent (staff_link, person, facility, given_at, how, file, "
        "withdrawal_reference, created_at) SELECT l.id, l.person, l.facility, l.consent_at, "
        f"l.consent, l.consent_file, '', l.consent_at {MISSING}")
    named = (await StaffLink.raw(f"SELECT COUNT(*) AS n {UNNAMED}"))[0]["n"]
    await StaffLink.raw(
        "UPDATE employers_credential_access SET organisation = (SELECT f.name "
        "FROM employers_facility f WHERE f.id = employers_credential_access.facility) "
        "WHERE organisation = '' AND facility IS NOT NULL")
    return int(given), int(named)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)

    async def run():
        given, named = await backfill()
        print(f"\nconsent history: {given} consents already given recorded; "
              f"{named} earlier views named by organisation")

    manager.add_raw(run)
    return manager
