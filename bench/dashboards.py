"""Speed of the bureau dashboards and the district findings view on PostgreSQL.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/dashboards.py

Builds a database `labour_bench` (dropped first) with 50,000 practitioners, 500 facilities of
100 staff each, 24 months of wages for every staff member, training and certificates, then
times each page through the app (server time: the handler's wall time inside the process,
measured around the ASGI call; median of ROUNDS after one warm-up). Prints figures.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlparse, urlunparse

from core import clock

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PRACTITIONERS = int(os.environ.get("BENCH_PRACTITIONERS", 50_000))
FACILITIES = int(os.environ.get("BENCH_FACILITIES", 500))
MONTHS = 24
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 5))
DB_NAME = "labour_bench"
STREETS = ("芦台街道", "桥北街道", "宁河镇", "苗庄镇", "丰台镇", "岳龙镇", "板桥镇", "潘庄镇",
           "造甲城镇", "七里海镇", "大北涧沽镇", "东棘坨镇", "俵口镇", "北淮淀镇")
NOW = clock.now()


def _urls() -> tuple[str, str]:
    base = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    if not base.startswith(("postgresql://", "postgres://")):
        raise SystemExit("bench/dashboards.py needs DATABASE_URL=postgresql://…")
    parsed = urlparse(base)
    return base, urlunparse(parsed._replace(path="/" + DB_NAME))


def id_number(serial: int) -> str:
    from core.identity import id_check_char

    born = date(1960, 1, 1) + timedelta(days=serial // 1000)
    first17 = f"120221{born:%Y%m%d}{serial % 1000:03d}"
    return first17 + id_check_char(first17)


async def recreate(admin_url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                           "WHERE datname = $1", DB_NAME)
        await conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}"')
        await conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    finally:
        await conn.close()


async def copy(conn, table: str, columns: list[str], rows: list[tuple]) -> int:  # type: ignore[no-untyped-def]
    await conn.copy_records_to_table(table, records=rows, columns=columns)
    return len(rows)


SKILLS = (("CHILDCARE_WORKER", (5, 4, 3)), ("INFANT_CARER", (5, 4, 3)),
          ("INFANT_DEVELOPMENT_GUIDE", (4, 3)))


async def load_people_and_training(conn, rnd: random.Random, today: date) -> dict[str, int]:  # type: ignore[no-untyped-def]
    counts: dict[str, int] = {}
    people = [("居民身份证", id_number(i), f"从业{i}", "女" if i % 5 else "男",
               date(1970 + i % 30, 1 + i % 12, 1 + i % 28), f"138{i:08d}", "secondary", NOW, NOW)
              for i in range(1, PRACTITIONERS + 1)]
    counts["person"] = await copy(conn, "person", ["id_type", "id_number", "name", "sex",
                                  "birth_date", "phone", "education", "created_at",
                                  "updated_at"], people)
    creds = []
    for pid in range(1, PRACTITIONERS + 1):
        if pid % 10 < 7:  # 70 % hold a skill certificate
            code, levels = SKILLS[pid % 3]
            issued = today - timedelta(days=rnd.randrange(1, 730))
            creds.append((pid, code, levels[pid % len(levels)], f"S{pid:021d}", "宁河评价站",
                          issued, None, "valid", "issued", None, NOW))
        checked = today - timedelta(days=rnd.randrange(1, 420))
        creds.append((pid, "HEALTH_CERT", None, f"H{pid:012d}", "宁河区医院", checked, None,
                      "valid", "recorded", "pass", NOW))
        creds.append((pid, "MENTAL_HEALTH_TRAINING", None, f"M{pid:012d}", "宁河职业培训学校",
                      today - timedelta(days=rnd.randrange(1, 900)), None, "valid", "issued",
                      None, NOW))
    counts["credential"] = await copy(conn, "credential", [
        "person", "code", "level", "number", "issuer_name", "issued_on", "expires_on", "status",
        "source", "outcome", "created_at"], creds)
    providers = [(f"培训机构{i}", f"9112022100000{i:05d}", "approved", True, "S", f"{i:04d}",
                  f"{i:06d}", NOW, NOW) for i in range(1, 21)]
    counts["training_provider"] = await copy(conn, "training_provider", [
        "name", "uscc", "status", "is_assessment_body", "body_type", "body_code", "site_serial",
        "created_at", "updated_at"], providers)
    courses = []
    for c in range(1, 401):
        code, levels = SKILLS[c % 3]
        start = today - timedelta(days=rnd.randrange(10, 720))
        courses.append((1 + c % 20, "skill", f"{code} 第{c}期", code, levels[c % len(levels)], 60,
                        40, 200, start, start + timedelta(days=30), c % 2 == 0, "finished", NOW,
                        NOW))
    counts["training_course"] = await copy(conn, "training_course", [
        "provider", "kind", "title", "qualification_code", "level", "theory_hours_required",
        "practical_hours_required", "capacity", "starts_on", "ends_on", "subsidy_eligible",
        "state", "created_at", "updated_at"], courses)
    enrolments = []
    for pid in range(1, int(PRACTITIONERS * 1.2) + 1):
        applied = NOW - timedelta(days=rnd.randrange(1, 720))
        done = pid % 4 != 0
        enrolments.append((1 + pid % 400, 1 + pid % PRACTITIONERS,
                           "completed" if done else "accepted", applied,
                           applied + timedelta(days=35) if done else None))
    counts["training_enrolment"] = await copy(conn, "training_enrolment", [
        "course", "person", "state", "applied_at", "completed_at"], enrolments)
    sessions = []
    for s in range(1, 201):
        code, levels = SKILLS[s % 3]
        exam_on = today - timedelta(days=rnd.randrange(1, 720))
        # approved a few days after the exam, never before it
        approved_at = min(clock.china_midnight(exam_on + timedelta(days=5)), NOW)
        sessions.append((1 + s % 20, code, levels[s % len(levels)], exam_on, "approved",
                         approved_at, NOW, NOW))
    counts["training_exam_session"] = await copy(conn, "training_exam_session", [
        "provider", "qualification_code", "level", "exam_on", "state", "approved_at",
        "created_at", "updated_at"], sessions)
    registrations, results = [], []
    for r in range(1, int(PRACTITIONERS * 0.8) + 1):
        session = 1 + r % 200
        registrations.append((session, 1 + r % PRACTITIONERS, "conditions", "[]", False, True,
                              "{}", "confirmed", NOW))
        theory, practical = rnd.randrange(40, 100), rnd.randrange(40, 100)
        results.append((session, r, 1 + r % PRACTITIONERS, theory, practical,
                        theory >= 60 and practical >= 60, NOW))
    counts["training_exam_registration"] = await copy(conn, "training_exam_registration", [
        "session", "person", "route", "diplomas", "apprenticeship", "eligible", "eligibility",
        "status", "created_at"], registrations)
    counts["training_exam_result"] = await copy(conn, "training_exam_result", [
        "session", "registration", "person", "theory", "practical", "passed", "created_at"],
        results)
    return counts


async def load_employers_and_labour(conn, rnd: random.Random, today: date) -> dict[str, int]:  # type: ignore[no-untyped-def]
    from core.identity import uscc_check_char

    counts: dict[str, int] = {}
    facilities = []
    for f in range(1, FACILITIES + 1):
        first17 = f"91120221MA{f:07d}"
        state = "accepted" if f % 5 else ("submitted" if f % 10 else "returned")
        facilities.append((f"宁河区第{f}托育园", first17 + uscc_check_char(first17), "civil",
                           "宁河区某路", STREETS[f % len(STREETS)], 100, f % 4 == 0, state, NOW,
                           NOW))
    counts["employers_facility"] = await copy(conn, "employers_facility", [
        "name", "uscc", "registering_authority", "address", "street", "capacity",
        "is_kindergarten_with_toddler_class", "filing_status", "created_at", "updated_at"],
        facilities)
    counts["employers_class"] = await copy(conn, "employers_class", [
        "facility", "code", "type", "children", "active", "created_at", "updated_at"],
        [(f, f"C{c}", "toddler_large", 18, True, NOW, NOW)
         for f in range(1, FACILITIES + 1) if f % 4 == 0 for c in range(1, 3)])
    counts["employers_filing"] = await copy(conn, "employers_filing", [
        "facility", "state", "submitted_at", "filing_due_on", "created_at"],
        [(f, facilities[f - 1][7], NOW, today, NOW) for f in range(1, FACILITIES + 1)])
    counts["employers_compliance_state"] = await copy(conn, "employers_compliance_state", [
        "facility", "compliant", "since", "last_checked_at"],
        [(f, f % 7 != 0, NOW, NOW) for f in range(1, FACILITIES + 1)])
    per = PRACTITIONERS // FACILITIES
    links, records, contracts, insurance, wages, cases = [], [], [], [], [], []
    kinds = ("pension", "medical", "unemployment", "injury", "maternity")
    first_month = today.replace(day=1)
    months = []
    for back in range(MONTHS, 0, -1):
        index = first_month.year * 12 + first_month.month - 1 - back
        months.append(f"{index // 12:04d}-{index % 12 + 1:02d}")
    for pid in range(1, PRACTITIONERS + 1):
        facility = 1 + (pid - 1) // per if (pid - 1) // per < FACILITIES else FACILITIES
        part_time = pid % 20 == 0
        # 80 % employed for more than the 24 months of wages, the rest hired since
        start = today - timedelta(days=rnd.randrange(750, 2500) if pid % 5 else
                                  rnd.randrange(20, 720))
        positions = '["caregiver"]' if pid % per else '["director"]'
        links.append((facility, pid, positions, "part_time" if part_time else "full_time",
                      "part_time" if part_time else "full_time", start, "active", NOW, NOW))
        records.append((pid, "part_time" if part_time else "full_time", "宁河区某路",
                        "宁河区某路", "", NOW))
        if not part_time and pid % 25:
            signed = start + timedelta(days=rnd.choice((3, 10, 20, 45)))
            end = start + timedelta(days=365 * 3 - 1)
            while end < today - timedelta(days=30):
                end += timedelta(days=365 * 3)
            contracts.append((pid, "fixed", signed, start, end,
                              start + timedelta(days=rnd.choice((59, 60, 100))), NOW))
        if pid % 30:
            late = rnd.random() < 0.05
            for kind in (("injury",) if part_time else kinds):
                insurance.append((pid, kind, start + timedelta(days=40 if late else 10), NOW))
        for month in months:
            if month < f"{start.year:04d}-{start.month:02d}":
                continue
            countable = 240000 if rnd.random() < 0.01 else 300000 + rnd.randrange(0, 200000)
            hours = 8000 if part_time else None
            wages.append((pid, month, countable + 30000, countable, None, hours, NOW))
        if pid % 400 == 0:
            cases.append((pid, "wage_arrears", today - timedelta(days=30), "open", "", NOW))
    counts["employers_staff_link"] = await copy(conn, "employers_staff_link", [
        "facility", "person", "positions", "employment", "employment_form", "started_on",
        "status", "created_at", "updated_at"], links)
    counts["labour_record"] = await copy(conn, "labour_record", [
        "staff_link", "form", "registered_address", "current_address", "contact",
        "updated_at"], records)
    counts["labour_contract"] = await copy(conn, "labour_contract", [
        "staff_link", "type", "signed_on", "start", "end", "probation_end", "created_at"],
        contracts)
    counts["labour_insurance"] = await copy(conn, "labour_insurance", [
        "staff_link", "kind", "registered_on", "created_at"], insurance)
    counts["labour_wage"] = await copy(conn, "labour_wage", [
        "staff_link", "month", "gross_fen", "countable_fen", "pay_date", "hours_centi",
        "created_at"], wages)
    counts["labour_case"] = await copy(conn, "labour_case", [
        "staff_link", "kind", "filed_on", "status", "resolution", "created_at"], cases)
    return counts


async def populate(url: str) -> dict[str, int]:
    """Bulk-load the data with COPY (asyncpg); returns row counts."""
    import asyncpg

    from core.clock import today

    conn = await asyncpg.connect(url)
    rnd = random.Random(7)
    try:
        counts = await load_people_and_training(conn, rnd, today())
        counts.update(await load_employers_and_labour(conn, rnd, today()))
        await conn.execute("ANALYZE")
        return counts
    finally:
        await conn.close()


def time_pages(paths: list[str]) -> list[tuple[str, float, float, int]]:
    """(path, median ms, max ms, status) per page, through the app in this process."""
    from litestar.testing import TestClient

    from composition import create_app

    results = []
    app = create_app()
    with TestClient(app=app) as client:
        for path, username in paths:
            client.cookies.clear()
            _sign_in(client, username)
            client.get(path)  # warm-up
            times = []
            status = 0
            for _ in range(ROUNDS):
                started = time.perf_counter()
                response = client.get(path)
                times.append((time.perf_counter() - started) * 1000)
                status = response.status_code
            results.append((path, statistics.median(times), max(times), status))
    return results


def _sign_in(client, username: str) -> None:  # type: ignore[no-untyped-def]
    client.get("/login")
    client.post("/login", data={"username": username, "password": "Bench2026pass",
                                "_csrf_token": client.cookies["csrftoken"]},
                follow_redirects=False)


async def refresh_findings() -> tuple[int, float]:
    from core import db
    from core.accounts.services import NewUser, create_user
    from core.actor import Actor
    from core.clock import today
    from employers.labour.services.findings import refresh_all

    await db.on_startup()
    try:
        for username, role in (("bench_hrss", "hrss_officer"), ("bench_edu", "edu_officer"),
                               ("bench_health", "health_reviewer")):
            await create_user(NewUser(username, "Bench2026pass", role, username),
                              Actor.system("bench"))
        started = time.perf_counter()
        count = await refresh_all(today())
        return count, time.perf_counter() - started
    finally:
        await db.on_shutdown()


async def refresh_ahead(days: int) -> tuple[int, float]:
    """What the first district view of a later day recomputes (deadlines passing)."""
    from core import db
    from core.clock import today
    from employers.labour.services.findings import refresh_due

    await db.on_startup()
    try:
        started = time.perf_counter()
        count = await refresh_due(today() + timedelta(days=days))
        return count, time.perf_counter() - started
    finally:
        await db.on_shutdown()


async def _finding_count() -> int:
    from employers.labour.tables import LabourFinding

    return await LabourFinding.count()


def main() -> None:
    admin_url, url = _urls()
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-not-for-production")
    os.environ.setdefault("DEMO_DATA", "0")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("VAR_DIR", "/tmp/labour-bench-var")
    if os.environ.get("BENCH_REUSE") != "1":  # BENCH_REUSE=1: time the pages again only
        asyncio.run(recreate(admin_url))
        from core.manage import migrate

        asyncio.run(migrate())
        started = time.perf_counter()
        counts = asyncio.run(populate(url))
        print(f"loaded in {time.perf_counter() - started:.1f} s: "
              + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
        links, seconds = asyncio.run(refresh_findings())
        print(f"initial findings computation: {links:,} staff links in {seconds:.1f} s "
              f"({seconds * 1000 / max(links, 1):.2f} ms per link); "
              f"{asyncio.run(_finding_count()):,} findings stored")
    pages = [
        ("/dashboards/hrss", "bench_hrss"),
        ("/dashboards/edu", "bench_edu"),
        ("/dashboards/health", "bench_health"),
        ("/labour/findings", "bench_hrss"),
        ("/labour/findings?code=WAGE_BELOW_MINIMUM", "bench_hrss"),
        (f"/labour/findings?street={STREETS[0]}", "bench_hrss"),
        ("/statistics", "bench_hrss"),
    ]
    print(f"{'page':<50} {'median ms':>10} {'max ms':>8}  status  (rounds={ROUNDS})")
    for path, median, worst, status in time_pages(pages):
        print(f"{path:<50} {median:>10.1f} {worst:>8.1f}  {status}")
    for days in (1, 7) if os.environ.get("BENCH_REUSE") != "1" else ():
        links, seconds = asyncio.run(refresh_ahead(days))
        print(f"refresh before the first district view {days} day(s) later: {links:,} links "
              f"due, {seconds * 1000:.0f} ms")


if __name__ == "__main__":
    main()
