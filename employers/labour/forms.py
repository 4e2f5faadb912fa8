"""Labour page forms read with the one forms layer (core.forms.FormReader): 元 to fen with
core.forms.parse_yuan, dates, hours, the enumerations; every field at fault is reported at once
under the form's own input names (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, TypeVar

from pydantic import BaseModel

from core.errors import FieldErrors, ValidationError
from core.forms import FormReader, form_model
from core.identity import normalise_uscc
from employers.labour.periods import parse_month
from employers.labour.records import (
    CaseKind,
    CaseStatus,
    ContractType,
    EmploymentForm,
    InsuranceKind,
)
from employers.labour.schemas import (
    CaseIn,
    ContractIn,
    InsuranceIn,
    LabourRecordIn,
    MinimumWageIn,
    WageIn,
)

M = TypeVar("M", bound=BaseModel)

# Schema field -> its label, for pydantic's refusals (form_model says "<label>：<reason>").
LABELS = {"type": "合同类型", "signed_on": "签订日期", "start": "合同起始日期",
          "end": "合同终止日期", "probation_end": "试用期截止日期", "kind": "类型",
          "registered_on": "登记日期",
          "month": "工资所属月份", "gross_fen": "应发工资", "countable_fen": "计入最低工资的部分",
          "pay_date": "发放日期", "hours": "工时", "filed_on": "受理日期", "status": "状态",
          "resolution": "处理结果", "reason": "更正原因", "effective_from": "执行日期",
          "monthly_fen": "月最低工资", "hourly_fen": "小时最低工资", "source": "文件依据",
          "form": "用工形式", "agency_uscc": "劳务派遣单位统一社会信用代码"}
# Schema field -> the form input it is typed in (the amounts are typed in 元).
FIELD_ALIASES = {"gross_fen": "gross", "countable_fen": "countable", "monthly_fen": "monthly",
                 "hourly_fen": "hourly"}


def parse_hours(value: Any, field: str = "hours") -> Decimal | None:
    """Hours worked in a month (non-full-time work): 0 … 9999 with at most two decimals;
    None when empty. Raises ValidationError naming ``field`` (use ``reader.run``)."""
    text = str(value or "").strip()
    if not text:
        return None
    try:
        hours = Decimal(text)
    except InvalidOperation:
        raise ValidationError("工时应为数字，最多两位小数", field) from None
    if not hours.is_finite():
        raise ValidationError("工时应为有限的数字", field)
    if hours < 0 or hours > Decimal("9999") or hours != hours.quantize(Decimal("0.01")):
        raise ValidationError("工时应为不小于 0 的数，最多两位小数", field)
    return hours


def _choice(reader: FormReader, field: str, label: str, enum: type[StrEnum],
            default: str = "") -> str:
    value = reader.raw(field).strip() or default
    if value not in enum._value2member_map_:
        reader.fail(field, f"请选择{label}")
    return value


def _model(reader: FormReader, model: type[M], names: Mapping[str, str], **values: Any) -> M | None:
    """``model`` from the values read; whatever pydantic still refuses is kept on the form input
    (``names``: schema field -> input name, else FIELD_ALIASES, else the same name). None when
    any field of the form is at fault."""
    try:
        built = form_model(model, {}, LABELS, **values)
    except FieldErrors as exc:
        for field, message in exc.errors.items():
            reader.fail(names.get(field, FIELD_ALIASES.get(field, field)), message)
        return None
    return None if reader.errors else built


def _reason(reader: FormReader, field: str, officer: bool = False) -> str:
    """The correction reason; officers correcting a record must give one."""
    reason = reader.text(field, "更正原因", max_length=500)
    if officer and not reason:
        reader.fail(field, "主管部门更正记录须填写更正原因")
    return reason


def read_record(reader: FormReader, reason: str = "record_reason") -> LabourRecordIn | None:
    """用工形式与名册信息; a dispatched worker needs the agency's name and USCC (GB 32100-2015
    check character), as the service requires."""
    form = _choice(reader, "form", "用工形式", EmploymentForm)
    agency_name = reader.text("agency_name", "劳务派遣单位名称", max_length=100)
    agency_uscc = reader.raw("agency_uscc").strip()
    if form == EmploymentForm.DISPATCHED:
        if not agency_name:
            reader.fail("agency_name", "劳务派遣用工应填写劳务派遣单位名称")
        reader.run("agency_uscc", normalise_uscc, agency_uscc, "agency_uscc")
    return _model(reader, LabourRecordIn, {"reason": reason}, form=form, agency_name=agency_name,
                  agency_uscc=agency_uscc,
                  registered_address=reader.text("registered_address", "户籍地址", max_length=200),
                  current_address=reader.text("current_address", "现居住地址", max_length=200),
                  contact=reader.text("contact", "联系方式", max_length=50),
                  reason=_reason(reader, reason))


def read_contract(reader: FormReader, reason: str = "reason", *,
                  officer: bool = False) -> ContractIn | None:
    """书面劳动合同 (劳动合同法 第十条, probation 第十九条): type, dates within 1900…2099;
    the end-before-start rules are the service's (employers.labour.records.Contract)."""
    return _model(reader, ContractIn, {"reason": reason},
                  type=_choice(reader, "type", "合同类型", ContractType),
                  signed_on=reader.date("signed_on", "签订日期", required=True),
                  start=reader.date("start", "合同起始日期", required=True),
                  end=reader.date("end", "合同终止日期"),
                  probation_end=reader.date("probation_end", "试用期截止日期"),
                  reason=_reason(reader, reason, officer))


