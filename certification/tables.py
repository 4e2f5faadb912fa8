"""Piccolo tables of the certification package: the data and nothing else.

The certificates themselves are rows of core's Credential table; what is kept here is what
only issuance, rendering, signing and verification need.
"""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Serial,
    SmallInt,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from core.tables import Credential, Person, StoredFile


class SerialCounter(Table):
    """The last serial allocated under a number prefix (16 chars for skill certificates,
    9 for training certificates, ``status:<key>`` for status-list indexes). Updated in the
    issuing transaction; a serial is never handed out twice."""

    id = Serial(primary_key=True)
    prefix = Varchar(length=40, unique=True)
    last_serial = Integer(default=0)


class SigningKey(Table):
    """An Ed25519 key of the registry. ``current`` signs new credentials; a ``retired`` key
    keeps signing the status lists of the credentials it issued, so they stay checkable.
    At most one key is current: the partial unique index ``signing_key_one_current``
    (status, where status is current)."""

    id = Serial(primary_key=True)
    did = Varchar(length=100, unique=True)
    private_pem = Text()
    status = Varchar(length=10, default="current")  # current | retired
    since = Timestamptz()
    retired_on = Timestamptz(null=True, default=None)


class CertificateRecord(Table):
    """What issuance knows about a certificate issued here (one row per issued Credential)."""

    id = Serial(primary_key=True)
    credential = ForeignKey(Credential, unique=True)
    person = ForeignKey(Person, index=True)
    kind = Varchar(length=10)  # skill | training
    # What it was issued for: exam_result:12 / enrolment:7 / reissue:3 / demo:…
    origin_key = Varchar(length=60, unique=True)
    holder_name = Varchar(length=50)  # as printed at issue
    qualification_name = Varchar(length=100)
    occupation_code = Varchar(length=20, default="")
    direction = Varchar(length=50, default="")
    level_name = Varchar(length=30, default="")
    details = JSON(default={})  # training: course name, class hours, dates
    status_key = ForeignKey(SigningKey, null=True, default=None)
    status_index = Integer(null=True, default=None)
    pdf = ForeignKey(StoredFile, null=True, default=None)
    vc_json = Text(default="")
    needs_render = Boolean(default=True)
    created_at = Timestamptz()


class CertificatePdf(Table):
    """Every rendering of a certificate, kept: the current one is CertificateRecord.pdf."""

    id = Serial(primary_key=True)
    record = ForeignKey(CertificateRecord, index=True)
    file = ForeignKey(StoredFile)
    sha256 = Varchar(length=64)
    reason = Varchar(length=30, default="issue")  # issue | reissue | photo
    created_at = Timestamptz()


class HolderPhoto(Table):
    """The photo printed on a holder's certificates; the newest row is used."""

    id = Serial(primary_key=True)
    person = ForeignKey(Person, index=True)
    file = ForeignKey(StoredFile)
    uploaded_by = Integer(null=True, default=None)
    created_at = Timestamptz()


class JobState(StrEnum):
    """IssuanceJob.state."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class JobItemState(StrEnum):
    """IssuanceJobItem.state."""

    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class IssuanceJob(Table):
    """Rendering and signing after issuance, done by the worker pool; progress for officers."""

    id = Serial(primary_key=True)
    kind = Varchar(length=20, default="render")  # render
    title = Varchar(length=200, default="")
    origin_key = Varchar(length=60, default="", index=True)  # exam_session:5
    state = Varchar(length=20, default="queued", index=True)  # queued | running | done | failed
    total = Integer(default=0)
    done_count = Integer(default=0)
    failed_count = Integer(default=0)
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz()
    finished_at = Timestamptz(null=True, default=None)


class IssuanceJobItem(Table):
    id = Serial(primary_key=True)
    job = ForeignKey(IssuanceJob, index=True)
    record = ForeignKey(CertificateRecord, index=True)
    state = Varchar(length=20, default="pending", index=True)  # pending | running | done | failed
    reason = Varchar(length=30, default="issue")
    attempts = SmallInt(default=0)
    error = Text(default="")
    claimed_at = Timestamptz(null=True, default=None)
    finished_at = Timestamptz(null=True, default=None)
    # The worker holding a running item (core.worker.worker_id) and until when; renewed while it
    # renders, claimed again by any worker once past.
    lease_until = Timestamptz(null=True, default=None)
    owner = Varchar(length=80, default="")


class LifecycleRequest(Table):
    """Evidence of a re-issue (补发 after loss, or a name change) with the approving officer."""

    id = Serial(primary_key=True)
    old_credential = ForeignKey(Credential, index=True)
    new_credential = Integer(null=True, default=None)
    kind = Varchar(length=20)  # lost | name_change
    evidence = Text(default="")
    approved_by = Integer(null=True, default=None)
    on = Date()
    created_at = Timestamptz()


class CertificateReview(Table):
    """The 人社局 officers' review queue: an issued certificate whose ground changed or is in
    doubt (hours corrected below the requirement, hours flagged, dated before its exam…).
    ``kind`` says why (certification.services.reviews.KINDS); ``state``: open → confirmed |
    suspended | revoked | reissued (suspended may still be confirmed, revoked or re-issued).
    ``key`` is unique so the same finding is queued once."""

    id = Serial(primary_key=True)
    credential = ForeignKey(Credential, index=True)
    kind = Varchar(length=30, index=True)
    reason = Text(default="")
    details = JSON(default={})
    key = Varchar(length=100, unique=True)
    state = Varchar(length=12, default="open", index=True)
    created_at = Timestamptz()
    decided_at = Timestamptz(null=True, default=None)
    decided_by = Integer(null=True, default=None)
    decision_note = Text(default="")
    new_credential = Integer(null=True, default=None)


# Every table of this package, in creation order; the domain declaration lists them.
TABLES: list[type[Table]] = [
    SerialCounter, SigningKey, CertificateRecord, CertificatePdf, HolderPhoto,
    IssuanceJob, IssuanceJobItem, LifecycleRequest, CertificateReview,
]
