"""Build the compliance engine's snapshot from the database, exactly as domain.md's "Shared
records" maps it, for one facility or many at once (a district re-check uses the bulk form).

- staff: the facility's active staff links (consent given, not ended) and those whose person
  withdrew the consent (still working there, but listed with no credentials, no health or
  background check and ``credentials_withheld: consent_withdrawn``, so their rules fail with
  "本人已撤回授权"), in link order, with
  positions, employment and declared management years from the link, education from the
  Person (none recorded → below_secondary);
- health_check_on: the date of the latest counting HEALTH_CERT (status valid, outcome pass,
  dated on or before as_of); background_check: the outcome of the latest BACKGROUND_CHECK
  (clear | flagged), missing when there is none;
- credentials: every registry credential of a code the rules know, with its registry status
  (revoked, expired… included), so the engine decides what counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from core import clock
from core.credentials import OUTCOMES, CheckOutcome, CredentialStatus
from core.tables import Credential
from employers.compliance.rules import rules_in_force
from employers.facilities import LinkStatus
from employers.tables import ClassAssignment, Facility, FacilityClass, StaffLink

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
CHUNK = 500
EDUCATION_DEFAULT = "below_secondary"
# Links in the roster: consent given, or withdrawn (then without credentials; the reason is a
# WITHHELD_REASONS key of employers.compliance.snapshot, named like the link status).
ROSTER_STATUSES = (LinkStatus.ACTIVE, LinkStatus.CONSENT_WITHDRAWN)


def staff_id(link_id: int) -> str:
    return f"s{link_id}"


def _chunks(values: list[int]) -> Iterable[list[int]]:
    for i in range(0, len(values), CHUNK):
        yield values[i:i + CHUNK]


async def _select_in(query_for, ids: list[int]) -> list[dict]:
    rows: list[dict] = []
    for chunk in _chunks(ids):
        rows.extend(await query_for(chunk))
    return rows


async def build_snapshots(facility_ids: list[int], as_of: date | None = None
                          ) -> dict[int, dict[str, Any]]:
    as_of = as_of or clock.today()
    rules = rules_in_force(as_of)
    ids = sorted(set(facility_ids))
    facilities = await _select_in(lambda c: Facility.select(
        Facility.id, Facility.name, Facility.uscc).where(Facility.id.is_in(c)), ids)
    classes = await _select_in(lambda c: FacilityClass.select(
        FacilityClass.id, FacilityClass.facility, FacilityClass.code, FacilityClass.type,
        FacilityClass.children).where(
        FacilityClass.facility.is_in(c) & (FacilityClass.active == True)), ids)  # noqa: E712
    links = await _select_in(lambda c: StaffLink.select(
        StaffLink.id, StaffLink.facility, StaffLink.person, StaffLink.positions,
        StaffLink.employment, StaffLink.management_years, StaffLink.status,
        StaffLink.person.name.as_alias("name"),
        StaffLink.person.education.as_alias("education")).where(
        StaffLink.facility.is_in(c) & StaffLink.status.is_in(list(ROSTER_STATUSES))
    ).output(load_json=True), ids)
    link_ids = [link["id"] for link in links]
    assignments = await _select_in(lambda c: ClassAssignment.select(
        ClassAssignment.facility_class, ClassAssignment.staff_link).where(
        ClassAssignment.staff_link.is_in(c)), link_ids)
    person_ids = sorted({link["person"] for link in links if link["status"] == LinkStatus.ACTIVE})
    credentials = await _select_in(lambda c: Credential.select(
        Credential.id, Credential.person, Credential.code, Credential.level, Credential.number,
        Credential.status, Credential.issued_on, Credential.expires_on, Credential.outcome).where(
        Credential.person.is_in(c)), person_ids)
    credentials.sort(key=lambda r: (r["issued_on"], r["id"]))
    by_person: dict[int, list[dict]] = {}
    for row in credentials:
        by_person.setdefault(row["person"], []).append(row)

    out: dict[int, dict[str, Any]] = {}
    for facility in facilities:
        out[facility["id"]] = {"as_of": as_of.isoformat(),
                               "facility": {"name": facility["name"], "uscc": facility["uscc"]},
                               "classes": [], "staff": []}
    link_set = {link["id"] for link in links}
    caregivers_by_class: dict[int, list[int]] = {}
    for a in sorted(assignments, key=lambda a: a["staff_link"]):
        if a["staff_link"] in link_set:
            caregivers_by_class.setdefault(a["facility_class"], []).append(a["staff_link"])
    for group in sorted(classes, key=lambda c: (c["code"], c["id"])):
        out[group["facility"]]["classes"].append({
            "code": group["code"], "type": group["type"], "children": group["children"],
            "caregivers": [staff_id(i) for i in caregivers_by_class.get(group["id"], [])]})
    for link in sorted(links, key=lambda row: row["id"]):
        if link["status"] == LinkStatus.ACTIVE:
            member = _member(link, by_person.get(link["person"], []), as_of, rules)
        else:  # consent withdrawn: in the roster, none of the person's credentials
            member = _member(link, [], as_of, rules) | {"credentials_withheld": link["status"]}
        out[link["facility"]]["staff"].append(member)
    return out


def _member(link: dict, creds: list[dict], as_of: date, rules: Any) -> dict[str, Any]:
    valid = CredentialStatus.VALID
    health = [c for c in creds if c["code"] == "HEALTH_CERT" and c["status"] == valid
              and c["outcome"] == CheckOutcome.PASS and c["issued_on"] <= as_of]
    background = [c for c in creds if c["code"] == "BACKGROUND_CHECK" and c["status"] == valid
                  and c["outcome"] in OUTCOMES["BACKGROUND_CHECK"] and c["issued_on"] <= as_of]
    entries = []
    for c in creds:
        kind = rules.credentials.get(c["code"])
        if kind is None:
            continue
        entry = {"code": c["code"], "number": c["number"], "status": c["status"],
                 "issued_on": c["issued_on"].isoformat(),
                 "expires_on": c["expires_on"].isoformat() if c["expires_on"] else None}
        if kind.is_skill_certificate:
            if c["level"] not in kind.levels:
                continue
            entry["level"] = c["level"]
        if c["expires_on"] is not None and c["expires_on"] < c["issued_on"]:
            continue
        entries.append(entry)
    return {
        "id": staff_id(link["id"]), "name": link["name"], "positions": list(link["positions"]),
        "employment": link["employment"],
        "education": link["education"] or EDUCATION_DEFAULT,
        "management_years": int(link["management_years"] or 0),
        "health_check_on": health[-1]["issued_on"].isoformat() if health else None,
        "background_check": background[-1]["outcome"] if background else "missing",
        "credentials": entries,
    }


async def build_snapshot(facility_id: int, as_of: date | None = None) -> dict[str, Any]:
    return (await build_snapshots([facility_id], as_of))[facility_id]
