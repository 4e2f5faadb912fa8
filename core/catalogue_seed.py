"""Seeds the qualification catalogue from a versioned data file (used by migrations).

Idempotent: rows whose code already exists are left alone, so officers' later edits stay.
"""

from __future__ import annotations

import json
from pathlib import Path

from core.tables import Qualification, QualificationLevel

DATA_DIR = Path(__file__).resolve().parent / "data"
PASS_MARK = 60  # 理论知识、操作技能各 100 分，60 分及以上合格（职业技能等级认定通行规则）


async def seed_catalogue(filename: str = "catalogue_v1.json") -> int:
    data = json.loads((DATA_DIR / filename).read_text(encoding="utf-8"))
    added = 0
    for item in data["qualifications"]:
        exists = await Qualification.exists().where(Qualification.code == item["code"])
        if exists:
            continue
        row = Qualification(
            code=item["code"],
            name=item["name"],
            kind=item["kind"],
            occupation_code=item.get("occupation_code", ""),
            issuer_kind=item.get("issuer_kind", ""),
            validity_months=item.get("validity_months"),
            counts_as=item.get("counts_as", []),
            source=item.get("source", data["source"]),
        )
        await row.save()
        for level in item.get("levels", []):
            await QualificationLevel(
                qualification=row.id,
                level=level["level"],
                name=level["name"],
                pass_mark=level.get("pass_mark", PASS_MARK),
                needs_review=level.get("needs_review", False),
                subsidy_fen=level.get("subsidy_fen"),
            ).save()
        added += 1
    return added
