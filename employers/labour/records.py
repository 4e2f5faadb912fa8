"""The plain records the labour-rights rules read, and the Finding they return (pure).

Services fill these from the database; tests build them directly. Money is integer fen.
Each record checks its own shape on construction and raises ValidationError naming the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar

from core.errors import ValidationError
from core.identity import normalise_uscc
from employers.labour.periods import parse_month


class EmploymentForm(StrEnum):
    FULL_TIME = "full_time"
    PART_TIME = "part_time"
    DISPATCHED = "dispatched"

    @property
    def label(self) -> str:
        return {"full_time": "全日制", "part_time": "非全日制", "dispatched": "劳务派遣"}[self]


class ContractType(StrEnum):
    FIXED = "fixed"
    OPEN_ENDED = "open_ended"
    TASK = "task"

    @property
    def label(self) -> str:
        return {
            "fixed": "固定期限",
            "open_ended": "无固定期限",
            "task": "以完成一定工作任务为期限",
        }[self]


class InsuranceKind(StrEnum):
    PENSION = "pension"
    MEDICAL = "medical"
    UNEMPLOYMENT = "unemployment"
    INJURY = "injury"
    MATERNITY = "maternity"

    @property
    def label(self) -> str:
        return INSURANCE_LABELS[self]

    @classmethod
    def parse(cls, value: str) -> InsuranceKind:
        """Accept the code ('pension') or the Chinese name ('养老' / '养老保险')."""
        for kind, label in INSURANCE_LABELS.items():
            if value in (kind.value, label, label + "保险"):
                return kind
        raise ValidationError(f"未知的社会保险险种：{value}", "insurance")


INSURANCE_LABELS = {
    InsuranceKind.PENSION: "养老",
    InsuranceKind.MEDICAL: "医疗",
    InsuranceKind.UNEMPLOYMENT: "失业",
    InsuranceKind.INJURY: "工伤",
    InsuranceKind.MATERNITY: "生育",
}


class CaseKind(StrEnum):
    WAGE_ARREARS = "wage_arrears"
    NO_CONTRACT = "no_contract"
    NO_INSURANCE = "no_insurance"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "wage_arrears": "欠薪",
            "no_contract": "未签劳动合同",
            "no_insurance": "未缴社保",
            "other": "其他劳动争议",
        }[self]


class CaseStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return {"open": "已受理", "in_progress": "处理中", "closed": "已结案"}[self]


class FindingCode(StrEnum):
    NO_WRITTEN_CONTRACT = "NO_WRITTEN_CONTRACT"
    CONTRACT_SIGNED_LATE = "CONTRACT_SIGNED_LATE"
    DEEMED_OPEN_ENDED = "DEEMED_OPEN_ENDED"
    INSURANCE_NOT_REGISTERED = "INSURANCE_NOT_REGISTERED"
    INSURANCE_REGISTERED_LATE = "INSURANCE_REGISTERED_LATE"
    PROBATION_NOT_ALLOWED = "PROBATION_NOT_ALLOWED"
    PROBATION_TOO_LONG = "PROBATION_TOO_LONG"
    WAGE_BELOW_MINIMUM = "WAGE_BELOW_MINIMUM"
    WAGE_HOURS_MISSING = "WAGE_HOURS_MISSING"
    PART_TIME_PAY_INTERVAL = "PART_TIME_PAY_INTERVAL"
    CONTRACT_ENDING_SOON = "CONTRACT_ENDING_SOON"
    OPEN_CASE = "OPEN_CASE"

    @property
    def label(self) -> str:
        return FINDING_LABELS[self]


FINDING_LABELS = {
    FindingCode.NO_WRITTEN_CONTRACT: "未订立书面劳动合同",
    FindingCode.CONTRACT_SIGNED_LATE: "逾期订立书面劳动合同",
    FindingCode.DEEMED_OPEN_ENDED: "视为已订立无固定期限劳动合同",
    FindingCode.INSURANCE_NOT_REGISTERED: "未办理社会保险登记",
    FindingCode.INSURANCE_REGISTERED_LATE: "逾期办理社会保险登记",
    FindingCode.PROBATION_NOT_ALLOWED: "违法约定试用期",
    FindingCode.PROBATION_TOO_LONG: "试用期超过法定上限",
    FindingCode.WAGE_BELOW_MINIMUM: "工资低于最低工资标准",
    FindingCode.WAGE_HOURS_MISSING: "非全日制工资未记录工时",
    FindingCode.PART_TIME_PAY_INTERVAL: "非全日制工资支付周期超过法定上限",
    FindingCode.CONTRACT_ENDING_SOON: "劳动合同即将到期",
    FindingCode.OPEN_CASE: "投诉或仲裁案件未结",
}


class Severity(StrEnum):
    VIOLATION = "violation"  # the law is broken (or was, and something is owed)
    WARNING = "warning"  # needs attention: an open case, missing data
    INFO = "info"  # a reminder: a contract ends soon


E = TypeVar("E", bound=StrEnum)


def _coerce(enum: type[E], value: str, field: str, what: str) -> E:
    try:
        return enum(value)
    except ValueError:
        raise ValidationError(f"{what}不正确：{value}", field) from None


def _check_fen(value: object, field: str) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValidationError("金额应为不小于 0 的整数（单位：分）", field)


@dataclass(frozen=True)
class Employment:
    """One person's employment at one facility (职工名册 row)."""

    form: EmploymentForm
    start: date
    end: date | None = None
    agency_name: str | None = None  # dispatched: the 劳务派遣单位 holding the contract
    agency_uscc: str | None = None
    ref: str = ""  # the caller's id for the staff link, copied into findings

    def __post_init__(self) -> None:
        object.__setattr__(self, "form", _coerce(EmploymentForm, self.form, "form", "用工形式"))
        if self.end is not None and self.end < self.start:
            raise ValidationError("用工终止日期不能早于用工开始日期", "end")
        if self.form == EmploymentForm.DISPATCHED:
            if not (self.agency_name or "").strip():
                raise ValidationError("劳务派遣用工应填写劳务派遣单位名称", "agency_name")
            object.__setattr__(self, "agency_uscc", normalise_uscc(self.agency_uscc, "agency_uscc"))


