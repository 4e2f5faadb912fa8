"""Soak: mixed traffic for minutes against the production shape, with memory watched.

    .venv/bin/python -m bench.soak [--minutes 5] [--users 8] [--think-ms 150]
        [--pg-url postgresql://postgres@127.0.0.1:5432/postgres] [--redis redis://127.0.0.1:6379/14]

A fresh PostgreSQL database (``bench_soak``) is migrated and filled with the demo data, then
two web processes and one job worker run as deploy/ runs them (tests/cluster.py: separate OS
processes, RUN_JOBS=0 on the web, sessions and rate limits in Redis, files in the database).
``--users`` virtual users, each a closed loop with a random think time around ``--think-ms``,
spread over both web processes, do a mix of:

- public verification (API by number and name, and the QR page by number and code): 45 %;
- pages of every role (trainee, provider, hrss, edu, health, operator, admin), signed in once
  per user and role, each page one of the links found on that role's home page: 45 %;
- uploads: the operator's bulk credential check of a small CSV list (multipart): 10 %;
- one approval: early in the warm-up (so the worker's rendering pool has started before memory
  is compared) an officer approves, through web-1, an exam session of the
  demo's assessment body submitted with ``--candidates`` passed candidates (100); the worker
  renders and signs their certificates, one of which is then downloaded through web-2.

Printed: requests and errors by kind (an error is any status that is not the expected one, or
a failed connection), p50/p99 per kind, how long the approval took to render, and each
process's memory (RSS of the process and its descendants, MB) at the end of the warm-up (the
first minute, or a fifth of the run when shorter) and at the end, with its growth. Targets:
0 errors, p99 of pages ≤ 150 ms, growth ≤ 10 % for every process. The load generator shares
the machine's cores with the servers and PostgreSQL; the load average is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.verify import ROOT, _recreate_pg
from tests.cluster import Cluster, running_cluster

PASSWORD = "Demo2026pass"
ROLES = ("trainee", "provider", "hrss", "edu", "health", "operator", "admin")
SKIPPED = re.compile(r"^/(logout|static/|schema|api/)|\.(pdf|json|csv|xlsx|png|jpe?g|zip)$"
                     r"|/(download|export|scan|file|files|photo|documents?)(/|$)")
HREF = re.compile(r'href="(/[^"#]*)"')


@dataclass
class Figures:
    """Latencies (s) and errors by kind of request."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def add(self, kind: str, started: float, ok: bool, what: str) -> None:
        self.latencies[kind].append(time.perf_counter() - started)
        if not ok:
            self.errors[kind].append(what)


def _env(database_url: str, var_dir: Path, redis_url: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": database_url, "VAR_DIR": str(var_dir),
            "REDIS_URL": redis_url, "REDIS_NAMESPACE": f"bench-soak-{os.getpid()}",
            "FILE_STORAGE": "database", "DEMO_DATA": "0", "LOG_LEVEL": "WARNING",
            "SECRET_KEY": "bench-soak-secret-0123456789abcdef",
            "VERIFY_RATE_LIMIT_PER_MINUTE": str(10**9),
            "PYTHONPATH": str(ROOT)}


def _prepare(env: dict[str, str], candidates: int) -> None:
    for command in (["migrate"], ["demo"]):
        subprocess.run([sys.executable, "-m", "core.manage", *command], env=env, cwd=ROOT,
                       check=True, stdout=subprocess.DEVNULL)
    script = ("import asyncio; from bench.soak import arrange; from core.manage import _with_db;"
              f" asyncio.run(_with_db(arrange, {candidates}))")
    subprocess.run([sys.executable, "-c", script], env=env, cwd=ROOT, check=True)


