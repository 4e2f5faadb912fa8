"""Piccolo tables of the training package: the data and nothing else.

State values are in ``training.states`` (a contract shared with certification).
"""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    Serial,
    SmallInt,
    Text,
    Time,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from core.tables import Person, StoredFile


class Provider(Table, tablename="training_provider"):
    """A training provider (培训机构); when filed as an assessment body (评价机构) it also has
    body type Y/S, a 4-digit body code and a 6-digit site serial (certificate number parts).
    Staff users point here with ``User.organisation_id``."""

    id = Serial(primary_key=True)
    name = Varchar(length=100, index=True)
    uscc = Varchar(length=18, unique=True)
    address = Varchar(length=200, default="")
    contact_name = Varchar(length=50, default="")
    contact_phone = Varchar(length=20, default="")
    status = Varchar(length=20, default="pending", index=True)
    status_reason = Text(default="")
    is_assessment_body = Boolean(default=False)
    body_type = Varchar(length=1, null=True, default=None)  # Y | S
    body_code = Varchar(length=4, null=True, default=None)
    site_serial = Varchar(length=6, null=True, default=None)
    province_code = Varchar(length=2, default="12")
    created_at = Timestamptz()
    updated_at = Timestamptz()


class ProviderScope(Table, tablename="training_provider_scope"):
    """A qualification (and level) a provider may train or examine."""

    id = Serial(primary_key=True)
    provider = ForeignKey(Provider, index=True)
    qualification_code = Varchar(length=40)
    level = SmallInt(null=True, default=None)
    scope = Varchar(length=10)  # train | examine