@dataclass(frozen=True)
class Contract:
    """The written labour contract (for dispatched staff: the one with the agency)."""

    type: ContractType
    signed_on: date
    start: date
    end: date | None = None
    probation_end: date | None = None  # last day of probation, None when there is none

    def __post_init__(self) -> None:
        object.__setattr__(self, "type", _coerce(ContractType, self.type, "type", "合同类型"))
        if self.type == ContractType.FIXED and self.end is None:
            raise ValidationError("固定期限劳动合同应填写终止日期", "end")
        if self.type == ContractType.OPEN_ENDED and self.end is not None:
            raise ValidationError("无固定期限劳动合同不应填写终止日期", "end")
        if self.end is not None and self.end < self.start:
            raise ValidationError("合同终止日期不能早于合同开始日期", "end")
        if self.probation_end is not None and self.probation_end < self.start:
            raise ValidationError("试用期截止日期不能早于合同开始日期", "probation_end")


@dataclass(frozen=True)
class WageRecord:
    """One pay slip: a month's wages (part-time staff may have several per month)."""

    month: str  # 'YYYY-MM', the month the wages are for
    gross_fen: int
    countable_fen: int  # the part counting towards the minimum wage
    pay_date: date | None = None
    hours: Decimal | int | None = None  # part-time: hours worked for this pay

    def __post_init__(self) -> None:
        parse_month(self.month, "month")
        _check_fen(self.gross_fen, "gross_fen")
        _check_fen(self.countable_fen, "countable_fen")
        if self.countable_fen > self.gross_fen:
            raise ValidationError("计入最低工资的部分不能超过应发工资", "countable_fen")
        if self.hours is not None and (isinstance(self.hours, bool) or Decimal(self.hours) < 0):
            raise ValidationError("工时应为不小于 0 的数", "hours")


@dataclass(frozen=True)
class Case:
    """A complaint or arbitration case (投诉、仲裁)."""

    kind: CaseKind
    filed_on: date
    status: CaseStatus
    resolution: str = ""
    ref: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", _coerce(CaseKind, self.kind, "kind", "案件类型"))
        object.__setattr__(self, "status", _coerce(CaseStatus, self.status, "status", "案件状态"))


@dataclass(frozen=True)
class MinimumWage:
    """One dated row of the local minimum wage (officers maintain the list)."""

    effective_from: date
    monthly_fen: int
    hourly_fen: int  # 非全日制 hourly minimum
    region: str
    source: str
    provisional: bool = False  # figure or date not yet confirmed against the notice

    def __post_init__(self) -> None:
        _check_fen(self.monthly_fen, "monthly_fen")
        _check_fen(self.hourly_fen, "hourly_fen")


@dataclass(frozen=True)
class Finding:
    """One labour-rights finding for one employment."""

    code: FindingCode
    severity: Severity
    message: str  # Chinese, specific: dates and amounts
    since: date  # the first day the finding applies
    ref: str = ""  # Employment.ref (or Case.ref for cases)
    # What it is about: 'contract', 'insurance:pension', 'wage:2026-03', 'case:<ref>' ...
    subject: str = ""
    amount_fen: int | None = None  # a shortfall or sum owed, when there is one
