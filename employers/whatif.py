"""What-if and look-ahead over a snapshot dict (pure: the date comes with the snapshot)."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

from core.errors import ValidationError
from employers.compliance.engine import evaluate_dict
from employers.compliance.forecast import forecast
from employers.compliance.snapshot import Snapshot, display_names, display_text

SHORT_TEXT = {
    "CLASS_RATIO": "{day} 起 {subjects} 班合格保育人员不足",
    "CAREGIVER_QUALIFIED": "{day} 起 保育人员 {subjects} 不再符合资质要求",
    "HEALTH_CHECK": "{day} 起 {subjects} 的健康检查过期",
    "DIRECTOR": "{day} 起 负责人 {subjects} 不再符合要求",
    "HEALTH_STAFF": "{day} 起 卫生保健人员配备不足",
    "SECURITY": "{day} 起 保安人员 {subjects} 不再符合要求",
}


def apply_changes(snapshot: dict[str, Any], class_children: dict[str, int],
                  moves: dict[str, str | None]) -> dict[str, Any]:
    """A copy with some classes' numbers of children changed and caregivers moved."""
    result = copy.deepcopy(snapshot)
    codes = {c["code"] for c in result["classes"]}
    staff = {s["id"] for s in result["staff"]}
    for code in class_children:
        if code not in codes:
            raise ValidationError(f"没有班级 {code}", "classes")
    for staff_id, to_class in moves.items():
        if staff_id not in staff:
            raise ValidationError(f"没有人员 {staff_id}", "moves")
        if to_class and to_class not in codes:
            raise ValidationError(f"没有班级 {to_class}", "moves")
    for group in result["classes"]:
        if group["code"] in class_children:
            group["children"] = class_children[group["code"]]
        group["caregivers"] = [s for s in group["caregivers"] if s not in moves]
    for staff_id, to_class in moves.items():
        for group in result["classes"]:
            if group["code"] == to_class:
                group["caregivers"].append(staff_id)
    return result


def what_if(snapshot: dict[str, Any], class_children: dict[str, int],
            moves: dict[str, str | None]) -> dict[str, Any]:
    return evaluate_dict(apply_changes(snapshot, class_children, moves))


def coming_breaks(snapshot: dict[str, Any], days: int = 365) -> list[dict[str, Any]]:
    """Which coming expiries break compliance and on which day, with a short Chinese line."""
    parsed = Snapshot.from_dict(snapshot)
    names = display_names(snapshot["staff"])
    out = []
    for change in forecast(parsed, parsed.as_of + timedelta(days=days)):
        subjects = "、".join(names.get(s, s) for s in change.subjects)
        template = SHORT_TEXT.get(change.code)
        text = (template.format(day=change.on.isoformat(), subjects=subjects) if template
                else display_text(change.message, snapshot["staff"], names))
        out.append({**change.to_dict(), "on": change.on, "text": text})
    return out
