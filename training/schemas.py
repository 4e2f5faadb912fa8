"""Hand-written Pydantic models of the training API.

Response models are validated from the services' typed rows and objects (``from_attributes``:
``Model.model_validate(row)``), never copied field by field; where a row names a reference by
its column (``provider`` of an ExamSession row), the field also reads that name. Where the API
answers a row's own shape, the response model subclasses the row (training.services.common.Row)
and declares only what it documents differently — a StrEnum as a plain string, a description;
where it deliberately shows less (masked ID numbers, fewer fields), it lists its own fields."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from core.forms import MAX_FEN, BoundedDate
from training.services.courses import CourseRow
from training.services.exams import ExamSessionRow, PublishedResult
from training.services.hours import ClassSessionRow
from training.services.hours_changes import ClassSessionRevisionRow
from training.services.providers import ProviderView
from training.services.results import CandidateScores

FROM_ROWS = ConfigDict(from_attributes=True, populate_by_name=True)


def column(name: str, column_name: str) -> AliasChoices:
    """Read field ``name`` from itself or from the row's column ``column_name``."""
    return AliasChoices(name, column_name)


class IdOut(BaseModel):
    id: int


class StateOut(BaseModel):
    id: int
    state: str


class ScopeIn(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    qualification_code: str = Field(max_length=40)
    level: int | None = Field(default=None, ge=1, le=5)
    scope: Literal["train", "examine"]


class ProviderIn(BaseModel):
    name: str = Field(max_length=100)
    uscc: str = Field(max_length=40, description="统一社会信用代码")
    address: str = Field(default="", max_length=200)
    contact_name: str = Field(default="", max_length=50)
    contact_phone: str = Field(default="", max_length=20)
    is_assessment_body: bool = False
    body_type: Literal["Y", "S"] | None = None
    body_code: str | None = Field(default=None, description="评价机构代码（4 位数字）")
    site_serial: str | None = Field(default=None, description="评价站点序号（6 位数字）")
    province_code: str = Field(default="12", max_length=2)
    scopes: list[ScopeIn] = Field(default_factory=list)


class ProviderOut(ProviderView):
    """A provider with its scopes (training.services.providers.ProviderView)."""

    model_config = FROM_ROWS

    scopes: list[ScopeIn]


class ProviderPage(BaseModel):
    items: list[ProviderOut]
    total: int
    page: int
    per_page: int


class ReasonIn(BaseModel):
    reason: str = Field(default="", max_length=500)


class CourseIn(BaseModel):
    kind: Literal["skill", "training"]
    title: str = Field(max_length=100)
    qualification_code: str = Field(max_length=40)
    level: int | None = Field(default=None, ge=1, le=5)
    theory_hours_required: int = Field(ge=0, le=2000)
    practical_hours_required: int = Field(ge=0, le=2000)
    capacity: int = Field(ge=1, le=1000)
    starts_on: BoundedDate
    ends_on: BoundedDate
    place: str = Field(default="", max_length=200)
    fee_fen: int = Field(default=0, ge=0, le=MAX_FEN, description="费用（分），不超过 10^10")
    subsidy_eligible: bool = False
    description: str = Field(default="", max_length=2000)


class CourseOut(CourseRow):
    """A course: training.services.courses.CourseRow, its kind and state documented as
    plain strings."""

    model_config = FROM_ROWS

    kind: str
    state: str


class CoursePage(BaseModel):
    items: list[CourseOut]
    total: int
    page: int
    per_page: int


class CourseStateIn(BaseModel):
    state: Literal["open", "running", "finished", "cancelled"]
    reason: str = Field(default="", max_length=500)


class DecisionIn(BaseModel):
    decision: Literal["accept", "reject", "waitlist"]
    reason: str = Field(default="", max_length=500)


class BulkDecisionIn(BaseModel):
    """Several enrolments of one course accepted or rejected together (one reason for all)."""

    ids: list[int] = Field(min_length=1, max_length=500, description="报名 id")
    action: Literal["accept", "reject"]
    reason: str = Field(default="", max_length=500, description="不录取原因（reject 必填）")


class BulkDecisionItemOut(BaseModel):
    """What a bulk action did to one enrolment (training.services.enrolment.BulkOutcome)."""

    model_config = FROM_ROWS

    id: int = Field(validation_alias=column("id", "enrolment_id"))
    before: str = Field(description="处理前的报名状态")
    state: str = Field(description="处理后的报名状态")
    outcome: Literal["accepted", "rejected", "waitlisted", "unchanged"] = Field(
        description="accepted 已录取；rejected 不予录取；waitlisted 名额已满列入（或仍在）候补；"
                    "unchanged 已处理过的报名，未改动")
    message: str = ""


class BulkDecisionOut(BaseModel):
    course_id: int
    action: str
    order: str = Field(default="applied_at", description="按报名时间先后录取至名额满")
    items: list[BulkDecisionItemOut]


class EnrolmentOut(BaseModel):
    """An enrolment with its class hours (training.services.enrolment.EnrolmentRow)."""

    model_config = FROM_ROWS

    id: int
    course_id: int
    course_title: str | None = None
    state: str
    reason: str
    applied_at: datetime
    theory_done: int | None = None
    practical_done: int | None = None
    theory_required: int | None = None
    practical_required: int | None = None
    credential_id: int | None = None


class ClassSessionIn(BaseModel):
    held_on: BoundedDate = Field(description="上课日期（不能晚于今天，中国时间；今天的课须已下课）")
    starts_at: time | None = Field(
        default=None, description="上课时间 HH:MM（必填；中国时间，不带时区，不带秒）")
    ends_at: time | None = Field(
        default=None,
        description="下课时间 HH:MM（必填；中国时间，不带时区，不带秒；今天的课须不晚于现在）")
    kind: Literal["theory", "practical"]
    hours: int = Field(ge=1, le=12, description="学时 ≤ 上课分钟数 ÷ 每学时分钟数（向下取整）")
    topic: str = Field(default="", max_length=200)
    present: list[int] = Field(description="出勤学员的报名 id；本班其余已录取学员记为缺勤")


class ClassSessionCorrectIn(ClassSessionIn):
    present: list[int] | None = Field(  # type: ignore[assignment]
        default=None, description="更正后的出勤名单；不填则不变")
    reason: str = Field(default="", max_length=500, description="更正原因（必填）")


class ClassSessionOut(ClassSessionRow):
    """A class session with its open flags: training.services.hours.ClassSessionRow, its kind
    and state documented as plain strings."""

    model_config = FROM_ROWS

    kind: str
    state: str = Field(description="recorded | void")
    flags: list[str] = Field(default_factory=list, description="待更正的数据核查标记")


class ClassSessionRevisionOut(ClassSessionRevisionRow):
    """One version of a class session: training.services.hours_changes.ClassSessionRevisionRow,
    its kind and state documented as plain strings."""

    model_config = FROM_ROWS

    kind: str
    action: str = Field(description="record | correct | void")
    present: list[int]
    state: str


class CompletionOut(BaseModel):
    enrolment_id: int
    state: str
    credential_id: int | None


class ExamSessionIn(BaseModel):
    qualification_code: str = Field(max_length=40)
    level: int = Field(ge=1, le=5)
    exam_on: BoundedDate
    place: str = Field(default="", max_length=200)


class ExamSessionOut(ExamSessionRow):
    """An exam session: training.services.exams.ExamSessionRow (or OpenSession) or the
    ExamSession row itself (its ``provider`` column), the state documented as a plain
    string."""

    model_config = FROM_ROWS

    provider_id: int = Field(validation_alias=column("provider_id", "provider"))
    state: str


class RegistrationIn(BaseModel):
    diplomas: list[str] = Field(default_factory=list, description="申报时声明的学历类别")
    apprenticeship: bool = False


class EligibilityOut(BaseModel):
    """The 申报条件 check (training.services.exams.EligibilityView)."""

    model_config = FROM_ROWS

    eligible: bool
    route: str
    met: str | None
    missing: list[str]
    relies_on_declared: bool
    edition: str
    declared: list[str] = Field(default_factory=list,
                                description="仅凭本人自述的申报条件：work_years、diplomas、"
                                            "apprenticeship")


class ConfirmIn(BaseModel):
    evidence_note: str = Field(default="", max_length=500,
                               description="核验依据：所见材料及编号（自述条件必填）")


class SessionRegistrationOut(BaseModel):
    """One line of the provider's confirmation list; ``declared`` names (in Chinese) what
    rests on the applicant's own declaration (自述)
    (training.services.exams.SessionRegistration)."""

    model_config = FROM_ROWS

    id: int
    name: str
    id_number: str  # masked
    route: str
    met: str | None
    status: str
    declared: list[str]
    evidence_note: str
    evidence_file: int | None
    reason: str = Field(default="", description="不予通过或退回待确认的原因（如培训结业已撤销）")


class RegistrationOut(BaseModel):
    id: int
    session_id: int
    status: str
    route: str
    eligibility: EligibilityOut


class MissingCandidateOut(BaseModel):
    model_config = FROM_ROWS

    name: str
    id_number: str = Field(description="证件号码（已遮蔽）")


class ResultCounts(BaseModel):
    candidates: int = Field(ge=0, description="已确认的考生人数")
    absent: int = Field(ge=0, description="缺考人数")
    passed: int = Field(ge=0, description="合格人数")
    failed: int = Field(ge=0, description="不合格人数")


class ResultsSummaryOut(ResultCounts):
    """A session's results summary (training.services.results_summary.ResultsSummary)."""

    model_config = FROM_ROWS

    missing: int = Field(description="既无成绩也未标为缺考的考生人数；为 0 才能提交")
    missing_candidates: list[MissingCandidateOut] = Field(description="前 200 名未上传的考生")
    confirm_counts: ResultCounts = Field(description="提交时可与 confirm_digest 一起带回的人数")
    confirm_digest: str = Field(
        description="本汇总所依据的全部成绩的摘要（SHA-256，按报名编号排序的每位考生的成绩、"
                    "缺考与是否合格）；提交时原样带回")


class SubmitIn(BaseModel):
    confirm_digest: str | None = Field(
        default=None, max_length=64,
        description="核对过的成绩汇总的 confirm_digest（GET .../results/summary）；必填，"
                    "与当前成绩不符（如重新上传后合格名单变了）则 409")
    confirm_counts: ResultCounts | None = Field(
        default=None, description="可选，须与 confirm_digest 一起发送；与当前人数不符则 409")


class ResultsAccepted(BaseModel):
    """An accepted upload (training.services.results.UploadOutcome)."""

    model_config = FROM_ROWS

    accepted: int = Field(description="本次保存成绩的考生人数（不含缺考）")
    passed: int
    absent: int = Field(default=0, description="本次标为缺考的人数")
    sheet: str | None = Field(default=None, description="读取的工作表（Excel）")
    summary: ResultsSummaryOut | None = None


class ResultError(BaseModel):
    row: int | None
    column: str | None
    message: str


class ResultsRefused(BaseModel):
    errors: list[ResultError] = Field(description="前 200 处问题；标注文件中标出全部")
    total: int = Field(description="问题总数")
    sheet: str | None = None


class MyResultOut(PublishedResult):
    """A candidate's published scores (training.services.exams.PublishedResult)."""

    model_config = FROM_ROWS


class MyRegistrationOut(BaseModel):
    """One of the trainee's registrations (training.services.exams.MyRegistration)."""

    model_config = FROM_ROWS

    id: int
    session_id: int
    qualification_code: str
    level: int
    exam_on: date
    provider_name: str
    status: str
    route: str
    reason: str
    result: MyResultOut | None = Field(description="经人社局审核通过后公布")
    absent: bool = Field(default=False, description="缺考（经人社局审核通过后公布）")


class ExamResultOut(CandidateScores):
    """A candidate's scores (training.services.results.CandidateScores)."""

    model_config = FROM_ROWS
