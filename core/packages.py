"""The domain packages mounted on the app, in order (their demo data seeds in this order too)."""

from __future__ import annotations

from typing import Any

from certification import dashboards as hrss_dashboards
from certification import routes as certification_routes
from employers import routes as employers_routes
from employers.labour import routes as labour_routes
from training import routes as training_routes

PACKAGES = (training_routes, certification_routes, employers_routes, labour_routes, hrss_dashboards)
_done = False


def setup_all() -> None:
    """Run each package's set-up hook once per process."""
    global _done
    if _done:
        return
    _done = True
    for package in PACKAGES:
        package.setup()


def all_routes() -> list[Any]:
    return [handler for package in PACKAGES for handler in package.ROUTES]
