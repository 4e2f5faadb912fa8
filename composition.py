"""The one place that knows everything: which domains make up the system, in what order.

Reading this file tells you everything that runs. Each package declares what it brings in its
``domain.py`` (core.domain.Domain); this module merges them (core.wiring.Wiring), installs the
result, and builds from it

- the Litestar app: ``create_app()`` (uvicorn: ``composition:app`` or ``--factory
  composition:create_app``);
- the Piccolo app with every table and the one migration history: ``APP_CONFIG`` (named in
  ``piccolo_conf.py``), built on first access so a web process never loads Piccolo's app
  configuration (``piccolo.conf.apps`` imports ``black``, about 30 MB per process);
- the worker and the commands: ``python -m core.manage …`` loads this module by name.

The order of DOMAINS is the order of navigation ties, routes and table creation, and the
dependency order: each domain may import those before it, never those after it (the import
contract in pyproject.toml checks it). See ARCHITECTURE.md.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from certification.domain import DOMAIN as CERTIFICATION
from core.kernel import KERNEL
from core.wiring import Wiring, install
from dashboards.domain import DOMAIN as DASHBOARDS
from employers.domain import DOMAIN as EMPLOYERS
from employers.labour.domain import DOMAIN as LABOUR
from training.domain import DOMAIN as TRAINING

if TYPE_CHECKING:
    from litestar import Litestar
    from piccolo.conf.apps import AppConfig

    from core.settings import Settings

DOMAINS = (KERNEL, TRAINING, CERTIFICATION, EMPLOYERS, LABOUR, DASHBOARDS)
WIRING = Wiring.of(DOMAINS)


@cache
def app_config() -> AppConfig:
    """The Piccolo app ``registry``: every table of WIRING and the one migration history
    (``migrations/``). Also read as ``composition.APP_CONFIG`` (Piccolo's CLI, the migrations,
    the tests); built once, on first use, because ``piccolo.conf.apps`` imports ``black`` and
    the web app never needs it."""
    from piccolo.conf.apps import AppConfig

    return AppConfig(
        app_name="registry",
        migrations_folder_path=str(Path(__file__).resolve().parent / "migrations"),
        table_classes=WIRING.tables,
        migration_dependencies=[],
        commands=[],
    )


def wire() -> Wiring:
    """Install this composition in the process (idempotent) and return it."""
    install(WIRING)
    return WIRING


def create_app(settings: Settings | None = None) -> Litestar:
    """The web app of every domain."""
    from core.app import build_app

    return build_app(wire(), settings)


def __getattr__(name: str) -> object:
    # ``uvicorn composition:app`` builds the app on first access, not on import (so importing
    # this module for APP_CONFIG or the worker does not build a web app). ``APP_CONFIG`` (what
    # Piccolo's AppRegistry reads of this module) is built on first access too: see app_config.
    if name == "app":
        return create_app()
    if name == "APP_CONFIG":
        return app_config()
    raise AttributeError(name)
