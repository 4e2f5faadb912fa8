"""Hand-written: stored_file_chunk, the contents of stored files kept in the database
(FILE_STORAGE=database), in pieces keyed by the whole file's SHA-256, with a unique index on
(sha256, seq). A new table; additive only. Piccolo writes the table for each engine (BLOB on
SQLite, BYTEA on PostgreSQL); the index is the same SQL on both."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Bytea, Integer, Serial, Varchar
from piccolo.table import Table

ID = "2026-11-30T07:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "stored_file_chunk: file contents in the database, in pieces, unique (sha256, seq)"


class StoredChunk(Table, tablename="stored_file_chunk", schema=None):
    id = Serial(null=False, primary_key=True)
    sha256 = Varchar(length=64, default="", null=False)
    seq = Integer(default=0, null=False)
    digest = Varchar(length=64, default="", null=False)
    data = Bytea(default=b"", null=False)


async def add_table() -> None:
    # Raw steps run before the manager's own table steps, so the table is made here too.
    await StoredChunk.create_table()
    await StoredChunk._meta.db.run_ddl(
        "CREATE UNIQUE INDEX stored_file_chunk_uq ON stored_file_chunk (sha256, seq)")


async def drop_table() -> None:
    await StoredChunk._meta.db.run_ddl("DROP INDEX stored_file_chunk_uq")
    await StoredChunk.alter().drop_table()


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)
    manager.add_raw(add_table)
    manager.add_raw_backwards(drop_table)
    return manager
