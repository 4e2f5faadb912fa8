"""The staffing compliance engine: one pure function from a snapshot to a report.

``evaluate`` applies the eight rules of the contract, in its order, with the rules version in
force on the snapshot's ``as_of`` (or the one given). Subjects are the ids at fault, in snapshot
order. No database, no clock.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from core.errors import ValidationError
from employers.compliance.qualifications import (
    health_check_problem,
    is_full_time_health,
    requirement_text,
    shortfalls,
)
from employers.compliance.rules import RuleSet, rules_in_force
from employers.compliance.snapshot import Snapshot, StaffMember

PASS, FAIL = "pass", "fail"


@dataclass(frozen=True)
class RuleResult:
    code: str
    status: str  # "pass" | "fail"
    message: str
    subjects: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return self.status == PASS

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "status": self.status,
            "message": self.message,
            "subjects": list(self.subjects),
        }


@dataclass(frozen=True)
class Report:
    compliant: bool
    as_of: date
    rules: tuple[RuleResult, ...]

    def result(self, code: str) -> RuleResult:
        return next(r for r in self.rules if r.code == code)

    def to_dict(self) -> dict[str, Any]:
        return {
            "compliant": self.compliant,
            "as_of": self.as_of.isoformat(),
            "rules": [r.to_dict() for r in self.rules],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)


class _Context:
    """One evaluation: the snapshot, the rules, and each person's shortfalls per position."""

    def __init__(self, snapshot: Snapshot, rules: RuleSet) -> None:
        self.snapshot = snapshot
        self.rules = rules
        self.on = snapshot.as_of
        self._shortfalls: dict[tuple[str, str], list[str]] = {}

    def holders(self, position: str) -> list[StaffMember]:
        return [s for s in self.snapshot.staff if s.holds(position)]

    def shortfalls(self, member: StaffMember, position: str) -> list[str]:
        cache_key = (member.id, position)
        if cache_key not in self._shortfalls:
            rule = self.rules.positions[position]
            self._shortfalls[cache_key] = shortfalls(member, rule, self.on, self.rules)
        return self._shortfalls[cache_key]

    def unqualified(self, position: str) -> list[str]:
        """'负责人 赵敏（d1）不符合要求：…' for each holder who is not qualified."""
        name = self.rules.positions[position].name
        return [
            f"{name} {m.label}不符合要求：{'，'.join(self.shortfalls(m, position))}"
            for m in self.holders(position)
            if self.shortfalls(m, position)
        ]

    def unqualified_ids(self, position: str) -> tuple[str, ...]:
        return tuple(m.id for m in self.holders(position) if self.shortfalls(m, position))


def _result(
    code: str, problems: list[str], subjects: tuple[str, ...], ok: str, need: str = ""
) -> RuleResult:
    if not problems:
        return RuleResult(code, PASS, ok, ())
    message = "；".join(problems) + (f"。{need}" if need else "")
    return RuleResult(code, FAIL, message, subjects)


def _staffed_position(code: str, position: str, ctx: _Context) -> RuleResult:
    """DIRECTOR and SECURITY: at least one holder, and every holder qualified."""
    rule = ctx.rules.positions[position]
    need = f"{rule.name}需要{requirement_text(rule, ctx.rules)}"
    holders = ctx.holders(position)
    if not holders:
        return RuleResult(code, FAIL, f"没有{rule.name}：需要至少 1 名{rule.name}，{need}", ())
    names = "、".join(m.label for m in holders)
    return _result(
        code,
        ctx.unqualified(position),
        ctx.unqualified_ids(position),
        f"{rule.name} {names}符合要求",
        need,
    )


def _director(ctx: _Context) -> RuleResult:
    return _staffed_position("DIRECTOR", "director", ctx)


def _security(ctx: _Context) -> RuleResult:
    return _staffed_position("SECURITY", "security", ctx)


def _class_size(ctx: _Context) -> RuleResult:
    problems, subjects = [], []
    for group in ctx.snapshot.classes:
        kind = ctx.rules.class_types[group.type]
        if group.children > kind.max_children:
            problems.append(
                f"{kind.name} {group.code} 有 {group.children} 名婴幼儿，"
                f"超过{kind.name}每班最多 {kind.max_children} 名的上限"
            )
            subjects.append(group.code)
    count = len(ctx.snapshot.classes)
    ok = f"全部 {count} 个班级的人数均未超过班型上限" if count else "没有班级，无需检查班额"
    return _result("CLASS_SIZE", problems, tuple(subjects), ok, "请分班或减少收托人数")


def _class_ratio(ctx: _Context) -> RuleResult:
    problems, subjects, details = [], [], []
    by_id = {s.id: s for s in ctx.snapshot.staff}
    for group in ctx.snapshot.classes:
        kind = ctx.rules.class_types[group.type]
        needed = kind.caregivers_needed(group.children)
        have = sum(1 for i in group.caregivers if not ctx.shortfalls(by_id[i], "caregiver"))
        line = (
            f"{kind.name} {group.code} 有 {group.children} 名婴幼儿，"
            f"需要至少 {needed} 名合格保育人员，现有 {have} 名"
        )
        details.append(line)
        if have < needed:
            problems.append(line)
            subjects.append(group.code)
    ok = (
        "各班合格保育人员均达到配比要求：" + "；".join(details)
        if details
        else "没有班级，无需检查师生比"
    )
    short_types = {
        ctx.rules.class_types[g.type] for g in ctx.snapshot.classes if g.code in subjects
    }
    ratios = "，".join(
        f"{t.name} 1:{t.children_per_caregiver}"
        for t in ctx.rules.class_types.values()
        if t in short_types
    )
    return _result(
        "CLASS_RATIO", problems, tuple(subjects), ok, f"保育人员与婴幼儿的比例不得低于：{ratios}"
    )


