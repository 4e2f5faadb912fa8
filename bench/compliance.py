"""Speed of the staffing compliance check built from the database.

    .venv/bin/python bench/compliance.py [--db sqlite|postgres]
    (postgres: DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres; builds `employers_bench`)

Builds a fresh database with one large facility (300 staff, 25 classes) and 499 ordinary ones
(12 staff, 3 classes each), every staff member with a consenting link, credentials, a health
check and a background check. Then times:
- one facility evaluated from the database: snapshot built by queries + engine (median of 20;
  target < 100 ms);
- the district re-check: all 500 facilities evaluated and their compliance state stored in one
  transaction (median of 3; target < 10 s).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlparse, urlunparse

from core import clock

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DB_NAME = "employers_bench"
FACILITIES = int(os.environ.get("BENCH_FACILITIES", 500))
BIG_STAFF, BIG_CLASSES = 300, 25
SMALL_STAFF, SMALL_CLASSES = 12, 3
NOW = clock.now()
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"


def _configure(kind: str) -> str:
    if kind == "postgres":
        base = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
        if not base.startswith(("postgresql://", "postgres://")):
            base = "postgresql://postgres@127.0.0.1:5432/postgres"
        import asyncpg

        async def recreate() -> None:
            conn = await asyncpg.connect(base)
            await conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                               "WHERE datname = $1", DB_NAME)
            await conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}"')
            await conn.execute(f'CREATE DATABASE "{DB_NAME}"')
            await conn.close()

        asyncio.run(recreate())
        url = urlunparse(urlparse(base)._replace(path="/" + DB_NAME))
    else:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='employers-bench-')}/bench.sqlite3"
    os.environ.update(DATABASE_URL=url, VAR_DIR=tempfile.mkdtemp(prefix="employers-bench-var-"),
                      LOG_LEVEL="WARNING", DEMO_DATA="0")
    return url


def _id_number(serial: int) -> str:
    from core.identity import id_check_char

    month, day = 1 + serial // 28000 % 12, 1 + serial // 1000 % 28
    first17 = f"1202211980{month:02d}{day:02d}{serial % 1000:03d}"
    return first17 + id_check_char(first17)


def _uscc(serial: int) -> str:
    from core.identity import uscc_check_char

    first17 = f"91120221MA{serial:07d}"
    return first17 + uscc_check_char(first17)


async def _insert(table, rows: list, batch: int = 500) -> None:
    for i in range(0, len(rows), batch):
        await table.insert(*rows[i:i + batch])


async def build() -> int:
    from core.tables import Credential, Person
    from employers.tables import ClassAssignment, Facility, FacilityClass, StaffLink

    facilities, persons = [], []
    for f in range(FACILITIES):
        facilities.append(Facility(name=f"压测托育机构{f:03d}", uscc=_uscc(f), for_profit=True,
                                   registering_authority="market_regulation", address="宁河区",
                                   street="芦台街道", service_types=["full_day"], capacity=100,
                                   created_at=NOW, updated_at=NOW))
    await _insert(Facility, facilities)
    fids = [r["id"] for r in await Facility.select(Facility.id).order_by(Facility.id)]
    plan = []  # (facility_id, staff count, class count)
    for n, fid in enumerate(fids):
        plan.append((fid, BIG_STAFF, BIG_CLASSES) if n == 0 else (fid, SMALL_STAFF, SMALL_CLASSES))
    total = sum(p[1] for p in plan)
    for i in range(total):
        persons.append(Person(id_type="居民身份证", id_number=_id_number(i),
                              name=SURNAMES[i % 20] + SURNAMES[i // 20 % 20] + "华",
                              education="associate", created_at=NOW, updated_at=NOW))
    await _insert(Person, persons)
    pids = [r["id"] for r in await Person.select(Person.id).order_by(Person.id)]
    links, classes, credentials = [], [], []
    serial, p = 0, 0
    for fid, staff_count, class_count in plan:
        for c in range(class_count):
            classes.append(FacilityClass(facility=fid, code=f"C{c:02d}", type="toddler_small",
                                         children=10, created_at=NOW, updated_at=NOW))
        for s in range(staff_count):
            # Two full-time health staff: the large facility has 250 children (2 per 150).
            position = ["director"] if s == 0 else ["health"] if s in (1, 3) else \
                ["security"] if s == 2 else ["caregiver"]
            links.append(StaffLink(facility=fid, person=pids[p], positions=position,
                                   employment="full_time", employment_form="full_time",
                                   started_on=date(2025, 1, 1), management_years=5,
                                   consent="form_uploaded", consent_at=NOW, status="active",
                                   created_at=NOW, updated_at=NOW))
            codes = {"director": ["DIRECTOR_TRAINING"], "health": ["HEALTH_CARE_TRAINING"],
                     "security": ["SECURITY_LICENSE"],
                     "caregiver": ["CAREGIVER_TRAINING", "MENTAL_HEALTH_TRAINING"]}[position[0]]
            for code in codes:
                serial += 1
                credentials.append(Credential(person=pids[p], code=code, number=f"B{serial:09d}",
                                              issued_on=date(2025, 6, 1), status="valid",
                                              created_at=NOW))
            for code, outcome in (("HEALTH_CERT", "pass"), ("BACKGROUND_CHECK", "clear")):
                serial += 1
                credentials.append(Credential(person=pids[p], code=code, number=f"B{serial:09d}",
                                              issued_on=date(2026, 3, 1), status="valid",
                                              outcome=outcome, source="recorded",
                                              created_at=NOW))
            p += 1
    await _insert(FacilityClass, classes)
    await _insert(StaffLink, links)
    await _insert(Credential, credentials)
    class_rows = await FacilityClass.select(FacilityClass.id, FacilityClass.facility).order_by(
        FacilityClass.id)
    link_rows = await StaffLink.select(StaffLink.id, StaffLink.facility,
                                       StaffLink.positions).order_by(StaffLink.id).output(
        load_json=True)
    by_facility: dict[int, list[int]] = {}
    for row in class_rows:
        by_facility.setdefault(row["facility"], []).append(row["id"])
    assignments, turn = [], {}
    for row in link_rows:
        if row["positions"] == ["caregiver"]:
            group = by_facility[row["facility"]]
            k = turn.get(row["facility"], 0)
            turn[row["facility"]] = k + 1
            assignments.append(ClassAssignment(facility_class=group[k % len(group)],
                                               staff_link=row["id"], created_at=NOW))
    await _insert(ClassAssignment, assignments)
    return fids[0]


async def main(kind: str) -> None:
    import contextlib
    import io

    from core import db
    from core.manage import migrate
    from employers.compliance.engine import evaluate_dict
    from employers.services.rechecks import recheck_all
    from employers.services.snapshots import build_snapshot

    with contextlib.redirect_stdout(io.StringIO()):
        await migrate()
    await db.on_startup()
    started = time.perf_counter()
    big = await build()
    print(f"[{kind}] data: {FACILITIES} facilities, built in {time.perf_counter() - started:.1f} s")
    one = []
    for _ in range(21):
        t = time.perf_counter()
        report = evaluate_dict(await build_snapshot(big))
        one.append((time.perf_counter() - t) * 1000)
    snap = await build_snapshot(big)
    print(f"[{kind}] one facility ({len(snap['staff'])} staff, {len(snap['classes'])} classes, "
          f"compliant={report['compliant']}): median {statistics.median(one[1:]):.1f} ms, "
          f"max {max(one[1:]):.1f} ms (target < 100 ms)")
    district = []
    for _ in range(3):
        t = time.perf_counter()
        async with db.transaction():
            count = await recheck_all()
        district.append(time.perf_counter() - t)
    print(f"[{kind}] district re-check of {count} facilities: median "
          f"{statistics.median(district):.2f} s (target < 10 s)")
    await db.on_shutdown()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    args = parser.parse_args()
    _configure(args.db)
    asyncio.run(main(args.db))
