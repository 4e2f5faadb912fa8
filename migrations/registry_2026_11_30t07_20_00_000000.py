"""Hand-written: at most one current signing key, enforced by the database. Two processes that
found no key at the same moment could each create one (the key is created on first use); the
creation now runs under a lock, and the partial unique index makes any second current key fail.
PostgreSQL and SQLite both support partial indexes.

A registry that already holds several current keys keeps the newest one current (the one that
has been signing new credentials all along) and retires the others from now on, before the
index is built: what they signed so far stays verifiable.
"""

from datetime import UTC, datetime

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Serial, Timestamptz, Varchar
from piccolo.table import Table

ID = "2026-11-30T07:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "signing_key: at most one current key (partial unique index)"
INDEX = "signing_key_one_current"
CURRENT, RETIRED = "current", "retired"


class SigningKey(Table, tablename="signing_key", schema=None):
    id = Serial(null=False, primary_key=True)
    status = Varchar(length=10)
    retired_on = Timestamptz(null=True)


async def retire_older_current_keys() -> None:
    """Every current key but the newest becomes retired now."""
    rows = await SigningKey.select(SigningKey.id).where(
        SigningKey.status == CURRENT).order_by(SigningKey.id, ascending=False)
    older = [row["id"] for row in rows[1:]]
    if older:
        await SigningKey.update({
            SigningKey.status: RETIRED, SigningKey.retired_on: datetime.now(UTC),
        }).where(SigningKey.id.is_in(older))


async def add_index() -> None:
    await retire_older_current_keys()
    await SigningKey._meta.db.run_ddl(
        f"CREATE UNIQUE INDEX {INDEX} ON signing_key (status) WHERE status = '{CURRENT}'")


async def drop_index() -> None:
    await SigningKey._meta.db.run_ddl(f"DROP INDEX {INDEX}")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)
    manager.add_raw(add_index)
    manager.add_raw_backwards(drop_index)
    return manager