class Course(Table, tablename="training_course"):
    """A class (班次): skill course for a qualification+level, or a training course that ends
    in a training certificate issued by the provider."""

    id = Serial(primary_key=True)
    provider = ForeignKey(Provider, index=True)
    kind = Varchar(length=10)  # skill | training
    title = Varchar(length=100)
    qualification_code = Varchar(length=40, index=True)
    level = SmallInt(null=True, default=None, index=True)
    theory_hours_required = Integer(default=0)
    practical_hours_required = Integer(default=0)
    capacity = Integer()
    starts_on = Date(index=True)
    ends_on = Date()
    place = Varchar(length=200, default="")
    fee_fen = Integer(default=0)
    subsidy_eligible = Boolean(default=False)
    description = Text(default="")
    state = Varchar(length=20, default="draft", index=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Enrolment(Table, tablename="training_enrolment"):
    id = Serial(primary_key=True)
    course = ForeignKey(Course, index=True)
    person = ForeignKey(Person, index=True)
    state = Varchar(length=20, default="applied", index=True)
    reason = Text(default="")
    applied_at = Timestamptz()
    decided_at = Timestamptz(null=True, default=None)
    decided_by = Integer(null=True, default=None)
    completed_at = Timestamptz(null=True, default=None)
    credential_id = Integer(null=True, default=None)  # training certificate issued on completion


class ClassSession(Table, tablename="training_class_session"):
    """One class session (一次课). ``starts_at``/``ends_at`` (China time) bound the 学时 that may
    be recorded; rows recorded before the times existed have them empty. A corrected session
    keeps its earlier values in ClassSessionRevision; a voided one stays with ``state`` void and
    counts for nobody."""

    id = Serial(primary_key=True)
    course = ForeignKey(Course, index=True)
    held_on = Date()
    kind = Varchar(length=10)  # theory | practical
    hours = Integer()
    topic = Varchar(length=200, default="")
    recorded_by = Integer(null=True, default=None)
    created_at = Timestamptz()
    starts_at = Time(null=True, default=None)
    ends_at = Time(null=True, default=None)
    state = Varchar(length=10, default="recorded", index=True)  # recorded | void
    revision = Integer(default=1)
    updated_at = Timestamptz(null=True, default=None)


class Attendance(Table, tablename="training_attendance"):
    id = Serial(primary_key=True)
    session = ForeignKey(ClassSession, index=True)
    enrolment = ForeignKey(Enrolment, index=True)
    present = Boolean(default=True)


class ClassSessionRevision(Table, tablename="training_class_session_revision"):
    """Every version of a class session, the first included: what it said, who changed it,
    when and why (``present``: enrolment ids present in that version)."""

    id = Serial(primary_key=True)
    session = ForeignKey(ClassSession, index=True)
    revision = Integer()
    held_on = Date()
    starts_at = Time(null=True, default=None)
    ends_at = Time(null=True, default=None)
    kind = Varchar(length=10)
    hours = Integer()
    topic = Varchar(length=200, default="")
    present = JSON(default=[])
    state = Varchar(length=10, default="recorded")
    action = Varchar(length=10, default="record")  # record | correct | void
    reason = Text(default="")
    changed_by = Integer(null=True, default=None)
    changed_at = Timestamptz()


class ClassHourRule(Table, tablename="training_class_hour_rule"):
    """Minutes per 学时, dated, with its source (seeded from training/data/class_hours.json;
    officers add a row when a new rule takes effect). The row in force on a session's date
    applies."""

    id = Serial(primary_key=True)
    effective_from = Date()
    minutes_per_hour = SmallInt()
    source = Text(default="")
    created_at = Timestamptz()


class SessionFlag(Table, tablename="training_session_flag"):
    """A recorded class session the integrity rules would refuse today (future-dated,
    duplicate, a trainee in two places at once), for the provider to correct or void.
    ``key`` makes a second examination add nothing; ``state``: open | resolved."""

    id = Serial(primary_key=True)
    session = ForeignKey(ClassSession, index=True)
    enrolment = Integer(null=True, default=None)
    kind = Varchar(length=20)  # future_date | duplicate | trainee_overlap
    detail = Text(default="")
    key = Varchar(length=80, unique=True)
    state = Varchar(length=10, default="open", index=True)
    created_at = Timestamptz()
    resolved_at = Timestamptz(null=True, default=None)
    resolved_by = Integer(null=True, default=None)


class ExamSession(Table, tablename="training_exam_session"):
    """States: training.states.EXAM_* (a shared contract)."""

    id = Serial(primary_key=True)
    provider = ForeignKey(Provider, index=True)
    qualification_code = Varchar(length=40, index=True)
    level = SmallInt()
    exam_on = Date(index=True)
    place = Varchar(length=200, default="")
    state = Varchar(length=20, default="draft", index=True)
    return_reason = Text(default="")
    results_uploaded_at = Timestamptz(null=True, default=None)
    submitted_at = Timestamptz(null=True, default=None)
    submitted_by = Integer(null=True, default=None)
    approved_at = Timestamptz(null=True, default=None)
    approved_by = Integer(null=True, default=None)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class ExamRegistration(Table, tablename="training_exam_registration"):
    id = Serial(primary_key=True)
    session = ForeignKey(ExamSession, index=True)
    person = ForeignKey(Person, index=True)
    route = Varchar(length=12)  # course | conditions
    enrolment = ForeignKey(Enrolment, null=True, default=None)
    diplomas = JSON(default=[])  # diploma kinds declared at registration
    apprenticeship = Boolean(default=False)
    eligible = Boolean(default=False)
    eligibility = JSON(default={})  # the check's result as shown to the provider
    status = Varchar(length=20, default="pending", index=True)  # pending | confirmed | rejected
    reason = Text(default="")
    confirmed_at = Timestamptz(null=True, default=None)
    confirmed_by = Integer(null=True, default=None)
    created_at = Timestamptz()
    # What the provider saw when confirming a condition met only by the applicant's own
    # declaration: a note and/or a file.
    evidence_note = Text(default="")
    evidence_file = ForeignKey(StoredFile, null=True, default=None,
                               on_delete=OnDelete.set_null)


class ResultUpload(Table, tablename="training_result_upload"):
    """One upload attempt; a refused one keeps its errors and, for 24 h, the annotated file."""

    id = Serial(primary_key=True)
    session = ForeignKey(ExamSession, index=True)
    file = ForeignKey(StoredFile, null=True, default=None)
    feedback_file = ForeignKey(StoredFile, null=True, default=None)
    feedback_expires_at = Timestamptz(null=True, default=None)
    original_name = Varchar(length=255, default="")
    ok = Boolean(default=False)
    accepted = Integer(default=0)
    passed = Integer(default=0)
    errors = JSON(default=[])
    uploaded_by = Integer(null=True, default=None)
    created_at = Timestamptz()


class ExamResult(Table, tablename="training_exam_result"):
    """A candidate's scores; an accepted upload replaces the rows of the candidates it names
    (ExamAbsence for those marked 缺考); locked once the session is submitted."""

    id = Serial(primary_key=True)
    session = ForeignKey(ExamSession, index=True)
    registration = ForeignKey(ExamRegistration, index=True)
    person = ForeignKey(Person, index=True)
    theory = Numeric(digits=(5, 2))
    practical = Numeric(digits=(5, 2))
    review = Numeric(digits=(5, 2), null=True, default=None)
    passed = Boolean(default=False)
    upload = ForeignKey(ResultUpload, null=True, default=None)
    created_at = Timestamptz()


class ExamAbsence(Table, tablename="training_exam_absence"):
    """A confirmed candidate marked 缺考 (absent) by a results upload: no scores, no
    certificate. A candidate has at most one of ExamResult / ExamAbsence; a later upload
    naming the candidate replaces whichever it has."""

    id = Serial(primary_key=True)
    session = ForeignKey(ExamSession, index=True)
    registration = ForeignKey(ExamRegistration, index=True)
    person = ForeignKey(Person, index=True)
    upload = ForeignKey(ResultUpload, null=True, default=None)
    created_at = Timestamptz()


class OnBehalfRegistration(Table, tablename="training_exam_on_behalf"):
    """An exam registration made by the provider for a trainee, pending until the trainee
    confirms it (in their account, or by the SMS code sent to the phone on file). Keeps what
    the provider entered (ID type, number, name) and nothing it was not told: ``person`` is set
    only when the number and the name match a Person on file, and a request without one can
    never be confirmed. Confirming writes the ExamRegistration (``registration``), so a
    pending request counts nowhere a registration counts. ``state``: awaiting | confirmed |
    declined (training.services.exams.OB_*)."""

    id = Serial(primary_key=True)
    session = ForeignKey(ExamSession, index=True)
    person = ForeignKey(Person, null=True, default=None, index=True)
    id_type = Varchar(length=20)
    id_number = Varchar(length=32)
    name = Varchar(length=50)
    condition = SmallInt()  # the 申报条件 line chosen, 1-based
    eligibility = JSON(default={})  # the condition as recorded (met, edition, source)
    evidence_note = Text(default="")
    evidence_file = ForeignKey(StoredFile, null=True, default=None,
                               on_delete=OnDelete.set_null)
    state = Varchar(length=20, default="awaiting", index=True)
    registration = ForeignKey(ExamRegistration, null=True, default=None)
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz()
    decided_at = Timestamptz(null=True, default=None)
    decided_via = Varchar(length=10, default="")  # account | sms


# Every table of this package, in creation order; the domain declaration lists them.
TABLES: list[type[Table]] = [Provider, ProviderScope, Course, Enrolment, ClassSession,
                              Attendance, ExamSession, ExamRegistration, ResultUpload,
                              ExamResult, ClassSessionRevision, ClassHourRule, SessionFlag,
                              ExamAbsence, OnBehalfRegistration]
