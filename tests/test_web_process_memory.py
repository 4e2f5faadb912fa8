"""The web process does not load libraries it does not need on every request.

Each uvicorn worker is a whole copy of the app (about 90 MB of resident memory each, two workers
and the master in production): a library imported at module level by any module of the app is
paid for by every worker, even when only an upload, a password change or a PDF uses it. These
tests pin the libraries kept out of a fresh web process: Piccolo's app configuration (which
imports ``black``, ~30 MB) is read only by migrations and Piccolo's CLI, zxcvbn's dictionaries
(~13 MB) only when a password is judged, segno when a QR code is drawn, lxml and calamine when a
results workbook is read, httpx when an SMS is sent over HTTP, WeasyPrint and the PDF libraries
when a certificate is printed. Each is imported inside the function that uses it.

They run in a subprocess: the test process itself has imported everything already.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Imported by no module of the web app at start-up, nor by the requests below.
HEAVY = (
    "black",
    "piccolo.conf.apps",
    "piccolo.apps.migrations.commands.base",
    "zxcvbn",
    "segno",
    "lxml",
    "python_calamine",
    "openpyxl",
    "weasyprint",
    "fontTools",
    "pypdf",
    "pyld",
    "redis",
)
# httpx is a dependency of Litestar's TestClient (used for the requests below), so it is only
# checked before a request.
HEAVY_AT_START = (*HEAVY, "httpx")

_PROBE = """
import json, sys
import composition
composition.app
started = sorted(m for m in {start} if m in sys.modules)
from litestar.testing import TestClient
with TestClient(composition.create_app()) as client:
    health = client.get("/health").status_code
    lookup = client.get("/api/v1/public/certificates/S999912000001?name=%E7%8E%8B%E8%8A%B3")
served = sorted(m for m in {heavy} if m in sys.modules)
print(json.dumps({{"started": started, "served": served, "health": health,
                   "lookup": lookup.status_code}}))
"""


def _probe(tmp_path: Path) -> dict:
    env = dict(os.environ)
    url = env["DATABASE_URL"]
    if url.startswith("sqlite:///"):  # a copy: the template database stays as migrated
        copy = tmp_path / "probe.sqlite3"
        shutil.copyfile(url.removeprefix("sqlite:///"), copy)
        env["DATABASE_URL"] = f"sqlite:///{copy}"
    code = _PROBE.format(start=repr(HEAVY_AT_START), heavy=repr(HEAVY))
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.usefixtures("database")
def test_a_web_process_loads_no_heavy_library_at_start_or_on_public_lookups(
    tmp_path: Path,
) -> None:
    result = _probe(tmp_path)
    assert result["started"] == [], "imported by the web app at start-up"
    assert (result["health"], result["lookup"]) == (200, 404)  # the requests really ran
    assert result["served"] == [], "imported by /health or a public certificate lookup"


def test_piccolo_still_finds_the_app_config_and_the_registry() -> None:
    """APP_CONFIG and APP_REGISTRY are built on first access (module ``__getattr__``); Piccolo's
    finder (CLI, migrations) reads them as before."""
    from piccolo.conf.apps import AppConfig, AppRegistry, Finder

    import composition
    import piccolo_conf

    assert isinstance(composition.APP_CONFIG, AppConfig)
    assert composition.APP_CONFIG is composition.APP_CONFIG
    assert isinstance(piccolo_conf.APP_REGISTRY, AppRegistry)
    config = Finder().get_app_config("registry")
    assert config is composition.APP_CONFIG
    assert set(config.table_classes) == set(composition.WIRING.tables)
    with pytest.raises(AttributeError):
        _ = composition.NOT_THERE


def test_the_health_check_reads_the_migration_ids_as_piccolo_does() -> None:
    """core.schema_check reads each migration's ID from its source text (importing Piccolo's
    migration manager would load black into the web process): the same IDs as Piccolo's."""
    from piccolo.apps.migrations.commands.base import BaseMigrationManager

    from core.schema_check import known_migration_ids

    manager = BaseMigrationManager()
    modules = manager.get_migration_modules(str(ROOT / "migrations"))
    assert known_migration_ids() == tuple(manager.get_migration_ids(modules))
    assert len(known_migration_ids()) > 1
