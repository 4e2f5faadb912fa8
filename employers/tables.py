"""Piccolo tables of the employers package: the data and nothing else.

Facilities and their operators, classes, staff links (history kept: a link is ended, never
deleted), the live compliance state, filings (备案) with their frozen packets, the working-day
calendar officers maintain, and the log of who viewed whose credentials.
"""

from __future__ import annotations

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

from core.tables import Person, StoredFile, User


class Facility(Table, tablename="employers_facility"):
    """A childcare facility (托育机构), registered by an operator."""

    id = Serial(primary_key=True)
    name = Varchar(length=100, index=True)
    uscc = Varchar(length=18, unique=True)
    for_profit = Boolean(default=False)
    registering_authority = Varchar(length=30)  # see employers.facilities.AUTHORITIES
    address = Varchar(length=200)
    street = Varchar(length=50, index=True)  # 街镇
    service_types = JSON(default=[])  # full_day | half_day | hourly | temporary
    capacity = Integer(default=0)
    is_kindergarten_with_toddler_class = Boolean(default=False)
    # none | submitted | returned | accepted
    filing_status = Varchar(length=20, default="none", index=True)
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class FacilityOperator(Table, tablename="employers_facility_operator"):
    """A user who may act for a facility; one user may act for several."""

    id = Serial(primary_key=True)
    facility = ForeignKey(Facility, index=True)
    user = ForeignKey(User, index=True)
    created_at = Timestamptz()


