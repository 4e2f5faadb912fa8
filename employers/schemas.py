"""Hand-written Pydantic models of the employers API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from core.forms import BoundedDate
from employers.services.consents import ConsentEntry
from employers.services.facilities import FacilityListing
from employers.services.filings import Verification
from employers.services.rechecks import FacilityAlert

# Response models are validated from the services' rows and objects (from_attributes); where a
# row names a reference by its column (facility, staff_link), the field also reads that name.
# Where the API answers a service's row as it is, the model subclasses that row (its fields are
# declared there once) and keeps its own name here, the OpenAPI component's.
FROM_ROWS = ConfigDict(from_attributes=True, populate_by_name=True)


def column(name: str, column_name: str) -> AliasChoices:
    """Read field ``name`` from itself or from the row's column ``column_name``."""
    return AliasChoices(name, column_name)


class IdOut(BaseModel):
    id: int


class ConsentOut(ConsentEntry):
    """One answer to a staff-link consent request (employers.services.consents.ConsentEntry)."""

    model_config = FROM_ROWS


class FacilityIn(BaseModel):
    name: str = Field(max_length=100)
    uscc: str = Field(max_length=40, description="统一社会信用代码")
    for_profit: bool = False
    registering_authority: Literal["gov_service", "civil_affairs", "market_regulation", "education"]
    address: str = Field(max_length=200)
    street: str = Field(max_length=50, description="所在街镇")
    service_types: list[Literal["full_day", "half_day", "hourly", "temporary"]]
    capacity: int = Field(ge=0, le=10000, description="核定托位数")
    is_kindergarten_with_toddler_class: bool = False


class FacilityOut(FacilityListing):
    """A facility (employers.services.facilities.FacilityListing), its filing status documented
    as a plain string; also validated from a Facility row (registration, detail, update), which
    has no compliance: ``compliant`` then None."""

    model_config = FROM_ROWS

    filing_status: str
    compliant: bool | None = None


class FacilityPage(BaseModel):
    items: list[FacilityOut]
    total: int
    page: int
    per_page: int


class PublicFacilityOut(BaseModel):
    model_config = FROM_ROWS

    name: str
    address: str
    street: str
    service_types: list[str]
    capacity: int


class ClassIn(BaseModel):
    code: str = Field(max_length=20)
    type: Literal["infant", "toddler_small", "toddler_large", "mixed"]
    children: int = Field(ge=0, le=1000)


class ClassOut(BaseModel):
    """A class with its caregivers' staff links (employers.services.classes.ClassView)."""

    model_config = FROM_ROWS

    id: int
    code: str
    type: str
    children: int
    caregiver_link_ids: list[int]


class AssignIn(BaseModel):
    staff_link_id: int


class StaffIn(BaseModel):
    id_type: str = Field(default="居民身份证", max_length=20)
    id_number: str = Field(max_length=40)
    name: str = Field(max_length=50)
    # the person's mobile as the employer knows it: corroborates (or undoes) a self-registered
    # account's provisional binding (core.claims.corroboration)
    phone: str | None = Field(default=None, max_length=20)
    education: Literal["below_secondary", "secondary", "associate", "bachelor",
                       "master_or_above"] | None = None
    positions: list[Literal["director", "caregiver", "health", "security"]]
    employment: Literal["full_time", "part_time"]
    employment_form: Literal["full_time", "part_time", "dispatched"] = "full_time"
    started_on: BoundedDate
    management_years: int = Field(default=0, ge=0, le=60)


class StaffOut(BaseModel):
    """A staff link (employers.services.staff.StaffMember); the ID number masked."""

    model_config = FROM_ROWS

    id: int
    snapshot_id: str
    person_id: int
    name: str
    id_number_masked: str
    positions: list[str]
    employment: str
    employment_form: str
    started_on: date
    ended_on: date | None
    management_years: int
    status: str
    consent: str | None


