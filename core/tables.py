"""Tables of the foundation: accounts, audit log, stored files and the shared records
(Person, qualification catalogue, Credential) that training, certification and employers
all stand on. Data only; behaviour lives in the services."""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    Boolean,
    Bytea,
    Date,
    ForeignKey,
    Integer,
    Serial,
    SmallInt,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.constraints import Unique
from piccolo.table import Table


class Person(Table):
    """One natural person per (证件类型, 证件号码): unique (id_type, id_number), the database's
    unique index ``person_identity_uq``."""

    id = Serial(primary_key=True)
    id_type = Varchar(length=20)
    id_number = Varchar(length=32, index=True)
    name = Varchar(length=50, index=True)
    sex = Varchar(length=2, null=True, default=None)
    birth_date = Date(null=True, default=None)
    phone = Varchar(length=20, null=True, default=None)
    education = Varchar(length=20, null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()

    person_identity_uq = Unique([id_type, id_number])


class PersonName(Table, tablename="person_former_name"):
    """A former name, kept when a name is corrected, with its evidence."""

    id = Serial(primary_key=True)
    person = ForeignKey(Person, index=True)
    name = Varchar(length=50)
    replaced_on = Date()
    evidence = Text(default="")
    approved_by = Integer(null=True, default=None)
    created_at = Timestamptz()


class PersonIdNumber(Table, tablename="person_linked_number"):
    """A further identity number of a Person, linked by an officer (e.g. the old 15-character
    外国人永久居留身份证 of someone who now holds the 18-character card). Unique per
    (id_type, id_number) across all persons (the unique index below); a number is
    either a Person's own (Person.id_type/id_number) or linked here, never both."""

    id = Serial(primary_key=True)
    person = ForeignKey(Person, index=True)
    id_type = Varchar(length=20)
    id_number = Varchar(length=32, index=True)
    note = Text(default="")
    created_at = Timestamptz()

    person_linked_number_type_number = Unique([id_type, id_number])


class WorkPeriod(Table):
    """Declared work history (申报条件 evidence); recorded employment lives in employers."""

    id = Serial(primary_key=True)
    person = ForeignKey(Person, index=True)
    employer = Varchar(length=100)
    occupation = Varchar(length=100)
    started_on = Date()
    ended_on = Date(null=True, default=None)
    created_at = Timestamptz()


class User(Table, tablename="app_user"):
    id = Serial(primary_key=True)
    username = Varchar(length=50, unique=True)
    # core.accounts.usernames.normalise_username(username): what sign-in, the login lock and
    # uniqueness compare ("edu " == "EDU" == "ｅｄｕ")
    username_key = Varchar(length=50, unique=True)
    password_hash = Varchar(length=255)
    role = Varchar(length=30, index=True)
    display_name = Varchar(length=50)
    # optional contact address: notices for the user's organisation (e.g. a filing returned or
    # accepted) go there by e-mail through the outbox (core.messages)
    email = Varchar(length=254, default="")
    person = ForeignKey(Person, null=True, default=None)
    # a trainee sees the Person's record only once this is set (core.claims: SMS code to the
    # phone on file or an officer's decision); other roles do not depend on it. At most one
    # verified trainee per Person: a partial unique index the ORM cannot declare
    # (app_user_one_verified_trainee_per_person, migration 2026-11-30T02:15:00)
    identity_verified_at = Timestamptz(null=True, default=None)
    organisation_id = Integer(null=True, default=None, index=True)
    is_active = Boolean(default=True)
    created_at = Timestamptz()
    last_login_at = Timestamptz(null=True, default=None)
    # set by an admin-made password (new account, reset, CLI): every page leads to the
    # change-password page, and the API answers 403, until the user chooses a password
    must_change_password = Boolean(default=False)
    # stored in each session at sign-in; raising it ends every session of the user at once
    session_version = Integer(default=0)


class ApiToken(Table):
    """Opaque bearer tokens; only their SHA-256 is stored."""

    id = Serial(primary_key=True)
    user = ForeignKey(User, index=True)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz()
    expires_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)


class PasswordReset(Table):
    """A one-time password-reset link started by an admin: only the token's SHA-256 is
    stored; valid until ``expires_at``, spent when ``used_at`` is set."""

    id = Serial(primary_key=True)
    user = ForeignKey(User, index=True)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz()
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
    created_by = Integer(null=True, default=None)


class AuditLog(Table):
    """Append-only: nothing updates or deletes these rows."""

    id = Serial(primary_key=True)
    at = Timestamptz(index=True)
    actor_id = Integer(null=True, default=None, index=True)
    actor_name = Varchar(length=50, default="")
    actor_role = Varchar(length=30, default="")
    action = Varchar(length=60, index=True)
    entity_type = Varchar(length=40, index=True)
    entity_id = Varchar(length=40, default="", index=True)
    summary = JSON(default={})
    client_ip = Varchar(length=64, default="")