class FacilityClass(Table, tablename="employers_class"):
    """A class (班级) with its type (班型) and number of children."""

    id = Serial(primary_key=True)
    facility = ForeignKey(Facility, index=True)
    code = Varchar(length=20)
    type = Varchar(length=20)  # infant | toddler_small | toddler_large | mixed
    children = Integer(default=0)
    active = Boolean(default=True, index=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class StaffLink(Table, tablename="employers_staff_link"):
    """A person working (or about to work) at a facility. Ended links stay as history."""

    id = Serial(primary_key=True)
    facility = ForeignKey(Facility, index=True)
    person = ForeignKey(Person, index=True)
    positions = JSON(default=[])  # director | caregiver | health | security
    employment = Varchar(length=20, default="full_time")  # full_time | part_time (compliance)
    # 用工形式: full_time | part_time | dispatched
    employment_form = Varchar(length=20, default="full_time")
    started_on = Date()
    ended_on = Date(null=True, default=None)
    end_reason = Text(default="")
    management_years = SmallInt(default=0)
    consent = Varchar(length=20, null=True, default=None)  # trainee_accepted | form_uploaded
    consent_file = ForeignKey(StoredFile, null=True, default=None)
    consent_at = Timestamptz(null=True, default=None)
    # pending_consent | active | consent_refused | consent_withdrawn | ended
    # (employers.services.consents: refused or withdrawn links stay, without credential access)
    status = Varchar(length=20, default="pending_consent", index=True)
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class ClassAssignment(Table, tablename="employers_class_assignment"):
    """A caregiver assigned to a class; a staff link is in one class at most."""

    id = Serial(primary_key=True)
    facility_class = ForeignKey(FacilityClass, index=True)
    staff_link = ForeignKey(StaffLink, unique=True)
    created_at = Timestamptz()


class ComplianceState(Table, tablename="employers_compliance_state"):
    """The latest evaluation of a facility, kept current by re-checks."""

    id = Serial(primary_key=True)
    facility = ForeignKey(Facility, unique=True)
    report = JSON(default={})
    compliant = Boolean(default=False, index=True)
    failing_rules = JSON(default=[])
    since = Timestamptz()  # when `compliant` last changed
    last_checked_at = Timestamptz()


class Filing(Table, tablename="employers_filing"):
    """One submission of a facility's filing (备案); a resubmission is a new row."""

    id = Serial(primary_key=True)
    facility = ForeignKey(Facility, index=True)
    previous_id = Integer(null=True, default=None)
    state = Varchar(length=20, default="submitted", index=True)  # submitted|returned|accepted
    snapshot = JSON(default={})
    report = JSON(default={})
    compliant = Boolean(default=False)
    explanation = Text(default="")
    documents = JSON(default={})  # kind -> [stored file ids]
    pdf_file = ForeignKey(StoredFile, null=True, default=None)
    packet_sha256 = Varchar(length=64, default="")
    signature = Text(default="")  # base64 Ed25519 over the packet hash
    key_ref = Varchar(length=120, default="")
    submitted_by = Integer(null=True, default=None)
    submitted_at = Timestamptz()
    filing_due_on = Date()  # 5 working days
    answer_due_on = Date(null=True, default=None)  # 15 working days, when non-compliant
    reviewer_id = Integer(null=True, default=None)
    reviewed_at = Timestamptz(null=True, default=None)
    reasons = Text(default="")
    receipt_number = Varchar(length=40, null=True, default=None, unique=True)
    receipt_file = ForeignKey(StoredFile, null=True, default=None)
    created_at = Timestamptz()


class FilingEvent(Table, tablename="employers_filing_event"):
    """The history of a facility's filings: submitted, returned, accepted."""

    id = Serial(primary_key=True)
    filing = ForeignKey(Filing, index=True)
    kind = Varchar(length=20)
    actor_id = Integer(null=True, default=None)
    actor_name = Varchar(length=50, default="")
    note = Text(default="")
    at = Timestamptz()


class WorkCalendarDay(Table, tablename="employers_work_calendar_day"):
    """A holiday or a make-up working day (调休上班) from the State Council's notice."""

    id = Serial(primary_key=True)
    day = Date(unique=True)
    kind = Varchar(length=20)  # holiday | makeup_workday
    name = Varchar(length=30, default="")
    source = Text(default="")
    provisional = Boolean(default=False)
    updated_by = Integer(null=True, default=None)
    updated_at = Timestamptz()


class CredentialAccessLog(Table, tablename="employers_credential_access"):
    """Who viewed a person's credentials, when, why and on what basis."""

    id = Serial(primary_key=True)
    at = Timestamptz(index=True)
    person = ForeignKey(Person, index=True)
    viewer_id = Integer(null=True, default=None)
    viewer_name = Varchar(length=50, default="")
    facility = ForeignKey(Facility, null=True, default=None)
    reason = Text(default="")
    basis = Varchar(length=20)  # consent | officer | public
    via = Varchar(length=20, default="check")  # check | bulk | staff | download
    shown = Varchar(length=20, default="full")  # full | public_result | nothing
    organisation = Varchar(length=200, default="")  # who viewed, as the person reads it


class StaffConsent(Table, tablename="employers_consent"):
    """The consent history of a staff link (PIPL 第十四条、第十五条): one row per request answered
    — given (how, when, the signed form) and later perhaps withdrawn (when, by whom, how, on what
    written request), or refused. Rows are never deleted; re-linking after a withdrawal is a new
    request answered by a new row."""

    id = Serial(primary_key=True)
    staff_link = ForeignKey(StaffLink, index=True)
    person = ForeignKey(Person, index=True)
    facility = ForeignKey(Facility, index=True)
    given_at = Timestamptz(null=True, default=None)
    how = Varchar(length=20, null=True, default=None)  # trainee_accepted | form_uploaded
    file = ForeignKey(StoredFile, null=True, default=None)
    refused_at = Timestamptz(null=True, default=None)
    withdrawn_at = Timestamptz(null=True, default=None)
    withdrawn_by_user = Integer(null=True, default=None)
    withdrawn_via = Varchar(length=30, null=True, default=None)  # person | officer_written_request
    withdrawal_reference = Varchar(length=100, default="")  # the written request's reference
    withdrawal_file = ForeignKey(StoredFile, null=True, default=None)
    created_at = Timestamptz()


# Every table of this package, in creation order; the domain declaration lists them.
TABLES: list[type[Table]] = [
    Facility, FacilityOperator, FacilityClass, StaffLink, ClassAssignment, ComplianceState,
    Filing, FilingEvent, WorkCalendarDay, CredentialAccessLog, StaffConsent,
]
