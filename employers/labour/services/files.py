"""One staff link's labour file as the API and the page show it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from core.identity import mask_id_number
from employers.labour.records import CaseKind, CaseStatus, ContractType, InsuranceKind
from employers.labour.services.findings import FindingView, assess_file
from employers.labour.services.loading import form_of, hours_of, load_files, minimum_wages
from employers.labour.staff import StaffRow


@dataclass(frozen=True)
class ContractEntry:
    """A labour contract: its type (ContractType), the day signed, its term (``end`` None:
    open-ended or task-based) and the probation's last day, if any."""

    id: int
    type: str
    signed_on: date
    start: date
    end: date | None
    probation_end: date | None

    @property
    def type_label(self) -> str:
        """The contract's type in words."""
        return ContractType(self.type).label


@dataclass(frozen=True)
class InsuranceEntry:
    """The day the person was registered for one kind of social insurance (InsuranceKind)."""

    id: int
    kind: str
    registered_on: date

    @property
    def kind_label(self) -> str:
        """The kind of insurance in words."""
        return InsuranceKind(self.kind).label


@dataclass(frozen=True)
class MonthlyWage:
    """One month's wage (``month`` YYYY-MM): gross and countable toward the minimum wage, in
    fen; the pay day and the hours worked (part-time), when recorded."""

    id: int
    month: str
    gross_fen: int
    countable_fen: int
    pay_date: date | None
    hours: Decimal | None


@dataclass(frozen=True)
class CaseEntry:
    """A complaint or arbitration case: its kind (CaseKind), the day filed, its status
    (CaseStatus) and resolution."""

    id: int
    kind: str
    filed_on: date
    status: str
    resolution: str

    @property
    def kind_label(self) -> str:
        """The kind of case in words."""
        return CaseKind(self.kind).label

    @property
    def status_label(self) -> str:
        """The case's status in words."""
        return CaseStatus(self.status).label


@dataclass(frozen=True)
class LabourFileView:
    """A staff link's labour file: the person (ID number in full or masked), the employment's
    dates and form (``form`` an EmploymentForm, ``form_label`` its words), the register's
    details, the records (contracts, insurance, wages newest month first, cases) and the
    findings computed from them today."""

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
    return ContractEntry(id=r["id"], type=r["type"], signed_on=r["signed_on"], start=r["start"],
                         end=r["end"], probation_end=r["probation_end"])


def _wage(r: dict[str, Any]) -> MonthlyWage:
    return MonthlyWage(id=r["id"], month=r["month"], gross_fen=r["gross_fen"],
                     countable_fen=r["countable_fen"], pay_date=r["pay_date"],
                     hours=hours_of(r["hours_centi"]))


def _case(r: dict[str, Any]) -> CaseEntry:
    return CaseEntry(id=r["id"], kind=r["kind"], filed_on=r["filed_on"], status=r["status"],
                     resolution=r["resolution"])


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
        insurance=[InsuranceEntry(id=r["id"], kind=r["kind"], registered_on=r["registered_on"])
                   for r in file.insurance],
        wages=[_wage(r) for r in sorted(file.wages, key=lambda r: r["month"], reverse=True)],
        cases=[_case(r) for r in file.cases],
        findings=[FindingView.of(f, link) for f in findings],
    )
