"""Hand-written, PostgreSQL only: triggers that tell every web process which certificate's
public answer changed, so the public lookup may keep answers in memory
(certification/services/lookup_cache.py). In the same transaction as the change they send a
notification on the channel ``credential_lookup`` whose payload is the certificate number:

- ``credential``: any update or delete (status, reason, expiry, superseding…), the old number;
  when the number itself changes, the new one and the numbers of the certificates it
  supersedes (their answer shows it);
- ``certificate_record``: a record added or deleted, or its printed holder name, qualification,
  level name, kind or credential changed: its certificate's number;
- ``person``: a changed name (matched by the lookup): the numbers of the person's certificates;
- TRUNCATE of any of the three: an empty payload, meaning every certificate.

Inserting a credential sends nothing: unknown numbers are never kept. SQLite needs no trigger
(the lookup reads ``PRAGMA data_version``), so nothing is done there. No table or row changes.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Serial
from piccolo.table import Table

ID = "2026-11-30T07:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "credential_lookup notifications (PostgreSQL triggers) for the public lookup cache"


class Credential(Table, tablename="credential", schema=None):
    id = Serial(null=False, primary_key=True)


CREATE = [
    """
    CREATE FUNCTION credential_lookup_credential() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_notify('credential_lookup', OLD.number);
        IF TG_OP = 'UPDATE' AND NEW.number IS DISTINCT FROM OLD.number THEN
            PERFORM pg_notify('credential_lookup', NEW.number);
            PERFORM pg_notify('credential_lookup', s.number)
                FROM credential s WHERE s.superseded_by = NEW.id;
        END IF;
        RETURN NULL;
    END;
    $$
    """,
    """
    CREATE FUNCTION credential_lookup_record() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            PERFORM pg_notify('credential_lookup', c.number)
                FROM credential c WHERE c.id = OLD.credential;
        END IF;
        IF TG_OP IN ('UPDATE', 'INSERT') THEN
            PERFORM pg_notify('credential_lookup', c.number)
                FROM credential c WHERE c.id = NEW.credential;
        END IF;
        RETURN NULL;
    END;
    $$
    """,
    """
    CREATE FUNCTION credential_lookup_person() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_notify('credential_lookup', c.number)
            FROM credential c WHERE c.person = NEW.id;
        RETURN NULL;
    END;
    $$
    """,
    """
    CREATE FUNCTION credential_lookup_all() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_notify('credential_lookup', '');
        RETURN NULL;
    END;
    $$
    """,
    """
    CREATE TRIGGER credential_lookup_credential AFTER UPDATE OR DELETE ON credential
        FOR EACH ROW EXECUTE FUNCTION credential_lookup_credential()
    """,
    """
    CREATE TRIGGER credential_lookup_record AFTER INSERT OR DELETE ON certificate_record
        FOR EACH ROW EXECUTE FUNCTION credential_lookup_record()
    """,
    """
    CREATE TRIGGER credential_lookup_record_update AFTER UPDATE ON certificate_record
        FOR EACH ROW WHEN (
            OLD.holder_name IS DISTINCT FROM NEW.holder_name
            OR OLD.qualification_name IS DISTINCT FROM NEW.qualification_name
            OR OLD.level_name IS DISTINCT FROM NEW.level_name
            OR OLD.kind IS DISTINCT FROM NEW.kind
            OR OLD.credential IS DISTINCT FROM NEW.credential)
        EXECUTE FUNCTION credential_lookup_record()
    """,
    """
    CREATE TRIGGER credential_lookup_person AFTER UPDATE ON person
        FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
        EXECUTE FUNCTION credential_lookup_person()
    """,
    """
    CREATE TRIGGER credential_lookup_truncate_credential AFTER TRUNCATE ON credential
        FOR EACH STATEMENT EXECUTE FUNCTION credential_lookup_all()
    """,
    """
    CREATE TRIGGER credential_lookup_truncate_record AFTER TRUNCATE ON certificate_record
        FOR EACH STATEMENT EXECUTE FUNCTION credential_lookup_all()
    """,
    """
    CREATE TRIGGER credential_lookup_truncate_person AFTER TRUNCATE ON person
        FOR EACH STATEMENT EXECUTE FUNCTION credential_lookup_all()
    """,
]

DROP = [
    "DROP TRIGGER credential_lookup_truncate_person ON person",
    "DROP TRIGGER credential_lookup_truncate_record ON certificate_record",
    "DROP TRIGGER credential_lookup_truncate_credential ON credential",
    "DROP TRIGGER credential_lookup_person ON person",
    "DROP TRIGGER credential_lookup_record_update ON certificate_record",
    "DROP TRIGGER credential_lookup_record ON certificate_record",
    "DROP TRIGGER credential_lookup_credential ON credential",
    "DROP FUNCTION credential_lookup_all()",
    "DROP FUNCTION credential_lookup_person()",
    "DROP FUNCTION credential_lookup_record()",
    "DROP FUNCTION credential_lookup_credential()",
]


async def _run(statements: list[str]) -> None:
    db = Credential._meta.db
    if db.engine_type != "postgres":
        return
    for statement in statements:
        await db.run_ddl(statement)


async def add_triggers() -> None:
    await _run(CREATE)


async def drop_triggers() -> None:
    await _run(DROP)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)
    manager.add_raw(add_triggers)
    manager.add_raw_backwards(drop_triggers)
    return manager
