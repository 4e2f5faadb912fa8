"""From table rows to the pure records the rules read, in bulk (one query per table)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from employers.labour.records import (
    Case,
    Contract,
    Employment,
    EmploymentForm,
    MinimumWage,
    WageRecord,
)
from employers.labour.staff import StaffRow
from employers.labour.tables import (
    InsuranceRegistration,
    LabourCase,
    LabourContract,
    LabourRecord,
    MinimumWageRate,
    WageEntry,
)

CHUNK = 900  # SQLite allows 999 bound parameters per statement


@dataclass
class LabourFile:
    """Everything recorded for one staff link (raw rows, as dicts)."""

    record: dict[str, Any] | None = None
    contracts: list[dict[str, Any]] = field(default_factory=list)
    insurance: list[dict[str, Any]] = field(default_factory=list)
    wages: list[dict[str, Any]] = field(default_factory=list)
    cases: list[dict[str, Any]] = field(default_factory=list)


def chunks(values: Sequence[int], size: int = CHUNK) -> Iterable[Sequence[int]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


async def load_files(link_ids: Sequence[int]) -> dict[int, LabourFile]:
    files: dict[int, LabourFile] = defaultdict(LabourFile)
    for part in chunks(list(link_ids)):
        for row in await LabourRecord.select().where(LabourRecord.staff_link.is_in(list(part))):
            files[row["staff_link"]].record = row
        for table, attr, order in (
            (LabourContract, "contracts", LabourContract.signed_on),
            (InsuranceRegistration, "insurance", InsuranceRegistration.kind),
            (WageEntry, "wages", WageEntry.month),
            (LabourCase, "cases", LabourCase.filed_on),
        ):
            rows = await table.select().where(table.staff_link.is_in(list(part))).order_by(order)
            for row in rows:
                getattr(files[row["staff_link"]], attr).append(row)
    return {link_id: files[link_id] for link_id in link_ids}


def form_of(link: StaffRow, record: dict[str, Any] | None) -> EmploymentForm:
    if record is not None:
        return EmploymentForm(record["form"])
    return EmploymentForm.PART_TIME if link.employment == "part_time" else EmploymentForm.FULL_TIME


def employment_of(link: StaffRow, record: dict[str, Any] | None) -> Employment:
    form = form_of(link, record)
    dispatched = form == EmploymentForm.DISPATCHED
    return Employment(
        form=form, start=link.start, end=link.end,
        agency_name=record["agency_name"] if dispatched and record else None,
        agency_uscc=record["agency_uscc"] if dispatched and record else None,
        ref=str(link.link_id),
    )


def contract_of(row: dict[str, Any]) -> Contract:
    return Contract(type=row["type"], signed_on=row["signed_on"], start=row["start"],
                    end=row["end"], probation_end=row["probation_end"])


def hours_of(centi: int | None) -> Decimal | None:
    return None if centi is None else Decimal(centi) / 100


def wage_of(row: dict[str, Any]) -> WageRecord:
    return WageRecord(month=row["month"], gross_fen=row["gross_fen"],
                      countable_fen=row["countable_fen"], pay_date=row["pay_date"],
                      hours=hours_of(row["hours_centi"]))


def case_of(row: dict[str, Any]) -> Case:
    return Case(kind=row["kind"], filed_on=row["filed_on"], status=row["status"],
                resolution=row["resolution"], ref=str(row["id"]))


def insurance_of(rows: Iterable[dict[str, Any]]) -> dict[str, date | None]:
    return {row["kind"]: row["registered_on"] for row in rows}


async def minimum_wages(region: str = "天津市") -> tuple[MinimumWage, ...]:
    rows = await MinimumWageRate.select().where(MinimumWageRate.region == region).order_by(
        MinimumWageRate.effective_from)
    return tuple(
        MinimumWage(effective_from=r["effective_from"], monthly_fen=r["monthly_fen"],
                    hourly_fen=r["hourly_fen"], region=r["region"], source=r["source"],
                    provisional=r["provisional"])
        for r in rows
    )