async def arrange(candidates: int) -> None:
    """A 四级 exam session of the demo's assessment body, held 30 days ago and submitted for
    approval, with ``candidates`` confirmed candidates who all passed."""
    from datetime import timedelta

    from bench.verify import holder_name
    from core import clock
    from core.actor import Actor
    from core.identity import id_check_char
    from core.people import PersonInput, find_or_create_person
    from training.tables import ExamRegistration, ExamResult, ExamSession, Provider

    actor = Actor.system("bench")
    now = clock.now()
    provider = await Provider.select(Provider.id).where(
        Provider.is_assessment_body.eq(True)).first()
    session = ExamSession(provider=provider["id"], qualification_code="CHILDCARE_WORKER",
                          level=4, exam_on=clock.today() - timedelta(days=30),
                          state="submitted", submitted_at=now, created_at=now, updated_at=now)
    await session.save()
    for n in range(candidates):
        first17 = f"12022119900101{n:03d}"  # area, birth date, sequence
        person = await find_or_create_person(
            PersonInput("居民身份证", first17 + id_check_char(first17), holder_name(n)), actor)
        registration = ExamRegistration(session=session.id, person=person.id, route="course",
                                        eligible=True, status="confirmed", created_at=now)
        await registration.save()
        await ExamResult(session=session.id, registration=registration.id, person=person.id,
                         theory=80 + n % 20, practical=75 + n % 25, passed=True,
                         created_at=now).save()


async def _certificates(database_url: str) -> list[tuple[str, str, str]]:
    """(number, holder name, verification code) of every issued certificate."""
    import asyncpg

    conn = await asyncpg.connect(database_url)
    rows = await conn.fetch(
        "SELECT c.number, r.holder_name, c.verification_code FROM credential c "
        "JOIN certificate_record r ON r.credential = c.id WHERE c.source = 'issued'")
    await conn.close()
    return [(r["number"], r["holder_name"], r["verification_code"]) for r in rows]


async def _people(database_url: str) -> list[tuple[str, str, str]]:
    import asyncpg

    conn = await asyncpg.connect(database_url)
    rows = await conn.fetch("SELECT id_type, id_number, name FROM person ORDER BY id LIMIT 12")
    await conn.close()
    return [(r["id_type"], r["id_number"], r["name"]) for r in rows]


async def _signed_in(base: str, role: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base, timeout=30)
    await client.get("/login")
    response = await client.post("/login", data={
        "username": role, "password": PASSWORD,
        "_csrf_token": client.cookies.get("csrftoken", "")})
    if response.status_code not in (302, 303):
        raise SystemExit(f"{role} 登录失败：{response.status_code}")
    return client


async def _pages_of(client: httpx.AsyncClient) -> list[str]:
    """The role's home page and the pages it links to (GET pages only, no downloads)."""
    home = await client.get("/")
    found = {"/"}
    for href in HREF.findall(home.text):
        path = urllib.parse.urlsplit(href).path
        if not SKIPPED.search(path):
            found.add(href.replace("&amp;", "&"))
    good = []
    for path in sorted(found):
        if (await client.get(path)).status_code == 200:
            good.append(path)
    return good


async def _token(base: str, username: str) -> str:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        response = await client.post("/api/v1/auth/token",
                                     json={"username": username, "password": PASSWORD})
        response.raise_for_status()
        return response.json()["access_token"]


