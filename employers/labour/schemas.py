"""Hand-written Pydantic models of the labour-rights API (input and output)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from core.forms import MAX_FEN, BoundedDate
from employers.labour.services.files import (
    CaseEntry,
    ContractEntry,
    InsuranceEntry,
    LabourFileView,
    MonthlyWage,
)
from employers.labour.services.register import RegisterEntry


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


# The labour file and the register are declared once, as the services' rows; the API names
# them (the OpenAPI components keep these names) and validates from them.


class ContractOut(ContractEntry):
    """A labour contract (services.files.ContractEntry)."""

    model_config = ConfigDict(from_attributes=True)


class InsuranceOut(InsuranceEntry):
    """A social insurance registration (services.files.InsuranceEntry)."""

    model_config = ConfigDict(from_attributes=True)


class WageOut(MonthlyWage):
    """One month's wage (services.files.MonthlyWage)."""

    model_config = ConfigDict(from_attributes=True)


class CaseOut(CaseEntry):
    """A complaint or arbitration case (services.files.CaseEntry)."""

    model_config = ConfigDict(from_attributes=True)


class FindingOut(BaseModel):
    """A finding (services.findings.FindingView) as the API lists it: its rule's words as a
    field, and without the facility's street (a column of the district page only)."""

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


class LabourFileOut(LabourFileView):
    """A staff link's labour file (services.files.LabourFileView), its records as above."""

    model_config = ConfigDict(from_attributes=True)

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


class RegisterRow(RegisterEntry):
    """One line of the employee register (services.register.RegisterEntry)."""

    model_config = ConfigDict(from_attributes=True)


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
