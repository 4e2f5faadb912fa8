"""What the certification package adds to the app: its route handlers and its set-up hook."""

from __future__ import annotations

from typing import Any

ROUTES: list[Any] = []


def setup() -> None:
    """Register navigation entries, dashboard cards, credential listeners and demo seeders."""
