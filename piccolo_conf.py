"""Piccolo configuration: the engine is chosen from DATABASE_URL (SQLite by default)."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from core.db import engine_for_url
from core.settings import get_settings

if TYPE_CHECKING:
    from piccolo.conf.apps import AppRegistry

DB = engine_for_url(get_settings().database_url)


@cache
def _app_registry() -> AppRegistry:
    # piccolo.conf.apps imports black (~30 MB): only Piccolo's CLI and the migrations read
    # APP_REGISTRY, the web process reads DB alone (core.db.engine).
    from piccolo.conf.apps import AppRegistry

    return AppRegistry(apps=["composition"])


def __getattr__(name: str) -> object:
    # APP_REGISTRY is built on first access (Piccolo's finder reads it with getattr).
    if name == "APP_REGISTRY":
        return _app_registry()
    raise AttributeError(name)