def _caregivers_qualified(ctx: _Context) -> RuleResult:
    rule = ctx.rules.positions["caregiver"]
    count = len(ctx.holders("caregiver"))
    ok = f"全部 {count} 名保育人员均符合任职要求" if count else "没有保育人员，无需检查任职资格"
    return _result(
        "CAREGIVER_QUALIFIED",
        ctx.unqualified("caregiver"),
        ctx.unqualified_ids("caregiver"),
        ok,
        f"{rule.name}需要{requirement_text(rule, ctx.rules)}",
    )


def _health_staff(ctx: _Context) -> RuleResult:
    rules = ctx.rules
    rule = rules.positions["health"]
    qualified = [m for m in ctx.holders("health") if not ctx.shortfalls(m, "health")]
    total = ctx.snapshot.total_children
    if total < rules.full_time_health_from_children:
        needed, have = 1, len(qualified)
        kind = f"合格{rule.name}（专职或兼职均可）"
    else:
        needed = -(-total // rules.children_per_full_time_health)
        have = sum(1 for m in qualified if is_full_time_health(m))
        kind = (
            f"合格的专职{rule.name}（收托 {rules.full_time_health_from_children} 名及以上须按每 "
            f"{rules.children_per_full_time_health} 名至少 1 名配备；专职指全日制且只担任该岗位）"
        )
    staffing = f"共有 {total} 名婴幼儿，需要至少 {needed} 名{kind}，现有 {have} 名"
    problems = ctx.unqualified("health")
    if have < needed:
        problems.append(staffing)
    return _result(
        "HEALTH_STAFF",
        problems,
        ctx.unqualified_ids("health"),
        f"{staffing}，全部{rule.name}均符合要求",
        f"{rule.name}需要{requirement_text(rule, rules)}",
    )


def _health_check(ctx: _Context) -> RuleResult:
    found = [(m.id, health_check_problem(m, ctx.on, ctx.rules)) for m in ctx.snapshot.staff]
    bad = [(i, p) for i, p in found if p]
    count = len(ctx.snapshot.staff)
    ok = (
        f"全部 {count} 名工作人员的健康检查均在有效期内"
        if count
        else "没有工作人员，无需检查健康检查"
    )
    years = ctx.rules.health_check_valid_years
    return _result(
        "HEALTH_CHECK",
        [p for _, p in bad],
        tuple(i for i, _ in bad),
        ok,
        f"工作人员须经健康检查合格后上岗，并每 {years} 年复查",
    )


BACKGROUND_PROBLEMS = {
    "flagged": "的背景审查有不良记录（犯罪记录或虐待儿童记录）",
    "missing": "缺少无犯罪记录和无虐待儿童记录核查",
}


def _background(ctx: _Context) -> RuleResult:
    bad = [m for m in ctx.snapshot.staff if m.background_check != "clear"]
    count = len(ctx.snapshot.staff)
    ok = (
        f"全部 {count} 名工作人员的背景审查均无不良记录"
        if count
        else "没有工作人员，无需检查背景审查"
    )
    return _result(
        "BACKGROUND",
        [f"{m.label}的背景审查记录不可查看：{m.withheld_reason}" if m.withheld_reason
         else m.label + BACKGROUND_PROBLEMS[m.background_check] for m in bad],
        tuple(m.id for m in bad),
        ok,
        "所有工作人员须无犯罪记录、无虐待儿童记录",
    )


# The contract's eight rules, in the contract's order.
RULES: tuple[tuple[str, Callable[[_Context], RuleResult]], ...] = (
    ("DIRECTOR", _director),
    ("CLASS_SIZE", _class_size),
    ("CLASS_RATIO", _class_ratio),
    ("CAREGIVER_QUALIFIED", _caregivers_qualified),
    ("HEALTH_STAFF", _health_staff),
    ("SECURITY", _security),
    ("HEALTH_CHECK", _health_check),
    ("BACKGROUND", _background),
)
RULE_CODES = tuple(code for code, _ in RULES)


def evaluate(snapshot: Snapshot, rules: RuleSet | None = None) -> Report:
    """Judge ``snapshot`` by ``rules`` (default: the shipped version in force on its as_of)."""
    rules = rules or rules_in_force(snapshot.as_of)
    for i, group in enumerate(snapshot.classes):
        if group.type not in rules.class_types:
            raise ValidationError(
                f"classes[{i}].type: 规则版本不含班型 {group.type}", f"classes[{i}].type"
            )
    ctx = _Context(snapshot, rules)
    results = tuple(check(ctx) for _, check in RULES)
    return Report(all(r.passed for r in results), snapshot.as_of, results)


def evaluate_dict(data: Any) -> dict[str, Any]:
    """Validate a snapshot dict and return the report dict; raises ValidationError."""
    return evaluate(Snapshot.from_dict(data)).to_dict()
