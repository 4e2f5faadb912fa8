"""One staff link's labour file as the API and the page show it."""

from __future__ import annotations

from datetime import date

from core.identity import mask_id_number
from employers.labour.records import CaseKind, CaseStatus, ContractType, Finding, InsuranceKind
from employers.labour.schemas import (
    CaseOut,
    ContractOut,
    FindingOut,
    InsuranceOut,
    LabourFileOut,
    WageOut,
)
from employers.labour.services.findings import assess_file
from employers.labour.services.loading import form_of, hours_of, load_files, minimum_wages
from employers.labour.staff import StaffRow


def finding_out(f: Finding, link: StaffRow, facility_name: str = "",
                computed_on: date | None = None) -> FindingOut:
    return FindingOut(
        code=str(f.code), label=f.code.label, severity=str(f.severity), message=f.message,
        since=f.since, subject=f.subject, amount_fen=f.amount_fen, staff_link_id=link.link_id,
        facility_id=link.facility_id, facility_name=facility_name, staff_name=link.name,
        computed_on=computed_on,
    )


async def labour_file(link: StaffRow, today: date, *, full: bool) -> LabourFileOut:
    file = (await load_files([link.link_id]))[link.link_id]
    findings, _ = assess_file(link, file, await minimum_wages(), today)
    record = file.record or {}
    form = form_of(link, file.record)
    return LabourFileOut(
        staff_link_id=link.link_id, facility_id=link.facility_id, name=link.name,
        id_number=link.id_number if full else mask_id_number(link.id_number),
        employment_start=link.start, employment_end=link.end, form=form.value,
        form_label=form.label, agency_name=record.get("agency_name", ""),
        agency_uscc=record.get("agency_uscc", ""),
        registered_address=record.get("registered_address", ""),
        current_address=record.get("current_address", ""), contact=record.get("contact", ""),
        contracts=[ContractOut(id=r["id"], type=r["type"], type_label=ContractType(r["type"]).label,
                               signed_on=r["signed_on"], start=r["start"], end=r["end"],
                               probation_end=r["probation_end"]) for r in file.contracts],
        insurance=[InsuranceOut(id=r["id"], kind=r["kind"],
                                kind_label=InsuranceKind(r["kind"]).label,
                                registered_on=r["registered_on"]) for r in file.insurance],
        wages=[WageOut(id=r["id"], month=r["month"], gross_fen=r["gross_fen"],
                       countable_fen=r["countable_fen"], pay_date=r["pay_date"],
                       hours=hours_of(r["hours_centi"]))
               for r in sorted(file.wages, key=lambda r: r["month"], reverse=True)],
        cases=[CaseOut(id=r["id"], kind=r["kind"], kind_label=CaseKind(r["kind"]).label,
                       filed_on=r["filed_on"], status=r["status"],
                       status_label=CaseStatus(r["status"]).label, resolution=r["resolution"])
               for r in file.cases],
        findings=[finding_out(f, link) for f in findings],
    )
