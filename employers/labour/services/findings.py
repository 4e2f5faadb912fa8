"""Findings: computed with the pure rules, per staff link, facility and district.

A facility's page computes its findings live. The district view reads `LabourFinding`, which
is rewritten for a staff link whenever one of its records changes (in the same transaction)
and, before each district read, for every link whose `next_check_on` has come or whose
employment (form, start, end) changed since (see `assess.next_change_on`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from piccolo.query.functions.aggregate import Count

from core import db
from core.pagination import Page
from employers.labour import staff
from employers.labour.assess import assess, next_change_on
from employers.labour.records import Finding, FindingCode, MinimumWage
from employers.labour.services.loading import (
    LabourFile,
    case_of,
    chunks,
    contract_of,
    employment_of,
    insurance_of,
    load_files,
    minimum_wages,
    wage_of,
)
from employers.labour.staff import StaffRow
from employers.labour.tables import LabourCheck, LabourFinding

BATCH = 2000
LOCK_KEY = 61_0006  # pg_advisory_xact_lock key of the stored findings


def assess_file(link: StaffRow, file: LabourFile, wages_min: Sequence[MinimumWage],
                today: date) -> tuple[list[Finding], date | None]:
    employment = employment_of(link, file.record)
    contracts = [contract_of(r) for r in file.contracts]
    insurance = insurance_of(file.insurance)
    wages = [wage_of(r) for r in file.wages]
    cases = [case_of(r) for r in file.cases]
    findings = assess(employment, contracts, insurance, wages, cases, wages_min, today)
    return findings, next_change_on(employment, contracts, insurance, wages, cases, today)


async def facility_findings(facility_id: int, today: date) -> list[tuple[StaffRow, Finding]]:
    """Live findings of one facility's staff links, by staff then rule order."""
    links = await staff.links_of_facility(facility_id)
    files = await load_files([link.link_id for link in links])
    wages_min = await minimum_wages()
    out: list[tuple[StaffRow, Finding]] = []
    for link in links:
        findings, _ = assess_file(link, files[link.link_id], wages_min, today)
        out += [(link, f) for f in findings]
    return out


async def _store(links: Sequence[StaffRow], today: date,
                 wages_min: Sequence[MinimumWage]) -> int:
    """Recompute and store the findings of `links` (call inside a transaction)."""
    ids = [link.link_id for link in links]
    files = await load_files(ids)
    for part in chunks(ids):
        await LabourFinding.delete().where(LabourFinding.staff_link.is_in(list(part)))
        await LabourCheck.delete().where(LabourCheck.staff_link.is_in(list(part)))
    finding_rows, check_rows = [], []
    for link in links:
        file = files[link.link_id]
        findings, next_on = assess_file(link, file, wages_min, today)
        check_rows.append(LabourCheck(
            staff_link=link.link_id, facility_id=link.facility_id,
            link_employment=link.employment, link_start=link.start, link_end=link.end,
            checked_on=today, next_check_on=next_on,
        ))
        finding_rows += [
            LabourFinding(
                staff_link=link.link_id, facility_id=link.facility_id, code=str(f.code),
                severity=str(f.severity), message=f.message, since=f.since, subject=f.subject,
                amount_fen=f.amount_fen, computed_on=today, position=i,
            )
            for i, f in enumerate(findings)
        ]
    for i in range(0, len(check_rows), 500):
        await LabourCheck.insert(*check_rows[i : i + 500])
    for i in range(0, len(finding_rows), 500):
        await LabourFinding.insert(*finding_rows[i : i + 500])
    return len(finding_rows)


async def _lock() -> None:
    """Serialise rewrites of stored findings (SQLite's IMMEDIATE transactions already do)."""
    if not db.is_sqlite():
        await db.engine().run_ddl(f"SELECT pg_advisory_xact_lock({LOCK_KEY})")


async def store_link(link_id: int, today: date) -> None:
    """Recompute one link's stored findings; call inside the writing transaction."""
    link = await staff.get_link(link_id)
    if link is not None:
        await _lock()
        await _store([link], today, await minimum_wages())


async def refresh_due(today: date) -> int:
    """Bring the stored findings up to `today`; returns how many links were recomputed.

    Each batch re-reads what is due under the lock, so two requests refreshing at once do
    the work once."""
    wages_min: Sequence[MinimumWage] | None = None
    total = 0
    for _ in range(10_000):
        async with db.transaction():
            await _lock()
            ids = (await staff.due_link_ids(today))[:BATCH]
            if not ids:
                break
            wages_min = wages_min if wages_min is not None else await minimum_wages()
            links = await staff.links_by_ids(ids)
            await _store([links[i] for i in ids if i in links], today, wages_min)
        total += len(ids)
        if len(ids) < BATCH:
            break
    return total


