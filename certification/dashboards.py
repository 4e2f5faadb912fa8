"""The 人社局 dashboard (training and certification figures): routes and set-up hook."""

from __future__ import annotations

from typing import Any

ROUTES: list[Any] = []


def setup() -> None:
    """Register navigation entries and dashboard cards."""
