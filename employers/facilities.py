"""Pure vocabulary and input checks for facilities, classes and staff links (no I/O).

Labels users read are here once; the staffing rules themselves are in the compliance rules
file, and filing's documents and deadlines in `employers/data/filing.json`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

from core.errors import ValidationError
from core.identity import normalise_uscc

SERVICE_TYPES = {"full_day": "全日托", "half_day": "半日托", "hourly": "计时托",
                 "temporary": "临时托"}
AUTHORITIES = {"gov_service": "区政务服务办", "civil_affairs": "区民政局",
               "market_regulation": "区市场监管局", "education": "区教育局"}
CLASS_TYPES = {"infant": "乳儿班", "toddler_small": "托小班", "toddler_large": "托大班",
               "mixed": "混合班"}
POSITIONS = {"director": "负责人", "caregiver": "保育人员", "health": "卫生保健人员",
             "security": "保安人员"}
EMPLOYMENT = {"full_time": "全职", "part_time": "兼职"}
EMPLOYMENT_FORMS = {"full_time": "全日制", "part_time": "非全日制", "dispatched": "劳务派遣"}


class LinkStatus(StrEnum):
    """A staff link's status (employers.tables.StaffLink.status); refused or withdrawn links
    stay, without access to the person's credentials."""

    PENDING_CONSENT = "pending_consent"
    ACTIVE = "active"
    ENDED = "ended"
    CONSENT_REFUSED = "consent_refused"
    CONSENT_WITHDRAWN = "consent_withdrawn"


class ConsentHow(StrEnum):
    """How a staff link's consent was given (StaffLink.consent, StaffConsent.how)."""

    TRAINEE_ACCEPTED = "trainee_accepted"
    FORM_UPLOADED = "form_uploaded"


class FilingStatus(StrEnum):
    """A facility's filing status (Facility.filing_status): its current filing's state."""

    NONE = "none"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    ACCEPTED = "accepted"


class FilingState(StrEnum):
    """One filing's state (Filing.state)."""

    SUBMITTED = "submitted"
    RETURNED = "returned"
    ACCEPTED = "accepted"


class FilingEventKind(StrEnum):
    """What happened to a filing (FilingEvent.kind), one history row each."""

    SUBMITTED = "submitted"
    RETURNED = "returned"
    ACCEPTED = "accepted"


LINK_STATUS = {LinkStatus.PENDING_CONSENT: "待本人同意", LinkStatus.ACTIVE: "在职",
               LinkStatus.ENDED: "已离职", LinkStatus.CONSENT_REFUSED: "本人已拒绝授权",
               LinkStatus.CONSENT_WITHDRAWN: "本人已撤回授权"}
CONSENT = {ConsentHow.TRAINEE_ACCEPTED: "本人在线同意", ConsentHow.FORM_UPLOADED: "上传签字同意书"}
FILING_STATUS = {FilingStatus.NONE: "未备案", FilingStatus.SUBMITTED: "备案审核中",
                 FilingStatus.RETURNED: "已退回", FilingStatus.ACCEPTED: "已备案"}
FILING_STATES = {FilingState.SUBMITTED: "已提交", FilingState.RETURNED: "已退回",
                 FilingState.ACCEPTED: "已备案"}
FILING_EVENTS = {FilingEventKind.SUBMITTED: "提交", FilingEventKind.RETURNED: "退回",
                 FilingEventKind.ACCEPTED: "予以备案"}
DATA_FILE = Path(__file__).parent / "data" / "filing.json"


@cache
def filing_rules() -> dict[str, Any]:
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


def document_kinds() -> dict[str, dict[str, Any]]:
    return {d["kind"]: d for d in filing_rules()["documents"]}


def _text(value: str | None, field_name: str, label: str, max_len: int) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError(f"请填写{label}", field_name)
    if len(text) > max_len:
        raise ValidationError(f"{label}不能超过 {max_len} 个字", field_name)
    return text


def _count(value: Any, field_name: str, label: str, maximum: int = 10_000) -> int:
    if isinstance(value, bool):
        raise ValidationError(f"{label}应为整数", field_name)
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError(f"{label}应为整数", field_name) from None
    if number < 0 or number > maximum:
        raise ValidationError(f"{label}应在 0 到 {maximum} 之间", field_name)
    return number


@dataclass(frozen=True)
class FacilityInput:
    name: str
    uscc: str
    for_profit: bool
    registering_authority: str
    address: str
    street: str
    service_types: list[str] = field(default_factory=list)
    capacity: Any = 0
    is_kindergarten_with_toddler_class: bool = False

    def normalised(self) -> FacilityInput:
        if self.registering_authority not in AUTHORITIES:
            raise ValidationError("请选择登记机关", "registering_authority")
        types = list(dict.fromkeys(self.service_types))
        if not types:
            raise ValidationError("请至少选择一种服务类型", "service_types")
        if any(t not in SERVICE_TYPES for t in types):
            raise ValidationError("服务类型取值无效", "service_types")
        return FacilityInput(
            name=_text(self.name, "name", "机构名称", 100),
            uscc=normalise_uscc(self.uscc, "uscc"),
            for_profit=bool(self.for_profit),
            registering_authority=self.registering_authority,
            address=_text(self.address, "address", "地址", 200),
            street=_text(self.street, "street", "所在街镇", 50),
            service_types=[t for t in SERVICE_TYPES if t in types],
            capacity=_count(self.capacity, "capacity", "核定托位数"),
            is_kindergarten_with_toddler_class=bool(self.is_kindergarten_with_toddler_class),
        )


@dataclass(frozen=True)
class ClassInput:
    code: str
    type: str
    children: Any

    def normalised(self) -> ClassInput:
        if self.type not in CLASS_TYPES:
            raise ValidationError("请选择班型", "type")
        return ClassInput(_text(self.code, "code", "班级编号", 20), self.type,
                          _count(self.children, "children", "婴幼儿人数", 1000))


@dataclass(frozen=True)
class StaffTerms:
    positions: list[str]
    employment: str
    employment_form: str
    started_on: date
    management_years: Any = 0

    def normalised(self) -> StaffTerms:
        positions = list(dict.fromkeys(self.positions))
        if not positions:
            raise ValidationError("请至少选择一个岗位", "positions")
        if any(p not in POSITIONS for p in positions):
            raise ValidationError("岗位取值无效", "positions")
        if self.employment not in EMPLOYMENT:
            raise ValidationError("请选择全职或兼职", "employment")
        if self.employment_form not in EMPLOYMENT_FORMS:
            raise ValidationError("请选择用工形式", "employment_form")
        return StaffTerms([p for p in POSITIONS if p in positions], self.employment,
                          self.employment_form, self.started_on,
                          _count(self.management_years, "management_years", "管理工作年限", 60))