async def refresh_all(today: date) -> int:
    """Recompute every link (after the minimum wage changed, or from the command line)."""
    async with db.transaction():
        await _lock()
        await LabourCheck.delete(force=True)
    return await refresh_due(today)


@dataclass(frozen=True)
class FindingFilter:
    code: str = ""
    facility_id: int | None = None
    street: str = ""
    severity: str = ""


@dataclass(frozen=True)
class FindingView:
    """One finding of one staff link as the district page and the labour file list it: the rule
    (``code``, ``label`` its words), ``severity``, the message, the first day it applies, what
    it is about (``subject``), the sum at stake in fen when there is one, the link's facility
    (name, street) and person, and the day it was computed (stored findings; None when live).
    The API's FindingOut is this without the street."""

    code: str
    severity: str
    message: str
    since: date
    subject: str
    amount_fen: int | None
    staff_link_id: int
    facility_id: int
    facility_name: str = ""
    staff_name: str = ""
    street: str = ""
    computed_on: date | None = None

    @property
    def label(self) -> str:
        """The rule in words (FindingCode.label)."""
        return FindingCode(self.code).label

    @classmethod
    def of(cls, finding: Finding, link: StaffRow, facility_name: str = "") -> FindingView:
        """A finding computed live for ``link`` (of the facility named ``facility_name``)."""
        return cls(code=str(finding.code), severity=str(finding.severity),
                   message=finding.message, since=finding.since, subject=finding.subject,
                   amount_fen=finding.amount_fen, staff_link_id=link.link_id,
                   facility_id=link.facility_id, facility_name=facility_name,
                   staff_name=link.name)


async def _where(filters: FindingFilter, *, with_code: bool = True) -> list[Any]:
    where: list[Any] = []
    if filters.code and with_code:
        where.append(LabourFinding.code == filters.code)
    if filters.severity:
        where.append(LabourFinding.severity == filters.severity)
    if filters.facility_id is not None:
        where.append(LabourFinding.facility_id == filters.facility_id)
    if filters.street:
        ids = await staff.facility_ids_in_street(filters.street)
        where.append(LabourFinding.facility_id.is_in(ids or [-1]))
    return where


async def district_findings(filters: FindingFilter, page: int, per_page: int,
                            today: date) -> tuple[Page[FindingView], dict[str, int]]:
    """One page of stored findings (after refreshing what is due), and the tally by rule
    (over the other filters, so the counts of every rule stay visible)."""
    await refresh_due(today)
    where = await _where(filters)
    tally_where = await _where(filters, with_code=False)
    count = LabourFinding.count()
    tally_query = LabourFinding.select(LabourFinding.code, Count(alias="n"))
    rows = LabourFinding.select().order_by(LabourFinding.facility_id).order_by(
        LabourFinding.staff_link).order_by(LabourFinding.position)
    if where:
        count, rows = count.where(*where), rows.where(*where)
    if tally_where:
        tally_query = tally_query.where(*tally_where)
    result: Page[FindingView] = Page([], page, per_page, await count, query={
        "code": filters.code, "facility_id": filters.facility_id or "", "street": filters.street,
        "severity": filters.severity,
    })
    result.items = await _views(await rows.limit(per_page).offset(result.offset))
    tally = {r["code"]: r["n"] for r in await tally_query.group_by(LabourFinding.code)}
    return result, dict(sorted(tally.items()))


async def all_district_findings(filters: FindingFilter, today: date) -> list[FindingView]:
    """Every stored finding matching the filters (for the XLSX export)."""
    await refresh_due(today)
    where = await _where(filters)
    rows = LabourFinding.select().order_by(LabourFinding.facility_id).order_by(
        LabourFinding.staff_link).order_by(LabourFinding.position)
    if where:
        rows = rows.where(*where)
    return await _views(await rows)


async def _views(rows: list[dict[str, Any]]) -> list[FindingView]:
    """Stored finding rows with their person's name and their facility's name and street."""
    links = await staff.links_by_ids(sorted({r["staff_link"] for r in rows}))
    facilities = await staff.facilities_by_ids(sorted({r["facility_id"] for r in rows}))
    views = []
    for row in rows:
        link = links.get(row["staff_link"])
        facility = facilities.get(row["facility_id"])
        views.append(FindingView(
            code=row["code"], severity=row["severity"], message=row["message"],
            since=row["since"], subject=row["subject"], amount_fen=row["amount_fen"],
            staff_link_id=row["staff_link"], facility_id=row["facility_id"],
            facility_name=facility.name if facility else "",
            staff_name=link.name if link else "", street=facility.street if facility else "",
            computed_on=row["computed_on"]))
    return views
