"""End-to-end results upload: a 10,000-row XLSX for an exam session with 10,000 registered
candidates, POSTed to /api/v1/exam-sessions/{id}/results (parse, checks, replace the results,
audit) on SQLite and on PostgreSQL; compared with only reading the same file with calamine.

    .venv/bin/python -m bench.upload [ROWS] [--pg postgresql://postgres@127.0.0.1:5432/postgres]

Each engine runs in its own process against a scratch database (SQLite file in a temp dir; the
PostgreSQL database ``training_bench``, dropped and re-created).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from urllib.parse import urlparse, urlunparse

REPEAT = 3


async def _recreate(admin_url: str, name: str) -> str:
    import asyncpg

    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return urlunparse(urlparse(admin_url)._replace(path="/" + name))


def one(rows: int) -> None:
    """Runs in a child process whose DATABASE_URL is already set."""
    from core.manage import migrate

    with contextlib.redirect_stdout(io.StringIO()):
        asyncio.run(migrate())
    from litestar.testing import TestClient

    from bench.parse_results import bare_calamine, build_xlsx
    from composition import create_app

    data, candidates = build_xlsx(rows)
    app = create_app()
    with TestClient(app=app) as client:
        session_id = client.blocking_portal.call(_arrange, candidates)
        token = client.post("/api/v1/auth/token", json={"username": "bench_staff",
                                                          "password": "Bench2026pass"}).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        timings = []
        for _ in range(REPEAT):
            started = time.perf_counter()
            response = client.post(f"/api/v1/exam-sessions/{session_id}/results",
                                   headers=headers,
                                   files={"file": ("bench.xlsx", data, "application/octet-stream")})
            timings.append(time.perf_counter() - started)
            assert response.status_code == 200, response.text[:500]
            assert response.json()["accepted"] == rows
    bare = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        bare_calamine(data)
        bare.append(time.perf_counter() - started)
    upload, read = statistics.median(timings), statistics.median(bare)
    engine = "PostgreSQL" if os.environ["DATABASE_URL"].startswith("postgres") else "SQLite"
    print(f"{engine:10s} rows {rows:,}  file {len(data) / 1024:.0f} KB  "
          f"upload end to end {upload:6.2f} s (median of {REPEAT}, each replaces all)  "
          f"bare calamine read {read * 1000:6.1f} ms  ratio {upload / read:5.1f}x")


async def _arrange(candidates: dict[str, str]) -> int:
    from core.accounts.services import NewUser, create_user
    from core.actor import Actor
    from core.clock import now, today
    from core.tables import Person
    from training.services.providers import ProviderInput, ScopeInput, create_provider, set_status
    from training.tables import ExamRegistration, ExamSession

    system = Actor.system("bench")
    officer_id = await create_user(NewUser("bench_hrss", "Bench2026pass", "hrss_officer", "x"),
                                   system)
    officer = Actor(officer_id, "bench_hrss", "hrss_officer")
    provider_id = await create_provider(ProviderInput(
        name="基准测试学校", uscc="91350100M000100Y43", is_assessment_body=True, body_type="S",
        body_code="0001", site_serial="000001",
        scopes=[ScopeInput("CHILDCARE_WORKER", 4, "examine")]), officer)
    await set_status(provider_id, "approved", "", officer)
    await create_user(NewUser("bench_staff", "Bench2026pass", "provider_staff", "x",
                              provider_id), system)
    at = now()
    session = ExamSession(provider=provider_id, qualification_code="CHILDCARE_WORKER", level=4,
                          exam_on=today(), place="考场", state="closed", created_at=at,
                          updated_at=at)
    await session.save()
    people = [Person(id_type="居民身份证", id_number=number, name=name, created_at=at,
                     updated_at=at) for number, name in candidates.items()]
    for start in range(0, len(people), 2000):
        await Person.insert(*people[start:start + 2000])
    ids = await Person.select(Person.id)
    regs = [ExamRegistration(session=session.id, person=row["id"], route="conditions",
                             eligible=True, status="confirmed", created_at=at) for row in ids]
    for start in range(0, len(regs), 2000):
        await ExamRegistration.insert(*regs[start:start + 2000])
    return session.id


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("rows", nargs="?", type=int, default=10_000)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        one(args.rows)
        return
    scratch = tempfile.mkdtemp(prefix="bench-upload-")
    base = {**os.environ, "VAR_DIR": scratch, "DEMO_DATA": "0", "LOG_LEVEL": "WARNING",
            "ARGON2_TIME_COST": "1", "ARGON2_MEMORY_KIB": "256",
            "SECRET_KEY": "bench-secret-key-not-for-production"}
    targets = [f"sqlite:///{scratch}/bench.sqlite3"]
    try:
        targets.append(asyncio.run(_recreate(args.pg, "training_bench")))
    except Exception as error:  # noqa: BLE001 — no server: report SQLite only
        print(f"PostgreSQL skipped: {error}")
    for url in targets:
        subprocess.run([sys.executable, "-m", "bench.upload", str(args.rows), "--one"],
                       env={**base, "DATABASE_URL": url}, check=True)


if __name__ == "__main__":
    main()
