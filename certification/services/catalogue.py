"""Reading the qualification catalogue (core's Qualification tables) for issuance and display."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core.errors import NotFound, ValidationError
from core.levels import level_label
from core.tables import Qualification, QualificationLevel
from core.validity import last_valid_day_after_months


@dataclass(frozen=True)
class QualificationInfo:
    code: str
    name: str
    kind: str  # skill | training | external
    occupation_code: str
    validity_months: int | None
    levels: dict[int, str]  # level -> "四级/中级工" (core.levels: the one wording)

    def level_name(self, level: int | None) -> str:
        if level is None:
            return ""
        try:
            return self.levels[level]
        except KeyError:
            raise ValidationError(f"{self.name}没有该等级", "level") from None


async def qualification(code: str) -> QualificationInfo:
    row = await Qualification.objects().where(Qualification.code == code).first()
    if row is None:
        raise NotFound("目录中没有该证书类别", "code")
    levels = await QualificationLevel.select(
        QualificationLevel.level, QualificationLevel.name
    ).where(QualificationLevel.qualification == row.id)
    return QualificationInfo(
        code=row.code, name=row.name, kind=row.kind, occupation_code=row.occupation_code or "",
        validity_months=row.validity_months,
        levels={item["level"]: level_label(item["level"]) for item in levels},
    )


async def names_by_code() -> dict[str, str]:
    return {r["code"]: r["name"] for r in await Qualification.select(
        Qualification.code, Qualification.name)}


def expiry_for(issued_on: date, validity_months: int | None) -> date | None:
    """Valid through the day before the anniversary ``validity_months`` later, by
    ``core.validity`` (a 12-month validity from 2024-02-29 ends 2025-02-28); None: no expiry."""
    if not validity_months:
        return None
    return last_valid_day_after_months(issued_on, validity_months)
