"""Reads of the foundation's qualification catalogue that the training side needs."""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import ValidationError
from core.levels import level_label
from core.tables import Qualification, QualificationLevel


@dataclass(frozen=True)
class LevelRule:
    qualification_name: str
    level_name: str
    pass_mark: int
    needs_review: bool


async def qualification_names(kind: str | None = None) -> dict[str, str]:
    query = Qualification.select(Qualification.code, Qualification.name).where(
        Qualification.active == True)  # noqa: E712
    if kind:
        query = query.where(Qualification.kind == kind)
    return {r["code"]: r["name"] for r in await query.order_by(Qualification.id)}


async def kind_of(code: str) -> str | None:
    row = await Qualification.select(Qualification.kind).where(Qualification.code == code).first()
    return row["kind"] if row else None


async def level_rule(code: str, level: int) -> LevelRule:
    """Pass mark and review requirement from the catalogue (never a literal here)."""
    row = await QualificationLevel.select(
        QualificationLevel.qualification.name, QualificationLevel.name,
        QualificationLevel.pass_mark, QualificationLevel.needs_review,
    ).where((QualificationLevel.qualification.code == code)
            & (QualificationLevel.level == level)).first()
    if row is None:
        raise ValidationError("该职业不设此等级", "level")
    return LevelRule(row["qualification.name"], level_label(level), int(row["pass_mark"]),
                     bool(row["needs_review"]))


async def level_names() -> dict[tuple[str, int], str]:
    rows = await QualificationLevel.select(QualificationLevel.qualification.code,
                                           QualificationLevel.level, QualificationLevel.name)
    return {(r["qualification.code"], r["level"]): level_label(r["level"]) for r in rows}


async def skill_levels() -> list[tuple[str, str]]:
    """(code:level, label) options for forms."""
    rows = await QualificationLevel.select(
        QualificationLevel.qualification.code, QualificationLevel.qualification.name,
        QualificationLevel.level, QualificationLevel.name,
    ).order_by(QualificationLevel.qualification.id).order_by(QualificationLevel.level,
                                                               ascending=False)
    return [(f"{r['qualification.code']}:{r['level']}",
             f"{r['qualification.name']} {level_label(r['level'])}") for r in rows]
