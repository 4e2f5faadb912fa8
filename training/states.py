"""State values of the training package: a shared contract with certification.

ExamSession.state moves
    draft → open (registration open) → closed (registration closed)
          → results_uploaded → submitted (for approval)
          → approved (certification issues the certificates)
          or back to results_uploaded with ``return_reason`` set (returned by the officer).
Training owns every move up to ``submitted`` and the resubmission after a return;
certification owns the officer's approve / return action.

Each set of values is a StrEnum (its members are the stored strings, so the database and the
API see the same text as before); the module-level names are the members under the names the
callers use. Chinese labels stay in the label tables below (plugged through training.labels).
"""

from __future__ import annotations

from enum import StrEnum


class ExamState(StrEnum):
    """ExamSession.state."""

    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    RESULTS_UPLOADED = "results_uploaded"
    SUBMITTED = "submitted"
    APPROVED = "approved"


class ProviderStatus(StrEnum):
    """Provider.status."""

    PENDING = "pending"
    APPROVED = "approved"
    SUSPENDED = "suspended"


class Scope(StrEnum):
    """ProviderScope.scope: what a provider may do for a qualification."""

    TRAIN = "train"
    EXAMINE = "examine"


class CourseKind(StrEnum):
    """Course.kind."""

    SKILL = "skill"
    TRAINING = "training"


class CourseState(StrEnum):
    """Course.state."""

    DRAFT = "draft"
    OPEN = "open"
    RUNNING = "running"
    FINISHED = "finished"
    CANCELLED = "cancelled"


class EnrolmentState(StrEnum):
    """Enrolment.state."""

    APPLIED = "applied"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WAITLISTED = "waitlisted"
    WITHDRAWN = "withdrawn"
    COMPLETED = "completed"


class RegistrationStatus(StrEnum):
    """ExamRegistration.status."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


class Route(StrEnum):
    """ExamRegistration.route: through a completed course or by the 申报条件."""

    COURSE = "course"
    CONDITIONS = "conditions"


class HoursKind(StrEnum):
    """ClassSession.kind."""

    THEORY = "theory"
    PRACTICAL = "practical"


class ClassSessionState(StrEnum):
    """ClassSession.state: a recorded session counts for those present, a void one for
    nobody (kept with its history)."""

    RECORDED = "recorded"
    VOID = "void"


# ExamSession.state
EXAM_DRAFT = ExamState.DRAFT
EXAM_OPEN = ExamState.OPEN
EXAM_CLOSED = ExamState.CLOSED
EXAM_RESULTS_UPLOADED = ExamState.RESULTS_UPLOADED
EXAM_SUBMITTED = ExamState.SUBMITTED
EXAM_APPROVED = ExamState.APPROVED
EXAM_STATES = (EXAM_DRAFT, EXAM_OPEN, EXAM_CLOSED, EXAM_RESULTS_UPLOADED, EXAM_SUBMITTED,
               EXAM_APPROVED)
EXAM_STATE_LABELS = {
    EXAM_DRAFT: "草稿", EXAM_OPEN: "报名中", EXAM_CLOSED: "报名截止",
    EXAM_RESULTS_UPLOADED: "成绩已上传", EXAM_SUBMITTED: "已提交审核", EXAM_APPROVED: "已审核通过",
}
# Results can be (re)uploaded in these states; after submit they are locked.
EXAM_UPLOADABLE = (EXAM_CLOSED, EXAM_RESULTS_UPLOADED)

# Provider.status
PROVIDER_PENDING = ProviderStatus.PENDING
PROVIDER_APPROVED = ProviderStatus.APPROVED
PROVIDER_SUSPENDED = ProviderStatus.SUSPENDED
PROVIDER_STATUS_LABELS = {PROVIDER_PENDING: "待审核", PROVIDER_APPROVED: "已批准",
                          PROVIDER_SUSPENDED: "已暂停"}

# ProviderScope.scope
SCOPE_TRAIN = Scope.TRAIN
SCOPE_EXAMINE = Scope.EXAMINE

# Course.kind and Course.state
COURSE_SKILL = CourseKind.SKILL
COURSE_TRAINING = CourseKind.TRAINING
COURSE_KIND_LABELS = {COURSE_SKILL: "技能等级培训", COURSE_TRAINING: "专项培训"}
COURSE_DRAFT = CourseState.DRAFT
COURSE_OPEN = CourseState.OPEN
COURSE_RUNNING = CourseState.RUNNING
COURSE_FINISHED = CourseState.FINISHED
COURSE_CANCELLED = CourseState.CANCELLED
COURSE_STATE_LABELS = {COURSE_DRAFT: "草稿", COURSE_OPEN: "报名中", COURSE_RUNNING: "开班中",
                       COURSE_FINISHED: "已结业", COURSE_CANCELLED: "已取消"}
COURSE_TRANSITIONS = {
    COURSE_DRAFT: (COURSE_OPEN, COURSE_CANCELLED),
    COURSE_OPEN: (COURSE_RUNNING, COURSE_CANCELLED),
    COURSE_RUNNING: (COURSE_FINISHED, COURSE_CANCELLED),
    COURSE_FINISHED: (),
    COURSE_CANCELLED: (),
}

# Enrolment.state
ENROL_APPLIED = EnrolmentState.APPLIED
ENROL_ACCEPTED = EnrolmentState.ACCEPTED
ENROL_REJECTED = EnrolmentState.REJECTED
ENROL_WAITLISTED = EnrolmentState.WAITLISTED
ENROL_WITHDRAWN = EnrolmentState.WITHDRAWN
ENROL_COMPLETED = EnrolmentState.COMPLETED
ENROL_STATE_LABELS = {ENROL_APPLIED: "已申请", ENROL_ACCEPTED: "已录取", ENROL_REJECTED: "未录取",
                      ENROL_WAITLISTED: "候补中", ENROL_WITHDRAWN: "已退出",
                      ENROL_COMPLETED: "已结业"}

# ExamRegistration.status and route
REG_PENDING = RegistrationStatus.PENDING
REG_CONFIRMED = RegistrationStatus.CONFIRMED
REG_REJECTED = RegistrationStatus.REJECTED
REG_STATUS_LABELS = {REG_PENDING: "待机构确认", REG_CONFIRMED: "已确认", REG_REJECTED: "未通过"}
ROUTE_COURSE = Route.COURSE
ROUTE_CONDITIONS = Route.CONDITIONS

# ClassSession.kind
HOURS_THEORY = HoursKind.THEORY
HOURS_PRACTICAL = HoursKind.PRACTICAL
HOURS_KIND_LABELS = {HOURS_THEORY: "理论", HOURS_PRACTICAL: "实操"}
