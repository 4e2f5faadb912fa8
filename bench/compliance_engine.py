"""Speed of the compliance engine on a large facility: 300 staff, 25 classes.

    .venv/bin/python bench/compliance_engine.py [ROUNDS]

Prints the mean time to validate the snapshot dict and to evaluate it, in milliseconds.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from employers.compliance.engine import evaluate  # noqa: E402
from employers.compliance.snapshot import Snapshot  # noqa: E402

TYPES = ("infant", "toddler_small", "toddler_large", "mixed")


def _cred(code: str, level: int | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": code,
        "number": "N",
        "status": "valid",
        "issued_on": "2025-06-01",
        "expires_on": "2027-06-01",
    }
    if level:
        data["level"] = level
    return data


def _person(
    sid: str, positions: list[str], creds: list[dict[str, Any]], **extra: Any
) -> dict[str, Any]:
    return {
        "id": sid,
        "name": f"员工{sid}",
        "positions": positions,
        "employment": "full_time",
        "education": extra.get("education", "secondary"),
        "management_years": extra.get("years", 0),
        "health_check_on": "2026-03-01",
        "background_check": "clear",
        "credentials": creds,
    }


def synthetic_snapshot() -> dict[str, Any]:
    staff = [
        _person("d1", ["director"], [_cred("DIRECTOR_TRAINING")], education="bachelor", years=6)
    ]
    staff += [_person(f"h{i}", ["health"], [_cred("HEALTH_CARE_TRAINING")]) for i in range(3)]
    staff += [_person(f"g{i}", ["security"], [_cred("SECURITY_LICENSE")]) for i in range(4)]
    caregivers = [
        _person(
            f"s{i}",
            ["caregiver"],
            [
                _cred("CHILDCARE_WORKER", 4) if i % 2 else _cred("CAREGIVER_TRAINING"),
                _cred("MENTAL_HEALTH_TRAINING"),
                _cred("DIRECTOR_TRAINING"),
            ],
        )
        for i in range(300 - len(staff))
    ]
    staff += caregivers
    classes = []
    per_class = len(caregivers) // 25
    for j in range(25):
        ids = [c["id"] for c in caregivers[j * per_class : (j + 1) * per_class]]
        classes.append(
            {"code": f"C{j:02d}", "type": TYPES[j % 4], "children": 10, "caregivers": ids}
        )
    return {
        "as_of": "2026-11-29",
        "facility": {"name": "基准托育园", "uscc": "91350100M000100Y43"},
        "classes": classes,
        "staff": staff,
    }


def main(rounds: int = 200) -> None:
    data = synthetic_snapshot()
    snapshot = Snapshot.from_dict(data)
    evaluate(snapshot)  # warm the rules cache
    start = time.perf_counter()
    for _ in range(rounds):
        Snapshot.from_dict(data)
    parse_ms = (time.perf_counter() - start) * 1000 / rounds
    start = time.perf_counter()
    for _ in range(rounds):
        report = evaluate(snapshot)
    evaluate_ms = (time.perf_counter() - start) * 1000 / rounds
    print(
        f"snapshot: {len(snapshot.staff)} staff, {len(snapshot.classes)} classes, "
        f"{snapshot.total_children} children; compliant={report.compliant}"
    )
    print(f"validate Snapshot.from_dict: {parse_ms:.2f} ms mean over {rounds} rounds")
    print(f"evaluate:                    {evaluate_ms:.2f} ms mean over {rounds} rounds")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
