"""Piccolo configuration: the engine is chosen from DATABASE_URL (SQLite by default)."""

from __future__ import annotations

from piccolo.conf.apps import AppRegistry

from core.db import engine_for_url
from core.settings import get_settings

DB = engine_for_url(get_settings().database_url)

APP_REGISTRY = AppRegistry(apps=["composition"])
