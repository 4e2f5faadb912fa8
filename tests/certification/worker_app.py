"""The app with the certificate worker started on start-up, for the served browser test (what
core/app.py does once ``certification.jobs.start_worker`` is wired into on_startup)."""

from __future__ import annotations

from typing import Any


def make_app() -> Any:
    from certification.jobs import start_worker, stop_worker
    from core.app import create_app

    app = create_app()
    if start_worker not in app.on_startup:
        app.on_startup.append(start_worker)
        app.on_shutdown.insert(0, stop_worker)
    return app