class StoredFile(Table):
    """An uploaded or generated file, addressed by id, with its SHA-256. Its contents are where
    FILE_STORAGE keeps them (core.storage): ``path`` under FILES_DIR, or the StoredChunk rows of
    its ``sha256``."""

    id = Serial(primary_key=True)
    sha256 = Varchar(length=64, index=True)
    path = Varchar(length=255)
    content_type = Varchar(length=100)
    size = Integer()
    original_name = Varchar(length=255, default="")
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz()


class StoredChunk(Table, tablename="stored_file_chunk"):
    """One piece (core.storage.CHUNK_BYTES at most) of a file's contents kept in the database
    (FILE_STORAGE=database), keyed by the whole file's SHA-256 so identical contents are stored
    once; ``digest`` is the SHA-256 of this piece. Unique (sha256, seq): the database's unique
    index ``stored_file_chunk_uq``."""

    id = Serial(primary_key=True)
    sha256 = Varchar(length=64)
    seq = Integer()
    digest = Varchar(length=64)
    data = Bytea()

    stored_file_chunk_uq = Unique([sha256, seq])


class Qualification(Table):
    """Catalogue entry: a skill certificate, a training certificate or an external credential."""

    id = Serial(primary_key=True)
    code = Varchar(length=40, unique=True)
    name = Varchar(length=100)
    kind = Varchar(length=20)  # skill | training | external
    occupation_code = Varchar(length=20, default="")
    issuer_kind = Varchar(length=100, default="")
    validity_months = Integer(null=True, default=None)
    counts_as = JSON(default=[])  # codes this one also satisfies (e.g. CAREGIVER_TRAINING)
    source = Text(default="")
    active = Boolean(default=True)


class QualificationLevel(Table):
    """One level of a qualification: unique (qualification, level)."""

    id = Serial(primary_key=True)
    qualification = ForeignKey(Qualification, index=True)
    level = SmallInt()
    name = Varchar(length=30)  # 四级/中级工
    pass_mark = SmallInt(default=60)
    needs_review = Boolean(default=False)
    subsidy_fen = Integer(null=True, default=None)

    qualification_level_uq = Unique([qualification, level])


class ConditionEdition(Table):
    """申报条件 of one occupation, one edition: levels → alternative conditions (data)."""

    id = Serial(primary_key=True)
    qualification = ForeignKey(Qualification, index=True)
    edition = Varchar(length=40)
    effective_from = Date()
    source = Text(default="")
    conditions = JSON(default={})


class Credential(Table):
    """Everything that can qualify someone: issued here or recorded from elsewhere."""

    id = Serial(primary_key=True)
    person = ForeignKey(Person, index=True)
    code = Varchar(length=40, index=True)
    level = SmallInt(null=True, default=None)
    number = Varchar(length=40, unique=True)
    issuer_name = Varchar(length=100, default="")
    issuer_code = Varchar(length=40, default="")
    issued_on = Date()
    expires_on = Date(null=True, default=None)
    status = Varchar(length=20, default="valid", index=True)
    status_reason = Text(default="")
    status_changed_at = Timestamptz(null=True, default=None)
    source = Varchar(length=20, default="issued")  # issued | recorded
    recorded_by = Integer(null=True, default=None)
    scan = ForeignKey(StoredFile, null=True, default=None)
    outcome = Varchar(length=20, null=True, default=None)  # pass | fail | clear | flagged
    verification_code = Varchar(length=32, default="")
    superseded_by = Integer(null=True, default=None)
    origin_type = Varchar(length=30, default="")  # exam_result | enrolment | manual
    origin_id = Integer(null=True, default=None)
    created_at = Timestamptz()


class CredentialStatusChange(Table):
    """One status change. ``reason`` is the public reason (shown on verification and to the
    holder); ``internal_note`` is for 人社局 officers only, never published."""

    id = Serial(primary_key=True)
    credential = ForeignKey(Credential, index=True)
    from_status = Varchar(length=20, default="")
    to_status = Varchar(length=20)
    reason = Text(default="")
    internal_note = Text(default="")
    actor_id = Integer(null=True, default=None)
    at = Timestamptz()


class CredentialEvent(Table):
    """Written in the same transaction as any credential creation or status change."""

    id = Serial(primary_key=True)
    credential = ForeignKey(Credential, index=True)
    person = ForeignKey(Person, index=True)
    kind = Varchar(length=20)  # created | status_changed
    at = Timestamptz(index=True)
