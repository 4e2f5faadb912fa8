"""Snapshots of facilities in the compliance contract's shape, for the engine's tests."""

from __future__ import annotations

import json
from pathlib import Path

from employers.compliance.engine import Report, evaluate
from employers.compliance.snapshot import Snapshot

EXAMPLES = Path(__file__).parents[2] / "employers" / "compliance" / "examples"
AS_OF = "2026-11-29"
CONTRACT_ORDER = (
    "DIRECTOR",
    "CLASS_SIZE",
    "CLASS_RATIO",
    "CAREGIVER_QUALIFIED",
    "HEALTH_STAFF",
    "SECURITY",
    "HEALTH_CHECK",
    "BACKGROUND",
)


# --- builders: plain dicts in the contract's shape --------------------------------------------


def cred(
    code: str,
    issued: str = "2025-06-01",
    expires: str | None = None,
    status: str = "valid",
    level: int | None = None,
) -> dict:
    data = {
        "code": code,
        "number": "N-1",
        "status": status,
        "issued_on": issued,
        "expires_on": expires,
    }
    if level is not None:
        data["level"] = level
    return data


def person(
    sid: str,
    positions: list[str],
    creds: list[dict],
    *,
    employment: str = "full_time",
    education: str = "secondary",
    years: int = 0,
    health: str | None = "2026-03-01",
    background: str = "clear",
) -> dict:
    return {
        "id": sid,
        "name": f"员工{sid}",
        "positions": positions,
        "employment": employment,
        "education": education,
        "management_years": years,
        "health_check_on": health,
        "background_check": background,
        "credentials": creds,
    }


def caregiver(sid: str, **kw) -> dict:
    return person(
        sid, ["caregiver"], [cred("CAREGIVER_TRAINING"), cred("MENTAL_HEALTH_TRAINING")], **kw
    )


def director(sid: str = "d1", **kw) -> dict:
    kw.setdefault("education", "bachelor")
    kw.setdefault("years", 5)
    return person(sid, ["director"], [cred("DIRECTOR_TRAINING")], **kw)


def health(sid: str = "h1", **kw) -> dict:
    return person(sid, ["health"], [cred("HEALTH_CARE_TRAINING")], **kw)


def guard(sid: str = "g1", **kw) -> dict:
    return person(sid, ["security"], [cred("SECURITY_LICENSE")], **kw)


def klass(code: str, kind: str, children: int, caregivers: list[str]) -> dict:
    return {"code": code, "type": kind, "children": children, "caregivers": caregivers}


def facility_with(
    classes: list[dict],
    extra_staff: list[dict] = (),
    *,
    as_of: str = AS_OF,
    base_staff: bool = True,
) -> dict:
    """A compliant core (director, health, security) plus the given classes and staff."""
    staff = [director(), health(), guard()] if base_staff else []
    return {
        "as_of": as_of,
        "facility": {"name": "测试托育园", "uscc": "91350100M000100Y43"},
        "classes": classes,
        "staff": staff + list(extra_staff),
    }


def health_checked(data: dict, as_of: str, **checked_on: str) -> dict:
    """``data`` evaluated on ``as_of`` with these staff ids' health checks on these days."""
    data["as_of"] = as_of
    for member in data["staff"]:
        if member["id"] in checked_on:
            member["health_check_on"] = checked_on[member["id"]]
    return data


def example() -> dict:
    return json.loads((EXAMPLES / "compliant.json").read_text(encoding="utf-8"))


def run(data: dict) -> Report:
    return evaluate(Snapshot.from_dict(data))


def failing(report: Report) -> dict[str, list[str]]:
    return {r.code: list(r.subjects) for r in report.rules if not r.passed}
