"""Public course catalogue with 2,000 courses: server time of the first page (HTML and API),
unfiltered and filtered, on SQLite and PostgreSQL.

    .venv/bin/python -m bench.catalogue [COURSES] [--pg postgresql://postgres@127.0.0.1:5432/postgres]

Server time is read from the app's access log line (``ms``), i.e. without the test client.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import logging
import os
import statistics
import subprocess
import sys
import tempfile
from datetime import timedelta

from bench.upload import _recreate
from core import clock

REPEAT = 30


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.ms: list[float] = []

    def emit(self, record: logging.LogRecord) -> None:
        ms = (getattr(record, "fields", None) or {}).get("ms")
        if ms is not None:
            self.ms.append(float(ms))


def one(count: int) -> None:
    from core.manage import migrate

    with contextlib.redirect_stdout(io.StringIO()):
        asyncio.run(migrate())
    from litestar.testing import TestClient

    from composition import create_app

    app = create_app()
    capture = _Capture()
    access = logging.getLogger("registry.access")
    access.addHandler(capture)
    access.setLevel(logging.INFO)
    engine = "PostgreSQL" if os.environ["DATABASE_URL"].startswith("postgres") else "SQLite"
    with TestClient(app=app) as client:
        client.blocking_portal.call(_arrange, count)
        for label, path in (
            ("page /courses", "/courses"),
            ("page filtered", "/courses?qualification_code=CHILDCARE_WORKER&level=4"
                              f"&date_from={clock.today() + timedelta(days=100)}"),
            ("page 50", "/courses?page=50"),
            ("API /api/v1/courses", "/api/v1/courses"),
        ):
            client.get(path)  # warm
            capture.ms.clear()
            for _ in range(REPEAT):
                assert client.get(path).status_code == 200
            server = statistics.median(capture.ms) if capture.ms else float("nan")
            print(f"{engine:10s} {count:,} courses  {label:22s} server {server:6.1f} ms "
                  f"(median of {REPEAT}; max {max(capture.ms or [0]):.1f})")


async def _arrange(count: int) -> None:
    from core.accounts.services import NewUser, create_user  # noqa: F401
    from core.actor import Actor
    from core.clock import now
    from training.services.providers import ProviderInput, ScopeInput, create_provider, set_status
    from training.tables import Course

    officer = Actor(None, "bench", "hrss_officer")
    ids = []
    for n in range(20):
        from core.identity import uscc_check_char

        first17 = f"91120221MA{n:07d}"
        pid = await create_provider(ProviderInput(
            name=f"培训学校{n}", uscc=first17 + uscc_check_char(first17),
            scopes=[ScopeInput("CHILDCARE_WORKER", lvl, "train") for lvl in (5, 4, 3)]), officer)
        await set_status(pid, "approved", "", officer)
        ids.append(pid)
    at = now()
    states = ("open", "open", "open", "running", "finished", "draft")
    rows = [Course(provider=ids[i % 20], kind="skill", title=f"保育师培训班第 {i} 期",
                   qualification_code="CHILDCARE_WORKER", level=3 + i % 3,
                   theory_hours_required=60, practical_hours_required=40, capacity=30,
                   starts_on=clock.today() + timedelta(days=i % 365),
                   ends_on=clock.today() + timedelta(days=i % 365 + 30), place="宁河区",
                   fee_fen=100000, state=states[i % len(states)], created_at=at, updated_at=at)
            for i in range(count)]
    for start in range(0, len(rows), 1000):
        await Course.insert(*rows[start:start + 1000])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("count", nargs="?", type=int, default=2000)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        one(args.count)
        return
    scratch = tempfile.mkdtemp(prefix="bench-catalogue-")
    base = {**os.environ, "VAR_DIR": scratch, "DEMO_DATA": "0", "LOG_LEVEL": "INFO",
            "SECRET_KEY": "bench-secret-key-not-for-production"}
    targets = [f"sqlite:///{scratch}/bench.sqlite3"]
    try:
        targets.append(asyncio.run(_recreate(args.pg, "training_bench")))
    except Exception as error:  # noqa: BLE001
        print(f"PostgreSQL skipped: {error}")
    for url in targets:
        subprocess.run([sys.executable, "-m", "bench.catalogue", str(args.count), "--one"],
                       env={**base, "DATABASE_URL": url}, check=True, stderr=subprocess.DEVNULL)


if __name__ == "__main__":
    main()
