"""Look ahead: on which day will each rule stop passing if nothing else changes?

The outcome only moves on days when something dated changes: a credential or health check
starts counting (issued in the future), stops counting (the day after its expiry or last valid
day), or a new rules version takes effect. ``forecast`` evaluates the snapshot on each such day
after ``as_of`` up to ``until`` and reports the first day each rule turns from pass to fail.
Pure: the dates are arguments.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from employers.compliance.engine import RULE_CODES, evaluate
from employers.compliance.qualifications import health_check_valid_through
from employers.compliance.rules import RuleSet, load_rule_book
from employers.compliance.snapshot import Snapshot

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Change:
    on: date
    code: str
    message: str
    subjects: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "on": self.on.isoformat(),
            "code": self.code,
            "message": self.message,
            "subjects": list(self.subjects),
        }


def change_days(snapshot: Snapshot, until: date, rules: RuleSet | None = None) -> list[date]:
    """Days in (as_of, until] on which some rule's outcome may change, ascending."""
    start = snapshot.as_of
    days: set[date] = set()
    if rules is None:
        book = load_rule_book()
        new_versions = book.effective_dates_between(start, until)
        days.update(new_versions)
        versions = [book.in_force(start), *(book.in_force(d) for d in new_versions)]
    else:
        versions = [rules]
    for member in snapshot.staff:
        for credential in member.credentials:
            days.add(credential.issued_on)
            if credential.expires_on is not None:
                days.add(credential.expires_on + ONE_DAY)
        if member.health_check_on is not None:
            days.add(member.health_check_on)
            # The validity period is a rules parameter: each version in play implies a lapse day.
            for version in versions:
                days.add(health_check_valid_through(member.health_check_on, version) + ONE_DAY)
    return sorted(d for d in days if start < d <= until)


def forecast(snapshot: Snapshot, until: date, rules: RuleSet | None = None) -> list[Change]:
    """First day after ``as_of`` (up to ``until``) on which each passing rule fails.

    A rule already failing on ``as_of`` is reported only if it passes on some later day and
    fails again. ``rules`` fixes the version; by default each day uses the version in force.
    """
    previous = {r.code: r.passed for r in evaluate(snapshot, rules).rules}
    changes: dict[str, Change] = {}
    for day in change_days(snapshot, until, rules):
        report = evaluate(replace(snapshot, as_of=day), rules)
        for result in report.rules:
            if previous[result.code] and not result.passed and result.code not in changes:
                changes[result.code] = Change(
                    day, result.code, f"{day.isoformat()} 起，{result.message}", result.subjects
                )
            previous[result.code] = result.passed
        if len(changes) == len(RULE_CODES):
            break
    return sorted(changes.values(), key=lambda c: (c.on, RULE_CODES.index(c.code)))