async def _user(number: int, cluster: Cluster, certificates, people, deadline: float,
                think_s: float, figures: Figures) -> None:
    rng = random.Random(number)
    bases = cluster.urls
    public = [httpx.AsyncClient(base_url=b, timeout=30) for b in bases]
    signed: dict[tuple[int, str], httpx.AsyncClient] = {}
    pages: dict[str, list[str]] = {}
    token = {b: await _token(b, "operator") for b in bases}
    listing = "\n".join(f"{t},{n},{name}" for t, n, name in people)
    csv = ("证件类型,证件号码,姓名\n" + listing + "\n").encode()
    try:
        while time.perf_counter() < deadline:
            which = rng.randrange(len(bases))
            roll = rng.random()
            started = time.perf_counter()
            try:
                if roll < 0.45:
                    number_, name, code = rng.choice(certificates)
                    if rng.random() < 0.5:
                        r = await public[which].get(f"/api/v1/public/certificates/{number_}",
                                                    params={"name": name})
                    else:
                        r = await public[which].get(f"/verify/{number_}", params={"code": code})
                    figures.add("verification", started, r.status_code == 200,
                                f"{r.status_code} {r.url.path}")
                elif roll < 0.90:
                    role = rng.choice(ROLES)
                    key = (which, role)
                    if key not in signed:
                        signed[key] = await _signed_in(bases[which], role)
                        pages.setdefault(role, await _pages_of(signed[key]))
                        started = time.perf_counter()
                    path = rng.choice(pages[role])
                    r = await signed[key].get(path)
                    figures.add("pages", started, r.status_code == 200,
                                f"{r.status_code} {role} {path}")
                else:
                    r = await public[which].post(
                        "/api/v1/credential-checks/bulk",
                        headers={"Authorization": f"Bearer {token[bases[which]]}"},
                        data={"reason": "压测：入职前核查"},
                        files={"file": ("名单.csv", csv, "text/csv")})
                    figures.add("uploads", started, r.status_code == 200,
                                f"{r.status_code} {r.text[:120]}")
            except httpx.HTTPError as error:
                figures.add("connection", started, False, repr(error))
            await asyncio.sleep(rng.uniform(0.5, 1.5) * think_s)
    finally:
        for client in (*public, *signed.values()):
            await client.aclose()


async def _approval(cluster: Cluster, at: float, result: dict) -> None:
    """At ``at`` (perf_counter), approve the demo's submitted session through web-1, wait for
    the worker to render it, download one certificate through web-2."""
    await asyncio.sleep(max(0.0, at - time.perf_counter()))
    first, second = cluster.urls[0], cluster.urls[-1]
    headers = {"Authorization": f"Bearer {await _token(first, 'hrss')}"}
    async with httpx.AsyncClient(base_url=first, timeout=60, headers=headers) as client:
        sessions = (await client.get("/api/v1/certification/exam-sessions")).json()
        items = sessions.get("items", sessions) if isinstance(sessions, dict) else sessions
        if not items:
            result["error"] = "没有待审核的考核批次"
            return
        started = time.perf_counter()
        approved = await client.post(f"/api/v1/certification/exam-sessions/{items[0]['id']}"
                                     "/approve")
        if approved.status_code != 200:
            result["error"] = f"审核失败：{approved.status_code} {approved.text[:200]}"
            return
        body = approved.json()
        result["issued"] = len(body["issued"])
        while True:
            job = (await client.get(f"/api/v1/certification/jobs/{body['job_id']}")).json()
            if job["state"] not in ("queued", "running", "pending"):
                break
            await asyncio.sleep(0.2)
        result["render_s"] = round(time.perf_counter() - started, 1)
        result["job"] = {k: job[k] for k in ("state", "total", "done_count", "failed_count")}
    async with httpx.AsyncClient(base_url=second, timeout=60, headers=headers) as client:
        listing = (await client.get("/api/v1/certification/certificates/",
                                    params={"per_page": 1})).json()
        credential = listing["items"][0]["id"]
        pdf = await client.get(f"/api/v1/certificates/{credential}/pdf")
        result["download"] = (pdf.status_code, pdf.content[:5] == b"%PDF-", len(pdf.content))


def _memory_mb(cluster: Cluster) -> dict[str, float]:
    """RSS (MB) of each process with its descendants."""
    out = {}
    for name, pids in cluster.process_tree().items():
        total = 0
        for pid in pids:
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            except OSError:
                pass
        out[name] = total / 1024
    return out


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000 if ordered else 0.0


