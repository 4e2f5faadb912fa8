"""The minutes-per-学时 rule as data: seeded from ``training/data/class_hours.json`` (each row
with its effective date and source); read by ``training.services.hours.class_hour_rule``."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from core import clock
from training.tables import ClassHourRule

DATA = Path(__file__).resolve().parent.parent / "data" / "class_hours.json"


async def seed_class_hour_rules(path: Path = DATA) -> int:
    """Add the file's rows not yet present (by effective date); officers' rows stay. Returns
    how many were added."""
    data = json.loads(path.read_text(encoding="utf-8"))
    added = 0
    for item in data["rules"]:
        day = date.fromisoformat(item["effective_from"])
        if await ClassHourRule.exists().where(ClassHourRule.effective_from == day):
            continue
        await ClassHourRule(effective_from=day, minutes_per_hour=int(item["minutes_per_hour"]),
                            source=item["source"], created_at=clock.now()).save()
        added += 1
    return added
