"""What is printed on a certificate: plain frozen data, filled by the services from the registry.

The faces carry display-ready text (the level label "四级/中级工", the ID type's Chinese name,
the ID number already masked or not — the caller decides who sees what) plus dates and the
photo bytes. Rendering (``certification.pdf``) only lays them out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core.uploads import PHOTO_KINDS, sniff_kind

# 证书名称 on the face of every skill-level certificate (职业技能等级证书 reference style).
SKILL_CERTIFICATE_TITLE = "职业技能等级证书"
TRAINING_CERTIFICATE_TITLE = "培训合格证明"
# Printed when a certificate has no 工种/职业方向 (domain: mandatory face fields).
NO_DIRECTION = "--"


def _require(value: str, name: str) -> None:
    if not value or not value.strip():
        raise ValueError(f"certificate face: {name} is empty")


@dataclass(frozen=True)
class CertificateFace:
    """A skill-level certificate (职业技能等级证书) as printed."""

    holder_name: str  # 姓名
    id_type: str  # 证件类型, e.g. "居民身份证"
    id_number: str  # 证件号码, masked or full as the caller decided
    occupation_name: str  # 职业名称, e.g. "保育师"
    direction: str | None  # 工种/职业方向; None prints "--"
    level_label: str  # 职业技能等级, e.g. "四级/中级工"
    certificate_number: str  # 证书编号, ^[YS]\d{21}$
    issuer_name: str  # 评价机构名称
    issued_on: date  # 发证日期
    verification_code: str
    verification_url: str  # what the QR code encodes: number + verification code
    photo: bytes | None = None  # JPEG or PNG; None prints a placeholder
    occupation_code: str | None = None  # e.g. "4-10-01-03", printed small when known

    def __post_init__(self) -> None:
        for name in (
            "holder_name",
            "id_type",
            "id_number",
            "occupation_name",
            "level_label",
            "certificate_number",
            "issuer_name",
            "verification_code",
            "verification_url",
        ):
            _require(getattr(self, name), name)
        if self.photo is not None and sniff_kind(self.photo) not in PHOTO_KINDS:
            raise ValueError("certificate face: photo must be JPEG or PNG")

    @property
    def title(self) -> str:
        return SKILL_CERTIFICATE_TITLE

    @property
    def direction_text(self) -> str:
        return self.direction.strip() if self.direction and self.direction.strip() else NO_DIRECTION


@dataclass(frozen=True)
class TrainingCertificateFace:
    """A training certificate (培训合格证明) issued by a provider when a course is completed."""

    holder_name: str
    id_type: str
    id_number: str
    training_name: str  # e.g. "婴幼儿保育相关培训"
    class_hours: int  # 学时 completed
    provider_name: str  # 培训机构
    starts_on: date  # course dates
    ends_on: date
    issued_on: date
    certificate_number: str
    verification_code: str
    verification_url: str

    def __post_init__(self) -> None:
        for name in (
            "holder_name",
            "id_type",
            "id_number",
            "training_name",
            "provider_name",
            "certificate_number",
            "verification_code",
            "verification_url",
        ):
            _require(getattr(self, name), name)
        if self.class_hours < 0:
            raise ValueError("certificate face: class_hours is negative")
        if self.ends_on < self.starts_on:
            raise ValueError("certificate face: course ends before it starts")

    @property
    def title(self) -> str:
        return TRAINING_CERTIFICATE_TITLE
