"""What every dashboard shares: month buckets in SQL for both engines, panels (a chart with
its table), and one XLSX with a sheet per panel."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from core.db import is_sqlite
from core.reporting.exports import Sheet


def china_month_sql(column: str) -> str:
    """SQL giving the China 'YYYY-MM' (Asia/Shanghai, UTC+8 all year) of a timestamptz column,
    on SQLite and PostgreSQL: an instant at 07:30 on 1 December in China (23:30 UTC on 30
    November) falls in December. NULL stays NULL."""
    if is_sqlite():
        return f"substr(datetime({column}, '+8 hours'), 1, 7)"
    return f"to_char({column} AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM')"


def last_months(today: date, count: int) -> list[str]:
    """The `count` months ending with today's, oldest first, as 'YYYY-MM'."""
    index = today.year * 12 + today.month - 1
    return [f"{(i // 12):04d}-{(i % 12) + 1:02d}" for i in range(index - count + 1, index + 1)]


def share(part: int, whole: int) -> float | None:
    """A percentage with one decimal, or None when there is nothing to divide."""
    return None if whole == 0 else round(part * 100 / whole, 1)


@dataclass
class Panel:
    """One chart and the table of the same numbers."""

    key: str
    title: str
    svg: str
    headers: Sequence[str]
    rows: list[list[Any]] = field(default_factory=list)
    note: str = ""

    def sheet(self) -> Sheet:
        return Sheet(self.title, self.headers, self.rows)


