"""The versioned staffing rules: load ``rules/staffing.json`` and pick the version in force.

The numbers (class caps, ratios, the 150-children health rule, qualification sets, skill levels
offered) live in the data file with their sources; this module only reads them. The command and
the service read the same file, and a snapshot is judged by the version in force on its
``as_of``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from core.errors import ValidationError

RULES_FILE = Path(__file__).with_name("rules") / "staffing.json"

CHINESE_DIGITS = "零一二三四五六七八九"


@dataclass(frozen=True)
class ClassType:
    code: str
    name: str
    ages: str
    max_children: int
    children_per_caregiver: int  # ratio 1:n

    def caregivers_needed(self, children: int) -> int:
        return -(-children // self.children_per_caregiver)


@dataclass(frozen=True)
class CredentialKind:
    code: str
    name: str
    occupation: str | None = None
    levels: tuple[int, ...] = ()  # empty: the credential has no level

    @property
    def is_skill_certificate(self) -> bool:
        return bool(self.levels)

    def levels_text(self) -> str:
        """'三级至五级' for 育婴员; the levels are contiguous in every edition so far."""
        low, high = min(self.levels), max(self.levels)
        return f"{CHINESE_DIGITS[low]}级至{CHINESE_DIGITS[high]}级"


@dataclass(frozen=True)
class PositionRule:
    code: str
    name: str
    min_education: str | None
    min_management_years: int
    # Every group must be met; a group is met by any one counting credential of its codes.
    credential_groups: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class RuleSet:
    effective_from: date
    name: str
    sources: tuple[str, ...]
    class_types: dict[str, ClassType]
    education_order: tuple[str, ...]
    education_names: dict[str, str]
    credentials: dict[str, CredentialKind]
    positions: dict[str, PositionRule]
    full_time_health_from_children: int
    children_per_full_time_health: int
    health_check_valid_years: int

    def education_rank(self, code: str) -> int:
        return self.education_order.index(code)

    def credential_name(self, code: str) -> str:
        kind = self.credentials.get(code)
        return kind.name if kind else code


@dataclass(frozen=True)
class RuleBook:
    versions: tuple[RuleSet, ...]  # ascending by effective_from

    @property
    def first_effective(self) -> date:
        return self.versions[0].effective_from

    def in_force(self, on: date) -> RuleSet:
        """The version in force on ``on``; a day before the first version has no rules."""
        current = None
        for version in self.versions:
            if version.effective_from <= on:
                current = version
        if current is None:
            raise ValidationError(
                f"as_of: {on.isoformat()} 早于首个规则版本的生效日期 "
                f"{self.first_effective.isoformat()}，无法评估",
                "as_of",
            )
        return current

    def effective_dates_between(self, after: date, until: date) -> list[date]:
        return [v.effective_from for v in self.versions if after < v.effective_from <= until]


def _rule_set(raw: dict[str, Any]) -> RuleSet:
    class_types = {
        c["code"]: ClassType(
            c["code"],
            c["name"],
            c["ages"],
            int(c["max_children"]),
            int(c["children_per_caregiver"]),
        )
        for c in raw["class_types"]
    }
    credentials = {
        c["code"]: CredentialKind(
            c["code"], c["name"], c.get("occupation"), tuple(sorted(c.get("levels", ())))
        )
        for c in raw["credentials"]
    }
    positions = {
        p["code"]: PositionRule(
            p["code"],
            p["name"],
            p.get("min_education"),
            int(p.get("min_management_years", 0)),
            tuple(tuple(group) for group in p["credentials"]),
        )
        for p in raw["positions"]
    }
    education = raw["education"]
    rule_set = RuleSet(
        effective_from=date.fromisoformat(raw["effective_from"]),
        name=raw["name"],
        sources=tuple(raw["source"]),
        class_types=class_types,
        education_order=tuple(e["code"] for e in education),
        education_names={e["code"]: e["name"] for e in education},
        credentials=credentials,
        positions=positions,
        full_time_health_from_children=int(raw["health_staffing"]["full_time_from_children"]),
        children_per_full_time_health=int(raw["health_staffing"]["children_per_full_time"]),
        health_check_valid_years=int(raw["health_check"]["valid_years"]),
    )
    _check_references(rule_set)
    return rule_set


def _check_references(rule_set: RuleSet) -> None:
    """A rules file that names an unknown code is a packaging bug: fail loudly at load."""
    for position in rule_set.positions.values():
        if position.min_education and position.min_education not in rule_set.education_names:
            raise ValueError(f"rules: unknown education {position.min_education!r}")
        for group in position.credential_groups:
            for code in group:
                if code not in rule_set.credentials:
                    raise ValueError(f"rules: unknown credential {code!r} in {position.code}")
    missing = {"director", "caregiver", "health", "security"} - set(rule_set.positions)
    if missing:
        raise ValueError(f"rules: positions missing {sorted(missing)}")


def rule_book_from_dict(raw: dict[str, Any]) -> RuleBook:
    versions = sorted((_rule_set(v) for v in raw["versions"]), key=lambda v: v.effective_from)
    if not versions:
        raise ValueError("rules: no versions")
    return RuleBook(tuple(versions))


@lru_cache(maxsize=8)
def load_rule_book(path: Path = RULES_FILE) -> RuleBook:
    """The shipped rules (cached); pass another path to try a draft edition."""
    return rule_book_from_dict(json.loads(path.read_text(encoding="utf-8")))


def rules_in_force(on: date) -> RuleSet:
    return load_rule_book().in_force(on)
