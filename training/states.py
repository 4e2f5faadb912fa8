"""State values of the training package: a shared contract with certification.

ExamSession.state moves
    draft → open (registration open) → closed (registration closed)
          → results_uploaded → submitted (for approval)
          → approved (certification issues the certificates)
          or back to results_uploaded with ``return_reason`` set (returned by the officer).
Training owns every move up to ``submitted`` and the resubmission after a return;
certification owns the officer's approve / return action.
"""

from __future__ import annotations

# ExamSession.state
EXAM_DRAFT = "draft"
EXAM_OPEN = "open"
EXAM_CLOSED = "closed"
EXAM_RESULTS_UPLOADED = "results_uploaded"
EXAM_SUBMITTED = "submitted"
EXAM_APPROVED = "approved"
EXAM_STATES = (EXAM_DRAFT, EXAM_OPEN, EXAM_CLOSED, EXAM_RESULTS_UPLOADED, EXAM_SUBMITTED,
               EXAM_APPROVED)
EXAM_STATE_LABELS = {
    EXAM_DRAFT: "草稿", EXAM_OPEN: "报名中", EXAM_CLOSED: "报名截止",
    EXAM_RESULTS_UPLOADED: "成绩已上传", EXAM_SUBMITTED: "已提交审核", EXAM_APPROVED: "已审核通过",
}
# Results can be (re)uploaded in these states; after submit they are locked.
EXAM_UPLOADABLE = (EXAM_CLOSED, EXAM_RESULTS_UPLOADED)

# Provider.status
PROVIDER_PENDING = "pending"
PROVIDER_APPROVED = "approved"
PROVIDER_SUSPENDED = "suspended"
PROVIDER_STATUS_LABELS = {PROVIDER_PENDING: "待审核", PROVIDER_APPROVED: "已批准",
                          PROVIDER_SUSPENDED: "已暂停"}

# ProviderScope.scope
SCOPE_TRAIN = "train"
SCOPE_EXAMINE = "examine"

# Course.kind and Course.state
COURSE_SKILL = "skill"
COURSE_TRAINING = "training"
COURSE_KIND_LABELS = {COURSE_SKILL: "技能等级培训", COURSE_TRAINING: "专项培训"}
COURSE_DRAFT = "draft"
COURSE_OPEN = "open"
COURSE_RUNNING = "running"
COURSE_FINISHED = "finished"
COURSE_CANCELLED = "cancelled"
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
ENROL_APPLIED = "applied"
ENROL_ACCEPTED = "accepted"
ENROL_REJECTED = "rejected"
ENROL_WAITLISTED = "waitlisted"
ENROL_WITHDRAWN = "withdrawn"
ENROL_COMPLETED = "completed"
ENROL_STATE_LABELS = {ENROL_APPLIED: "已申请", ENROL_ACCEPTED: "已录取", ENROL_REJECTED: "未录取",
                      ENROL_WAITLISTED: "候补中", ENROL_WITHDRAWN: "已退出",
                      ENROL_COMPLETED: "已结业"}

# ExamRegistration.status and route
REG_PENDING = "pending"
REG_CONFIRMED = "confirmed"
REG_REJECTED = "rejected"
REG_STATUS_LABELS = {REG_PENDING: "待机构确认", REG_CONFIRMED: "已确认", REG_REJECTED: "未通过"}
ROUTE_COURSE = "course"
ROUTE_CONDITIONS = "conditions"

# ClassSession.kind
HOURS_THEORY = "theory"
HOURS_PRACTICAL = "practical"
HOURS_KIND_LABELS = {HOURS_THEORY: "理论", HOURS_PRACTICAL: "实操"}
