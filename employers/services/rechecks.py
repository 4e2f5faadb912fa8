"""Keep each facility's compliance state current: re-evaluate after any staff, class or
credential change (call inside the caller's transaction), and the reviewer's dashboard."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from core import clock
from core.pagination import offset_of
from employers.compliance.engine import evaluate_dict
from employers.facilities import FilingStatus, LinkStatus
from employers.services.snapshots import build_snapshots
from employers.tables import ComplianceState, Facility, StaffLink


async def recheck(facility_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Evaluate the facilities now and store their state; returns the reports by facility."""
    if not facility_ids:
        return {}
    snapshots = await build_snapshots(facility_ids)
    reports = {fid: evaluate_dict(snap) for fid, snap in snapshots.items()}
    now = clock.now()
    existing = {r.facility: r for r in await ComplianceState.objects().output(load_json=True).where(
        ComplianceState.facility.is_in(list(reports)))}
    new_rows = []
    for fid, report in reports.items():
        failing = [r["code"] for r in report["rules"] if r["status"] == "fail"]
        row = existing.get(fid)
        if row is None:
            new_rows.append(ComplianceState(facility=fid, report=report,
                                            compliant=report["compliant"], failing_rules=failing,
                                            since=now, last_checked_at=now))
            continue
        if row.compliant != report["compliant"]:
            row.since = now
        row.report, row.compliant, row.failing_rules = report, report["compliant"], failing
        row.last_checked_at = now
        await row.save()
    if new_rows:
        await ComplianceState.insert(*new_rows)
    return reports


async def facilities_employing(person_id: int) -> list[int]:
    rows = await StaffLink.select(StaffLink.facility).where(
        (StaffLink.person == person_id) & (StaffLink.status != LinkStatus.ENDED))
    return sorted({r["facility"] for r in rows})


async def on_credential_changed(credential_id: int, person_id: int, kind: str) -> None:
    """core.credentials listener: re-check the facilities that employ the holder."""
    await recheck(await facilities_employing(person_id))


async def recheck_all(batch: int = 500) -> int:
    """District re-check: every facility, in batches; returns how many were evaluated."""
    ids = [r["id"] for r in await Facility.select(Facility.id).order_by(Facility.id)]
    for i in range(0, len(ids), batch):
        await recheck(ids[i:i + batch])
    return len(ids)


class FacilityAlert(BaseModel, frozen=True):
    """An accepted (已备案) facility that does not comply now: since when (the state last
    changed) and why (``reasons``: the failing rules as the compliance engine reports them,
    dicts of code, status, message, subjects). The API's AlertOut is this shape, its reasons
    as RuleOut."""

    facility_id: int
    name: str
    street: str
    filing_status: str
    since: datetime
    reasons: list[dict[str, Any]]


async def no_longer_compliant(page: int = 1, per_page: int = 50) -> list[FacilityAlert]:
    """Accepted (已备案) facilities that do not comply now, longest first. A facility whose
    filing is under review, returned or never made is not listed: it is not 已备案."""
    rows = await ComplianceState.select(
        ComplianceState.facility, ComplianceState.since, ComplianceState.report,
        ComplianceState.facility.name.as_alias("name"),
        ComplianceState.facility.street.as_alias("street"),
        ComplianceState.facility.filing_status.as_alias("filing_status"),
    ).where((ComplianceState.compliant == False)  # noqa: E712
            & (ComplianceState.facility.filing_status == FilingStatus.ACCEPTED)
            ).order_by(ComplianceState.since).limit(per_page).offset(offset_of(page, per_page)
                                                                     ).output(load_json=True)
    return [FacilityAlert(
        facility_id=row["facility"], name=row["name"], street=row["street"],
        filing_status=row["filing_status"], since=row["since"],
        reasons=[r for r in row["report"].get("rules", []) if r["status"] == "fail"],
    ) for row in rows]