async def _soak(cluster: Cluster, database_url: str, args: argparse.Namespace) -> dict:
    certificates = await _certificates(database_url)
    people = await _people(database_url)
    seconds = args.minutes * 60
    warmup = min(60.0, seconds / 5)
    started = time.perf_counter()
    deadline = started + seconds
    figures = Figures()
    approval: dict = {}
    samples: list[tuple[float, dict[str, float]]] = []

    async def watch() -> None:
        while time.perf_counter() < deadline:
            samples.append((time.perf_counter() - started, _memory_mb(cluster)))
            cluster.check_alive()
            await asyncio.sleep(5)
        samples.append((time.perf_counter() - started, _memory_mb(cluster)))

    await asyncio.gather(
        watch(), _approval(cluster, started + warmup / 6, approval),
        *(_user(n, cluster, certificates, people, deadline, args.think_ms / 1000, figures)
          for n in range(args.users)))
    after_warmup = next(m for t, m in samples if t >= warmup)
    return {"figures": figures, "approval": approval, "warm": after_warmup,
            "end": samples[-1][1], "seconds": time.perf_counter() - started, "warmup": warmup,
            "peak": {name: max(m[name] for _, m in samples) for name in samples[-1][1]}}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.soak")
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--think-ms", type=float, default=150.0)
    parser.add_argument("--candidates", type=int, default=100, choices=range(1, 1000),
                        metavar="1…999",
                        help="certificates issued by the approval")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    args = parser.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="bench-soak-"))
    url = asyncio.run(_recreate_pg(args.pg_url, "bench_soak"))
    env = _env(url, tmp / "var", args.redis)
    _prepare(env, args.candidates)
    print(f"负载（开始）：{os.getloadavg()[0]:.2f}；{args.users} 个虚拟用户，"
          f"{args.minutes:g} 分钟，2 个 Web 进程 + 1 个后台进程（PostgreSQL + Redis）")
    with running_cluster(env, web=2, workers=1, log_dir=tmp / "logs") as cluster:
        result = asyncio.run(_soak(cluster, url, args))
    figures: Figures = result["figures"]
    print(f"用时 {result['seconds']:.0f} s（预热 {result['warmup']:.0f} s）；"
          f"负载（结束）：{os.getloadavg()[0]:.2f}")
    print(f"{'kind':<14}{'requests':>9}{'errors':>8}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}")
    total_errors = 0
    for kind in ("verification", "pages", "uploads", "connection"):
        values = figures.latencies.get(kind, [])
        if not values:
            continue
        errors = figures.errors.get(kind, [])
        total_errors += len(errors)
        print(f"{kind:<14}{len(values):>9}{len(errors):>8}{len(values) / result['seconds']:>8.1f}"
              f"{statistics.median(values) * 1000:>9.1f}{_pct(values, 0.99):>9.1f}")
    for kind, errors in figures.errors.items():
        for what in sorted(set(errors))[:5]:
            print(f"  error {kind}: {what}")
    approval = result["approval"]
    print(f"approval: {approval}")
    print(f"{'process':<10}{'warm MB':>9}{'end MB':>9}{'peak MB':>9}{'growth':>8}")
    worst = 0.0
    for name, end in result["end"].items():
        warm = result["warm"][name]
        growth = (end / warm - 1) * 100 if warm else 0.0
        worst = max(worst, growth)
        print(f"{name:<10}{warm:>9.1f}{end:>9.1f}{result['peak'][name]:>9.1f}{growth:>7.1f}%")
    print(f"summed RSS at the end: {sum(result['end'].values()):.0f} MB")
    pages_p99 = _pct(figures.latencies.get("pages", []), 0.99)
    verdict = (total_errors == 0 and pages_p99 <= 150 and worst <= 10
               and "error" not in approval)
    print(f"targets (0 errors, pages p99 ≤ 150 ms, growth ≤ 10 %): "
          f"{'met' if verdict else 'NOT met'}")


if __name__ == "__main__":
    main()
