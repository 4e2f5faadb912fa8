"""Deployment tests: the production process shape (several web processes, job workers,
PostgreSQL, Redis) started as separate OS processes (tests/cluster.py). The ``postgres_only``
ones are skipped on SQLite, which serves one process only."""

from __future__ import annotations

import pytest

from tests.conftest import IS_PG


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if IS_PG:
        return
    skip = pytest.mark.skip(reason="PostgreSQL only (set DATABASE_URL=postgresql://…)")
    for item in items:
        if "postgres_only" in item.keywords and "tests/deploy" in str(item.fspath):
            item.add_marker(skip)
