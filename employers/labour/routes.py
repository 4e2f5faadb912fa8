"""What labour-rights records and the oversight views add to the app."""

from __future__ import annotations

from typing import Any

ROUTES: list[Any] = []


def setup() -> None:
    """Register navigation entries, dashboard cards and demo seeders."""
