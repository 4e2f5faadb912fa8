"""Employments, contracts and minimum wages for the labour-rules tests."""

from __future__ import annotations

from datetime import date, timedelta

from employers.labour.records import (
    Contract,
    Employment,
    InsuranceKind,
    MinimumWage,
)

D = date.fromisoformat
DAY = timedelta(days=1)
AGENCY_USCC = "91350100M000100Y43"
TJ_2025 = MinimumWage(D("2025-09-01"), 251000, 2660, "天津市", "test")
ALL_KINDS = [k.value for k in InsuranceKind]


def full_time(start: str = "2026-01-15", end: str | None = None, ref: str = "s1") -> Employment:
    return Employment("full_time", D(start), D(end) if end else None, ref=ref)


def part_time(start: str = "2026-03-01", end: str | None = None) -> Employment:
    return Employment("part_time", D(start), D(end) if end else None)


def fixed(
    start: str, end: str, probation_end: str | None = None, signed: str | None = None
) -> Contract:
    return Contract(
        "fixed", D(signed or start), D(start), D(end), D(probation_end) if probation_end else None
    )


def codes(findings) -> list[str]:
    return [f.code for f in findings]
