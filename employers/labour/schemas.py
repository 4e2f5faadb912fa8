"""Hand-written Pydantic models of the labour-rights API (input and output)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from core.forms import MAX_FEN, BoundedDate


class Correction(BaseModel):
    """Officers correcting an operator's record say why (required for them)."""

    reason: str = Field(default="", max_length=500)


class LabourRecordIn(Correction):
    form: str = Field(description="full_time | part_time | dispatched")
    agency_name: str = Field(default="", max_length=100)
    agency_uscc: str = Field(default="", max_length=30)
    registered_address: str = Field(default="", max_length=200)
    current_address: str = Field(default="", max_length=200)
    contact: str = Field(default="", max_length=50)


class ContractIn(Correction):
    type: str = Field(description="fixed | open_ended | task")
    signed_on: BoundedDate
    start: BoundedDate
    end: BoundedDate | None = None
    probation_end: BoundedDate | None = None


class InsuranceIn(Correction):
    kind: str = Field(description="pension | medical | unemployment | injury | maternity")
    registered_on: BoundedDate


class WageIn(Correction):
    month: str = Field(description="YYYY-MM", max_length=7)
    gross_fen: int = Field(ge=0, le=MAX_FEN)
    countable_fen: int = Field(ge=0, le=MAX_FEN)
    pay_date: BoundedDate | None = None
    hours: Decimal | None = Field(default=None, ge=0, max_digits=6, decimal_places=2,
                                  allow_inf_nan=False)


class CaseIn(Correction):
    kind: str = Field(description="wage_arrears | no_contract | no_insurance | other")
    filed_on: BoundedDate
    status: str = Field(default="open", description="open | in_progress | closed")
    resolution: str = Field(default="", max_length=2000)


class MinimumWageIn(BaseModel):
    effective_from: BoundedDate
    monthly_fen: int = Field(ge=0, le=MAX_FEN)
    hourly_fen: int = Field(ge=0, le=MAX_FEN)
    source: str = Field(min_length=1, max_length=1000)
    provisional: bool = False


class MinimumWageOut(MinimumWageIn):
    model_config = ConfigDict(from_attributes=True)

    id: int
    region: str


class ContractOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    type: str
    type_label: str
    signed_on: date
    start: date
    end: date | None
    probation_end: date | None


class InsuranceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    kind_label: str
    registered_on: date


class WageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    month: str
    gross_fen: int
    countable_fen: int
    pay_date: date | None
    hours: Decimal | None


class CaseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    kind_label: str
    filed_on: date
    status: str
    status_label: str
    resolution: str


class FindingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    label: str
    severity: str
    message: str
    since: date
    subject: str
    amount_fen: int | None
    staff_link_id: int
    facility_id: int
    facility_name: str = ""
    staff_name: str = ""
    computed_on: date | None = None


class LabourFileOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    staff_link_id: int
    facility_id: int
    name: str
    id_number: str
    employment_start: date
    employment_end: date | None
    form: str
    form_label: str
    agency_name: str
    agency_uscc: str
    registered_address: str
    current_address: str
    contact: str
    contracts: list[ContractOut]
    insurance: list[InsuranceOut]
    wages: list[WageOut]
    cases: list[CaseOut]
    findings: list[FindingOut]


class FindingsPage(BaseModel):
    items: list[FindingOut]
    page: int
    per_page: int
    total: int
    tally: dict[str, int]


class RegisterRow(BaseModel):
    """One line of the employee register (services.register.RegisterEntry)."""

    model_config = ConfigDict(from_attributes=True)

    staff_link_id: int
    name: str
    sex: str
    id_number: str
    registered_address: str
    current_address: str
    contact: str
    form_label: str
    start: date
    end: date | None
    contract_term: str


class ReminderOut(BaseModel):
    """One reminder as the reminders page lists it: ``kind`` credential | health_check |
    contract, ``window`` 30 天内 | 60 天内 | 已过期, the facility whose staff it concerns."""

    model_config = ConfigDict(from_attributes=True)

    kind: str
    kind_label: str
    window: str
    facility_id: int | None
    facility_name: str
    person_name: str
    what: str
    due_on: date
    days_left: int
    staff_link_id: int | None


class CreatedOut(BaseModel):
    id: int
