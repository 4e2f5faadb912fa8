"""Hand-written Pydantic models of the certification API."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from certification.reasons import INTERNAL_NOTE_MAX_LENGTH, PUBLIC_REASON_MAX_LENGTH
from certification.services.certificates import CertificateFacts


class PublicCertificateOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    number: str = Field(description="证书编号")
    holder_name: str = Field(description="持证人姓名（部分隐藏）")
    qualification: str = Field(description="职业（工种）或培训名称")
    level: int | None = Field(description="职业技能等级 1–5；培训证明为空")
    level_name: str
    issuer: str = Field(description="评价机构或培训机构")
    issued_on: date
    expires_on: date | None
    status: str = Field(description="valid / suspended / revoked / expired / superseded")
    status_label: str
    status_date: date | None
    status_reason: str = Field(description="公开原因（暂停、撤销等；人社局选择公开的说明）")
    superseded_by: str | None = Field(description="补发后的新证书编号")


class StatusChangeOut(BaseModel):
    """Read from certification.services.certificates.StatusChange by attribute."""

    model_config = ConfigDict(from_attributes=True)

    from_status: str
    to_status: str
    reason: str = Field(description="公开原因（公开查验、持证人可见）")
    internal_note: str | None = Field(
        default=None, description="内部备注（仅人社局可见，不公开）；其他调用方为 null")
    at: datetime


class CertificateOut(CertificateFacts):
    """A certificate (certification.services.certificates.CertificateFacts), read from a
    CertificateView by attribute."""

    model_config = ConfigDict(from_attributes=True)

    status_reason: str = Field(description="公开原因")
    superseded_by: int | None = Field(description="补发后的新证书 id（已被替代时）")
    superseded_by_number: str | None = Field(
        default=None, description="补发后的新证书编号（已被替代时；否则为 null）")
    superseded_by_url: str | None = Field(
        default=None, description="新证书的接口地址 /api/v1/certificates/{id}（已被替代时）")
    pdf_is_stamped_copy: bool = False  # the PDF downloads as 加注状态的副本 (not valid)
    history: list[StatusChangeOut]


class CertificatePage(BaseModel):
    items: list[CertificateOut]
    total: int
    page: int
    per_page: int


class LifecycleIn(BaseModel):
    """Suspend, reinstate or revoke (certification.reasons: the rules of both texts)."""

    public_reason: str = Field(
        max_length=PUBLIC_REASON_MAX_LENGTH,
        description="公开原因（必填，将在公开查验页面、查验接口显示，并告知持证人；"
                    f"不超过 {PUBLIC_REASON_MAX_LENGTH} 字，不能换行或含控制字符）")
    internal_note: str = Field(
        default="", max_length=INTERNAL_NOTE_MAX_LENGTH,
        description=f"内部备注（选填，仅人社局可见，不公开；不超过 {INTERNAL_NOTE_MAX_LENGTH} 字）")


class ReissueIn(BaseModel):
    kind: str = Field(description="lost（遗失补发）| name_change（更名换发）")
    evidence: str = Field(max_length=500)
    new_name: str = ""


class IdOut(BaseModel):
    id: int
    number: str | None = None


class CandidateOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    registration_id: int
    person_id: int
    name: str
    id_number: str
    theory: float | None
    practical: float | None
    review: float | None
    passed: bool
    credential_id: int | None
    number: str | None
    absent: bool = False  # 缺考: no scores, no certificate


class SessionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    provider: str
    qualification: str
    level: int | None
    state: str
    return_reason: str
    candidates: list[CandidateOut] = []
    passed: int
    total: int
    absent: int = 0


class ReturnIn(BaseModel):
    reason: str = Field(max_length=1000)


class ApproveOut(BaseModel):
    session_id: int
    state: str
    issued: list[int]
    job_id: int | None


class JobFailureOut(BaseModel):
    """A certificate the job could not render, with the reason (Chinese, for the officer)."""

    model_config = ConfigDict(from_attributes=True)

    credential_id: int
    number: str
    holder_name: str
    error: str


class JobOut(BaseModel):
    # read from certification.services.jobs_queue.JobProgress by attribute
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    state: str
    total: int
    done_count: int
    failed_count: int
    created_at: datetime
    finished_at: datetime | None
    failures: list[JobFailureOut] = []


class ExternalCredentialOut(BaseModel):
    """A credential recorded from elsewhere (certification.services.external.ExternalRecord)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    number: str
    issuer: str
    issued_on: date
    expires_on: date | None
    outcome: str | None
    status: str
    holder_name: str
    has_scan: bool