def read_insurance(reader: FormReader, reason: str = "insurance_reason", *,
                   officer: bool = False) -> InsuranceIn | None:
    """社会保险登记 (社会保险法 第五十八条): 险种 and 登记日期."""
    return _model(reader, InsuranceIn, {"reason": reason, "kind": "insurance_kind"},
                  kind=_choice(reader, "insurance_kind", "险种", InsuranceKind),
                  registered_on=reader.date("registered_on", "登记日期", required=True),
                  reason=_reason(reader, reason, officer))


def read_wage(reader: FormReader, reason: str = "reason", *,
              officer: bool = False) -> WageIn | None:
    """A month's wage: YYYY-MM, amounts in 元 -> fen (core.forms.parse_yuan), pay date, hours
    (non-full-time work, 劳动合同法 第六十八条)."""
    month = reader.raw("month").strip()
    if not month:
        reader.fail("month", "请填写工资所属月份")
    else:
        reader.run("month", parse_month, month, "month")
    return _model(reader, WageIn, {"reason": reason}, month=month,
                  gross_fen=reader.yuan("gross", "应发工资"),
                  countable_fen=reader.yuan("countable", "计入最低工资的部分"),
                  pay_date=reader.date("pay_date", "发放日期"),
                  hours=reader.run("hours", parse_hours, reader.data.get("hours"), "hours"),
                  reason=_reason(reader, reason, officer))


def read_case(reader: FormReader, reason: str = "reason", *,
              officer: bool = False) -> CaseIn | None:
    """A labour dispute or complaint case: kind, 受理日期, status, resolution."""
    return _model(reader, CaseIn, {"reason": reason},
                  kind=_choice(reader, "kind", "案件类型", CaseKind),
                  filed_on=reader.date("filed_on", "受理日期", required=True),
                  status=_choice(reader, "status", "状态", CaseStatus, "open"),
                  resolution=reader.text("resolution", "处理结果", max_length=2000),
                  reason=_reason(reader, reason, officer))


def read_minimum_wage(reader: FormReader) -> MinimumWageIn | None:
    """A minimum-wage rate: effective date, monthly and hourly 元, the notice it comes from."""
    return _model(reader, MinimumWageIn, {},
                  effective_from=reader.date("effective_from", "执行日期", required=True),
                  monthly_fen=reader.yuan("monthly", "月最低工资"),
                  hourly_fen=reader.yuan("hourly", "小时最低工资"),
                  source=reader.text("source", "文件依据", required=True, max_length=1000),
                  provisional=bool(reader.data.get("provisional")))
