"""Officers maintain the catalogue as data: a new qualification (with its levels) or a new
edition of an occupation's application conditions — no code change needed."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date

from core import audit, db
from core.actor import Actor
from core.errors import Conflict, NotFound, ValidationError
from core.levels import level_label
from core.tables import ConditionEdition, Qualification, QualificationLevel

KINDS = {"skill": "职业技能等级证书", "training": "培训合格证明", "external": "外部证件"}
CONDITION_KEYS = {"work_years", "apprenticeship", "certificate_level", "diploma_any_of"}
CODE_RE = re.compile(r"^[A-Z][A-Z0-9_]{2,39}$")
LEVEL_LINE_RE = re.compile(r"^\s*([1-5])(?:\s+(\S.{0,29}?))?\s*$")


@dataclass(frozen=True)
class QualificationInput:
    code: str
    name: str
    kind: str
    occupation_code: str = ""
    issuer_kind: str = ""
    validity_months: int | None = None
    source: str = ""
    levels_text: str = ""  # one level per line: "4" or "4 四级/中级工" (parse_levels)


def parse_levels(text: str) -> list[tuple[int, str]]:
    """One level per line: "4", or with a name that is the level's one wording (core.levels)
    or a half of it ("4 四级/中级工", "4 四级", "4 中级工"); the one wording is what is stored.
    ValidationError on levels_text otherwise."""
    levels = []
    for n, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        match = LEVEL_LINE_RE.match(line)
        if match is None:
            raise ValidationError(
                f"第 {n} 行格式应为“等级数字”或“等级数字 空格 名称”，如“4 四级/中级工”",
                "levels_text")
        level = int(match.group(1))
        standard = level_label(level)
        if match.group(2) and match.group(2) not in (standard, *standard.split("/")):
            raise ValidationError(f"第 {n} 行：等级 {level} 的名称应为“{standard}”"
                                  "（可只写等级数字）", "levels_text")
        levels.append((level, level_label(level)))
    if len({lv for lv, _ in levels}) != len(levels):
        raise ValidationError("等级重复", "levels_text")
    return levels


async def add_qualification(data: QualificationInput, actor: Actor) -> int:
    code = data.code.strip().upper()
    if not CODE_RE.fullmatch(code):
        raise ValidationError("代码应为 3–40 位大写字母、数字或下划线，以字母开头", "code")
    if not data.name.strip():
        raise ValidationError("请填写名称", "name")
    if data.kind not in KINDS:
        raise ValidationError("请选择类别", "kind")
    if data.validity_months is not None and not 1 <= data.validity_months <= 600:
        raise ValidationError("有效期应为 1–600 个月", "validity_months")
    levels = parse_levels(data.levels_text)
    if data.kind == "skill" and not levels:
        raise ValidationError("职业技能等级证书至少要有一个等级", "levels_text")
    if data.kind != "skill" and levels:
        raise ValidationError("只有职业技能等级证书有等级", "levels_text")
    async with db.transaction():
        if await Qualification.exists().where(Qualification.code == code):
            raise Conflict("该代码已存在", "code")
        row = Qualification(
            code=code, name=data.name.strip(), kind=data.kind,
            occupation_code=data.occupation_code.strip(), issuer_kind=data.issuer_kind.strip(),
            validity_months=data.validity_months, counts_as=[], source=data.source.strip(),
        )
        await row.save()
        for level, name in levels:
            await QualificationLevel(qualification=row.id, level=level, name=name).save()
        await audit.record(actor, "qualification.create", "qualification", row.id,
                           after={"code": code, "name": row.name, "kind": row.kind,
                                  "levels": [lv for lv, _ in levels]})
        return row.id


def parse_conditions(text: str, levels: set[int]) -> dict:
    try:
        data = json.loads(text or "")
    except json.JSONDecodeError as error:
        message = f"条件不是有效的 JSON（第 {error.lineno} 行）"
        raise ValidationError(message, "conditions") from None
    if not isinstance(data, dict) or not data:
        raise ValidationError("条件应为对象：等级 → 可选条件列表", "conditions")
    for level, options in data.items():
        if not str(level).isdigit() or int(level) not in levels:
            raise ValidationError(f"该职业没有等级 {level}", "conditions")
        if not isinstance(options, list) or not options:
            raise ValidationError(f"等级 {level} 的条件应为非空列表", "conditions")
        for option in options:
            if not isinstance(option, dict) or not option or set(option) - CONDITION_KEYS:
                raise ValidationError(
                    f"等级 {level} 的条件只能使用：{'、'.join(sorted(CONDITION_KEYS))}",
                    "conditions")
    return {"levels": data}


async def add_edition(qualification_id: int, edition: str, effective_from: date | None,
                      source: str, conditions_text: str, actor: Actor) -> int:
    qualification = await Qualification.objects().where(
        Qualification.id == qualification_id).first()
    if qualification is None or qualification.kind != "skill":
        raise NotFound("未找到该职业")
    if not edition.strip():
        raise ValidationError("请填写版本", "edition")
    if effective_from is None:
        raise ValidationError("请填写生效日期", "effective_from")
    levels = {r["level"] for r in await QualificationLevel.select(QualificationLevel.level).where(
        QualificationLevel.qualification == qualification_id)}
    conditions = parse_conditions(conditions_text, levels)
    async with db.transaction():
        if await ConditionEdition.exists().where(
                (ConditionEdition.qualification == qualification_id)
                & (ConditionEdition.edition == edition.strip())):
            raise Conflict("该版本已存在", "edition")
        row = ConditionEdition(qualification=qualification_id, edition=edition.strip(),
                               effective_from=effective_from, source=source.strip(),
                               conditions=conditions)
        await row.save()
        await audit.record(actor, "condition_edition.create", "qualification", qualification_id,
                           after={"edition": row.edition, "effective_from": effective_from})
        return row.id


@dataclass(frozen=True)
class CatalogueLevel:
    """One level of a qualification: 1–5 and its one wording (core.levels)."""

    level: int
    name: str


@dataclass(frozen=True)
class CatalogueEdition:
    """One edition of an occupation's application conditions: its name, the day it takes
    effect and its source (standard, document number)."""

    edition: str
    effective_from: date
    source: str


@dataclass(frozen=True)
class CatalogueEntry:
    """A qualification as the officers' catalogue page lists it: its columns (``kind`` a key
    of KINDS, ``validity_months`` None for no expiry), its levels highest first and its
    condition editions by effective date."""

    id: int
    code: str
    name: str
    kind: str
    occupation_code: str
    issuer_kind: str
    validity_months: int | None
    source: str
    active: bool
    levels: tuple[CatalogueLevel, ...]
    editions: tuple[CatalogueEdition, ...]


async def catalogue() -> list[CatalogueEntry]:
    """Every qualification by kind, then by id."""
    quals = await Qualification.select(
        Qualification.id, Qualification.code, Qualification.name, Qualification.kind,
        Qualification.occupation_code, Qualification.issuer_kind, Qualification.validity_months,
        Qualification.source, Qualification.active,
    ).order_by(Qualification.kind).order_by(Qualification.id)
    levels = await QualificationLevel.select(
        QualificationLevel.qualification, QualificationLevel.level, QualificationLevel.name,
    ).order_by(QualificationLevel.level, ascending=False)
    editions = await ConditionEdition.select(
        ConditionEdition.qualification, ConditionEdition.edition, ConditionEdition.effective_from,
        ConditionEdition.source).order_by(ConditionEdition.effective_from)
    return [CatalogueEntry(
        **q,
        levels=tuple(CatalogueLevel(lv["level"], lv["name"]) for lv in levels
                     if lv["qualification"] == q["id"]),
        editions=tuple(CatalogueEdition(e["edition"], e["effective_from"], e["source"])
                       for e in editions if e["qualification"] == q["id"]),
    ) for q in quals]
