"""Who counts as qualified for a position, and whether a health check counts, on a given day.

Pure functions over the snapshot's records and one rules version. Reminders and credential
views use ``health_check_valid_through`` so every screen shows the same last valid day.
"""

from __future__ import annotations

from datetime import date

from core.validity import last_valid_day
from employers.compliance.rules import PositionRule, RuleSet
from employers.compliance.snapshot import Credential, StaffMember

STATUS_NAMES = {
    "valid": "有效",
    "suspended": "已暂停",
    "revoked": "已撤销",
    "expired": "已失效",
    "superseded": "已被替代",
}


def health_check_valid_through(checked_on: date, rules: RuleSet) -> date:
    """Last day a health check counts: the day before its anniversary after the rules'
    ``health_check.valid_years`` (``core.validity.last_valid_day``; a check on 2024-02-29 is
    valid through 2025-02-28)."""
    return last_valid_day(checked_on, rules.health_check_valid_years)


def health_check_problem(member: StaffMember, on: date, rules: RuleSet) -> str | None:
    """Why ``member``'s health check does not count on ``on`` (None when it does)."""
    checked = member.health_check_on
    if member.withheld_reason:
        return f"{member.label}的健康检查记录不可查看：{member.withheld_reason}"
    if checked is None:
        return f"{member.label}没有健康检查记录"
    if checked > on:
        return f"{member.label}的健康检查日期 {checked.isoformat()} 晚于评估日 {on.isoformat()}"
    through = health_check_valid_through(checked, rules)
    if on > through:
        return (
            f"{member.label}的健康检查（{checked.isoformat()}）有效期至 {through.isoformat()}，"
            "已过期"
        )
    return None


def is_full_time_health(member: StaffMember) -> bool:
    """专职: full-time employment and health is the person's only position."""
    return member.employment == "full_time" and member.positions == ("health",)


def _credential_problem(credential: Credential, on: date) -> str:
    if credential.status != "valid":
        return f"状态为{STATUS_NAMES[credential.status]}"
    if credential.issued_on > on:
        return f"发证日期 {credential.issued_on.isoformat()} 晚于评估日"
    assert credential.expires_on is not None
    return f"已于 {credential.expires_on.isoformat()} 到期"


def _group_label(group: tuple[str, ...], rules: RuleSet) -> str:
    names = [rules.credential_name(code) for code in group]
    return names[0] if len(names) == 1 else "、".join(names[:-1]) + "或" + names[-1]


def shortfalls(member: StaffMember, position: PositionRule, on: date, rules: RuleSet) -> list[str]:
    """What ``member`` lacks for ``position`` on ``on``; an empty list means qualified."""
    found: list[str] = []
    minimum = position.min_education
    if minimum is not None and rules.education_rank(member.education) < rules.education_rank(
        minimum
    ):
        found.append(
            f"学历为{rules.education_names[member.education]}，"
            f"需要{rules.education_names[minimum]}及以上"
        )
    if member.management_years < position.min_management_years:
        found.append(
            f"管理工作经历 {member.management_years} 年，"
            f"需要至少 {position.min_management_years} 年"
        )
    if member.withheld_reason and position.credential_groups:
        # the credentials are not the employer's to see: the reason, not a list of gaps
        found.append(member.withheld_reason)
        return found
    for group in position.credential_groups:
        held = [c for c in member.credentials if c.code in group]
        if any(c.counts_on(on) for c in held):
            continue
        label = _group_label(group, rules)
        if not held:
            found.append(f"缺少{label}")
        else:
            latest = max(held, key=lambda c: c.issued_on)
            found.append(
                f"缺少有效的{label}（现有{rules.credential_name(latest.code)}"
                f"{_credential_problem(latest, on)}）"
            )
    return found


def requirement_text(position: PositionRule, rules: RuleSet) -> str:
    """What the position demands, in words: '大专及以上学历、至少 3 年管理工作经历、…'."""
    parts: list[str] = []
    if position.min_education is not None:
        parts.append(f"{rules.education_names[position.min_education]}及以上学历")
    if position.min_management_years:
        parts.append(f"至少 {position.min_management_years} 年管理工作经历")
    parts.extend(f"有效的{_group_label(group, rules)}" for group in position.credential_groups)
    return "、".join(parts)
