"""Piccolo tables of the certification package: the data and nothing else."""

from __future__ import annotations

from piccolo.table import Table

# Every table of this package, in creation order; core.piccolo_app registers them.
TABLES: list[type[Table]] = []
