"""Piccolo tables of labour-rights records (per staff link) and their dated parameters."""

from __future__ import annotations

from piccolo.table import Table

# Every table of this module, in creation order; core.piccolo_app registers them.
TABLES: list[type[Table]] = []