class EndIn(BaseModel):
    ended_on: BoundedDate
    reason: str = Field(default="", max_length=500)


class SnapCredential(BaseModel):
    code: str
    level: int | None = None
    number: str | None = None
    status: str
    issued_on: str
    expires_on: str | None


class SnapStaff(BaseModel):
    id: str
    name: str
    positions: list[str]
    employment: str
    education: str
    management_years: int
    health_check_on: str | None
    background_check: str
    credentials: list[SnapCredential]
    # why the credentials are not in the snapshot (consent_withdrawn), else absent/null
    credentials_withheld: str | None = None


class SnapClass(BaseModel):
    code: str
    type: str
    children: int
    caregivers: list[str]


class SnapFacility(BaseModel):
    name: str
    uscc: str


class SnapshotOut(BaseModel):
    as_of: str
    facility: SnapFacility
    classes: list[SnapClass]
    staff: list[SnapStaff]


class RuleOut(BaseModel):
    code: str
    status: Literal["pass", "fail"]
    message: str
    subjects: list[str]


class ReportOut(BaseModel):
    compliant: bool
    as_of: str
    rules: list[RuleOut]


class ClassChange(BaseModel):
    code: str
    children: int | None = Field(default=None, ge=0, le=1000)


class MoveCaregiver(BaseModel):
    staff_id: str = Field(description="快照中的人员编号，如 s12")
    to_class: str | None = Field(default=None, description="目标班级编号；空为移出班级")


class WhatIfIn(BaseModel):
    classes: list[ClassChange] = []
    moves: list[MoveCaregiver] = []


class ForecastItem(BaseModel):
    on: date
    code: str
    message: str
    subjects: list[str]
    text: str


class CheckIn(BaseModel):
    id_type: str = Field(default="居民身份证", max_length=20)
    id_number: str = Field(max_length=40)
    name: str = Field(max_length=50)
    reason: str = Field(max_length=500, description="查询事由")
    certificate_number: str = Field(default="", max_length=40)


class CheckedCredential(BaseModel):
    model_config = FROM_ROWS

    code: str
    name: str
    level: int | None = None
    level_name: str = Field(default="", description="等级名称，与证书一致，如“四级/中级工”")
    number: str
    status: str
    status_label: str
    issued_on: date
    expires_on: date | None = None
    valid_through: date | None = Field(default=None, description=(
        "最后有效日：健康检查为检查日周年日的前一日；背景审查无有效期（空）"))
    outcome: str | None = None
    counts_today: bool


class CheckOut(BaseModel):
    model_config = FROM_ROWS

    row: int | None = None
    basis: str
    name: str
    message: str
    credentials: list[CheckedCredential]


class FilingOut(BaseModel):
    model_config = FROM_ROWS

    id: int
    facility_id: int = Field(validation_alias=column("facility_id", "facility"))
    state: str
    compliant: bool
    explanation: str
    report: ReportOut
    submitted_at: datetime
    filing_due_on: date
    answer_due_on: date | None
    reasons: str
    receipt_number: str | None
    packet_sha256: str
    previous_id: int | None


class ReasonsIn(BaseModel):
    reasons: str = Field(max_length=2000)


class VerifyOut(Verification):
    """A filing checked again (employers.services.filings.Verification)."""

    model_config = FROM_ROWS


class QueueItem(BaseModel):
    model_config = FROM_ROWS

    id: int
    facility_id: int = Field(validation_alias=column("facility_id", "facility"))
    facility_name: str
    compliant: bool
    submitted_at: datetime
    filing_due_on: date
    answer_due_on: date | None
    filing_days_left: int
    answer_days_left: int | None
    overdue: bool
    resubmission: bool


class AlertOut(FacilityAlert):
    """An accepted facility that does not comply now (employers.services.rechecks.
    FacilityAlert), its reasons as rules."""

    model_config = FROM_ROWS

    reasons: list[RuleOut]
