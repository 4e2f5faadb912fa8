"""One staff link's labour file as the API and the page show it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from core.identity import mask_id_number
from employers.labour.records import CaseKind, CaseStatus, ContractType, InsuranceKind
from employers.labour.services.findings import FindingView, assess_file
from employers.labour.services.loading import form_of, hours_of, load_files, minimum_wages
from employers.labour.staff import StaffRow


class ContractEntry(BaseModel, frozen=True):
    """A labour contract: its type (ContractType, ``type_label`` its words), the day signed, its
    term (``end`` None: open-ended or task-based) and the probation's last day, if any."""

    id: int
    type: str
    type_label: str
    signed_on: date
    start: date
    end: date | None
    probation_end: date | None


class InsuranceEntry(BaseModel, frozen=True):
    """The day the person was registered for one kind of social insurance (InsuranceKind,
    ``kind_label`` its words)."""

    id: int
    kind: str
    kind_label: str
    registered_on: date


class MonthlyWage(BaseModel, frozen=True):
    """One month's wage (``month`` YYYY-MM): gross and countable toward the minimum wage, in
    fen; the pay day and the hours worked (part-time), when recorded."""

    id: int
    month: str
    gross_fen: int
    countable_fen: int
    pay_date: date | None
    hours: Decimal | None


class CaseEntry(BaseModel, frozen=True):
    """A complaint or arbitration case: its kind (CaseKind), the day filed, its status
    (CaseStatus), each with its words (``kind_label``, ``status_label``), and resolution."""

    id: int
    kind: str
    kind_label: str
    filed_on: date
    status: str
    status_label: str
    resolution: str


class LabourFileView(BaseModel, frozen=True):
    """A staff link's labour file: the person (ID number in full or masked), the employment's
    dates and form (``form`` an EmploymentForm, ``form_label`` its words), the register's
    details, the records (contracts, insurance, wages newest month first, cases) and the
    findings computed from them today. The API's LabourFileOut is this shape."""

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
    contracts: list[ContractEntry]
    insurance: list[InsuranceEntry]
    wages: list[MonthlyWage]
    cases: list[CaseEntry]
    findings: list[FindingView]


def _contract(r: dict[str, Any]) -> ContractEntry:
    return ContractEntry(id=r["id"], type=r["type"], type_label=ContractType(r["type"]).label,
                         signed_on=r["signed_on"], start=r["start"], end=r["end"],
                         probation_end=r["probation_end"])


def _insurance(r: dict[str, Any]) -> InsuranceEntry:
    return InsuranceEntry(id=r["id"], kind=r["kind"], kind_label=InsuranceKind(r["kind"]).label,
                          registered_on=r["registered_on"])


def _wage(r: dict[str, Any]) -> MonthlyWage:
    return MonthlyWage(id=r["id"], month=r["month"], gross_fen=r["gross_fen"],
                       countable_fen=r["countable_fen"], pay_date=r["pay_date"],
                       hours=hours_of(r["hours_centi"]))


def _case(r: dict[str, Any]) -> CaseEntry:
    return CaseEntry(id=r["id"], kind=r["kind"], kind_label=CaseKind(r["kind"]).label,
                     filed_on=r["filed_on"], status=r["status"],
                     status_label=CaseStatus(r["status"]).label, resolution=r["resolution"])


async def labour_file(link: StaffRow, today: date, *, full: bool) -> LabourFileView:
    """The labour file of ``link`` with its findings as of ``today``; the ID number masked
    unless ``full``."""
    file = (await load_files([link.link_id]))[link.link_id]
    findings, _ = assess_file(link, file, await minimum_wages(), today)
    record = file.record or {}
    form = form_of(link, file.record)
    return LabourFileView(
        staff_link_id=link.link_id, facility_id=link.facility_id, name=link.name,
        id_number=link.id_number if full else mask_id_number(link.id_number),
        employment_start=link.start, employment_end=link.end, form=form.value,
        form_label=form.label, agency_name=record.get("agency_name", ""),
        agency_uscc=record.get("agency_uscc", ""),
        registered_address=record.get("registered_address", ""),
        current_address=record.get("current_address", ""), contact=record.get("contact", ""),
        contracts=[_contract(r) for r in file.contracts],
        insurance=[_insurance(r) for r in file.insurance],
        wages=[_wage(r) for r in sorted(file.wages, key=lambda r: r["month"], reverse=True)],
        cases=[_case(r) for r in file.cases],
        findings=[FindingView.of(f, link) for f in findings],
    )
