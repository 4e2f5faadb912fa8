"""Application conditions (申报条件) for a skill exam, and whether an applicant meets them.

Pure: the conditions come from ``training/data/application_conditions.json`` (per occupation
and edition, each with its effective date and source), the evidence and the date are arguments.
A level lists alternative conditions (any one suffices); a condition is a conjunction of
requirements: a lower-level certificate of this occupation, years of work (counted from that
certificate's issue date when the condition names one), a diploma of given kinds, a completed
apprenticeship.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any, Literal

from core.errors import ValidationError
from core.levels import level_label

DATA_FILE = Path(__file__).resolve().parent / "data" / "application_conditions.json"
COUNTING_STATUS = "valid"
# A re-issued (补发) certificate supersedes the old one; the years still run from the first.
DATED_STATUSES = frozenset({"valid", "superseded"})


@dataclass(frozen=True)
class HeldCertificate:
    code: str  # qualification code, e.g. CHILDCARE_WORKER
    level: int | None
    issued_on: date
    status: str = "valid"
    expires_on: date | None = None


@dataclass(frozen=True)
class WorkPeriod:
    employer: str
    occupation: str  # a qualification code or the occupation's Chinese name
    start: date
    end: date | None  # None: still working there; both ends count as days worked
    source: Literal["declared", "recorded"] = "declared"


@dataclass(frozen=True)
class ApplicantEvidence:
    certificates: tuple[HeldCertificate, ...] = ()
    work_periods: tuple[WorkPeriod, ...] = ()
    diplomas: frozenset[str] = frozenset()  # kinds, see "diploma_kinds" in the data file
    apprenticeship: bool = False


@dataclass(frozen=True)
class Condition:
    description: str
    certificate_level: int | None = None
    work_years: int | None = None
    diploma_any_of: tuple[str, ...] = ()
    apprenticeship: bool = False


@dataclass(frozen=True)
class LevelConditions:
    occupation: str
    occupation_name: str
    level: int
    edition: str
    source: str
    conditions: tuple[Condition, ...]
    related_occupations: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class EligibilityResult:
    eligible: bool
    met: str | None  # description of the first condition met
    missing: list[str]  # when not eligible: per condition, what is lacking (Chinese)
    relies_on_declared: bool = False  # the met condition rests on the applicant's word
    declared: tuple[str, ...] = ()  # which requirements (DECLARED_LABELS keys) rest on it


# Requirements an applicant can meet by their own declaration only: the registry holds no
# record of diplomas or apprenticeships, and declared work periods are not recorded employment.
DECLARED_LABELS = {
    "work_years": "工作年限（自报工作经历）",
    "diplomas": "学历",
    "apprenticeship": "学徒期满",
}


@cache
def _data() -> dict[str, Any]:
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


def diploma_label(kind: str) -> str:
    return _data()["diploma_kinds"].get(kind, kind)


def _describe(requirement: dict[str, Any], occupation_name: str) -> str:
    parts = []
    level = requirement.get("certificate_level")
    years = requirement.get("work_years")
    work = f"累计从事本职业或相关职业工作满 {years} 年"
    if level is not None:
        certificate = f"取得本职业（{occupation_name}）{level_label(level)}证书"
        parts.append(certificate + ("后" + work if years is not None else ""))
    elif years is not None:
        parts.append(work)
    kinds = requirement.get("diploma_any_of") or []
    if kinds:
        parts.append("具有" + "或".join(diploma_label(kind) for kind in kinds))
    if requirement.get("apprenticeship"):
        parts.append("本职业学徒期满")
    return "，并".join(parts)


def conditions_for(occupation: str, level: int, on: date) -> LevelConditions:
    """The conditions of the edition in force on ``on`` for an occupation and level."""
    entry = _data()["occupations"].get(occupation)
    if entry is None:
        raise ValidationError("该职业没有申报条件", "occupation")
    editions = [e for e in entry["editions"] if date.fromisoformat(e["effective_from"]) <= on]
    if not editions:
        raise ValidationError(f"{entry['name']}在该日期没有生效的申报条件", "occupation")
    edition = max(editions, key=lambda e: e["effective_from"])
    raw = edition["levels"].get(str(level))
    if raw is None:
        raise ValidationError(f"{entry['name']}不设{level_label(level)}", "level")
    conditions = tuple(
        Condition(
            description=_describe(item, entry["name"]),
            certificate_level=item.get("certificate_level"),
            work_years=item.get("work_years"),
            diploma_any_of=tuple(item.get("diploma_any_of", ())),
            apprenticeship=bool(item.get("apprenticeship", False)),
        )
        for item in raw
    )
    return LevelConditions(
        occupation,
        entry["name"],
        level,
        edition["edition"],
        edition["source"],
        conditions,
        frozenset(entry.get("related_occupations", ())),
    )


# --- years of work ---------------------------------------------------------------------------


def add_years(day: date, years: int) -> date:
    """The same day ``years`` later; a year after 29 February is 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def merged_days(periods: list[tuple[date, date]]) -> int:
    """Days covered by inclusive (start, end) intervals, overlaps counted once."""
    total, covered_to = 0, None
    for start, end in sorted(periods):
        if covered_to is not None and start <= covered_to:
            start = covered_to + timedelta(days=1)
        if start <= end:
            total += (end - start).days + 1
            covered_to = end
    return total


def work_years(periods: list[WorkPeriod], on: date, since: date | None = None) -> int:
    """Whole years worked up to ``on`` (and from ``since``), overlapping periods merged.

    The days are laid end to end from the first counted day and measured in calendar years,
    so one unbroken period gives exactly its anniversaries.
    """
    clipped = []
    for period in periods:
        start = max(period.start, since) if since else period.start
        end = min(period.end or on, on)
        if start <= end:
            clipped.append((start, end))
    if not clipped:
        return 0
    anchor = min(start for start, _ in clipped)
    after_last_day = anchor + timedelta(days=merged_days(clipped))
    years = 0
    while add_years(anchor, years + 1) <= after_last_day:
        years += 1
    return years


# --- the check -------------------------------------------------------------------------------


def _counts(cert: HeldCertificate, on: date) -> bool:
    not_expired = cert.expires_on is None or on <= cert.expires_on
    return cert.status == COUNTING_STATUS and cert.issued_on <= on and not_expired


def _certificate_since(
    level: int, rules: LevelConditions, evidence: ApplicantEvidence, on: date
) -> date | None:
    """Issue date from which years count, or None when no counting certificate is held.

    A certificate of this occupation at the level or a higher one (a smaller number) counts.
    """
    mine = [
        c
        for c in evidence.certificates
        if c.code == rules.occupation and c.level is not None and c.level <= level
    ]
    if not any(_counts(c, on) for c in mine):
        return None
    return min(c.issued_on for c in mine if c.status in DATED_STATUSES and c.issued_on <= on)


def _shortfalls(
    condition: Condition, rules: LevelConditions, evidence: ApplicantEvidence, on: date
) -> list[str]:
    lacking: list[str] = []
    since = None
    if condition.certificate_level is not None:
        since = _certificate_since(condition.certificate_level, rules, evidence, on)
        if since is None:
            lacking.append(f"未持有有效的本职业{level_label(condition.certificate_level)}证书")
    if condition.work_years is not None and not (
        condition.certificate_level is not None and since is None
    ):
        periods = [
            p for p in evidence.work_periods if p.occupation.strip() in rules.related_occupations
        ]
        years = work_years(periods, on, since)
        if years < condition.work_years:
            counted = "取证后" if since else ""
            lacking.append(
                f"{counted}工作年限已满 {years} 年，尚差 {condition.work_years - years} 年"
            )
    if condition.diploma_any_of and not set(evidence.diplomas) & set(condition.diploma_any_of):
        lacking.append("缺少" + "或".join(diploma_label(k) for k in condition.diploma_any_of))
    if condition.apprenticeship and not evidence.apprenticeship:
        lacking.append("未完成学徒期")
    return lacking


def declared_requirements(
    condition: Condition, rules: LevelConditions, evidence: ApplicantEvidence, on: date
) -> tuple[str, ...]:
    """Which requirements of a met ``condition`` rest only on the applicant's declaration
    (keys of DECLARED_LABELS, in that order): years of work not covered by recorded periods,
    a diploma, an apprenticeship. Certificates and completed courses are the registry's own."""
    declared = []
    if condition.work_years is not None:
        recorded_only = ApplicantEvidence(
            evidence.certificates,
            tuple(p for p in evidence.work_periods if p.source == "recorded"),
            evidence.diplomas,
            evidence.apprenticeship,
        )
        if _shortfalls(condition, rules, recorded_only, on):
            declared.append("work_years")
    if condition.diploma_any_of:
        declared.append("diplomas")
    if condition.apprenticeship:
        declared.append("apprenticeship")
    return tuple(declared)


def check_eligibility(
    conditions_for_level: LevelConditions, evidence: ApplicantEvidence, on: date
) -> EligibilityResult:
    """Whether any one condition is met on ``on``; otherwise what each condition lacks.

    Of the conditions met, the first one met on the registry's own evidence is preferred;
    when every condition met rests on the applicant's declaration, the first such one is
    returned with ``declared`` naming what the provider must verify.
    """
    rules = conditions_for_level
    missing: list[str] = []
    first_met: EligibilityResult | None = None
    for number, condition in enumerate(rules.conditions, start=1):
        lacking = _shortfalls(condition, rules, evidence, on)
        if not lacking:
            declared = declared_requirements(condition, rules, evidence, on)
            result = EligibilityResult(True, condition.description, [], bool(declared), declared)
            if not declared:
                return result
            first_met = first_met or result
            continue
        missing.append(f"条件 {number}（{condition.description}）：" + "；".join(lacking))
    return first_met or EligibilityResult(False, None, missing)
