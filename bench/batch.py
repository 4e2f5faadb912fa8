"""A batch of certificates rendered and signed by the worker pool while the site answers.

    .venv/bin/python -m bench.batch [-n 1000] [--db sqlite|postgres] [--workers 2]

Issues ``-n`` skill certificates in one transaction (the time the write lock is held is printed),
then serves the app with the certificate worker started on start-up (as core/app.py wires
``certification.jobs.start_worker``) and, while the job runs, probes the public verification API
every 50 ms. Prints the time until the job is done (target: 1,000 within 90 s on two cores,
``taskset -c 0,1 .venv/bin/python -m bench.batch``), per certificate, the CPU time per
certificate of the web process and of the pool processes (steadier than wall time on a shared
machine), and the probe latencies (p50 / p99 / max) during the batch. The server, its pool and
the probe share the machine's cores; the load average is printed before and after, since other
work on the machine skews it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import date
from pathlib import Path

from bench.verify import (
    OFFICER,
    ROOT,
    _env,
    _http,
    _prepare,
    _recreate_pg,
    free_port,
    served,
)

NAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"


def make_app():  # uvicorn --factory bench.batch:make_app
    from certification.jobs import start_worker, stop_worker
    from composition import create_app

    app = create_app()
    app.on_startup.append(start_worker)
    app.on_shutdown.insert(0, stop_worker)
    return app


async def _issue(count: int) -> None:
    import composition
    from certification.services.issuance import NewCertificate, issue
    from core import db

    composition.wire()
    from core.actor import Actor
    from core.identity import id_check_char
    from core.people import PersonInput, find_or_create_person

    await db.on_startup()
    actor = Actor.system("bench")
    people = []
    async with db.transaction():
        for i in range(count):
            first17 = f"1202211990{i:07d}"
            first17 = first17[:10] + "0101" + first17[14:]
            person = await find_or_create_person(PersonInput(
                "居民身份证", first17 + id_check_char(first17),
                NAMES[i % 20] + NAMES[(i // 20) % 20] + "华"), actor)
            people.append(person)
    started = time.perf_counter()
    ids = await issue([NewCertificate(
        person_id=p.id, kind="skill", qualification_code="CHILDCARE_WORKER",
        number_prefix="S000112000001264", issuer_name="宁河区职业技能评价中心",
        issued_on=date(2026, 6, 1), origin_key=f"bench:{n}", level=4,
    ) for n, p in enumerate(people)], actor, job_title="压测批量发证")
    elapsed = time.perf_counter() - started
    await db.on_shutdown()
    print(json.dumps({"issued": len(ids), "transaction_ms": round(elapsed * 1000, 1),
                      "sample": [people[0].name]}, ensure_ascii=False))


def _get(url: str, token: str | None = None) -> tuple[int, dict, float]:
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            body = json.loads(response.read())
            return response.status, body, time.perf_counter() - started
    except urllib.error.HTTPError as error:
        return error.code, {}, time.perf_counter() - started


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of a live process (Linux /proc), 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _family_cpu_s(pid: int) -> tuple[float, float]:
    """CPU seconds of the server process and of its children (the render pool) so far."""
    children = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if parent == pid:
            children += _cpu_s(int(stat.parent.name))
    return _cpu_s(pid), children


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.batch")
    parser.add_argument("-n", type=int, default=1000)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    parser.add_argument("--pg-url", default=os.environ.get(
        "BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("issue", nargs="?", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.port = args.port or free_port()
    if args.issue == "issue":
        asyncio.run(_issue(args.n))
        return
    tmp = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    url = (f"sqlite:///{tmp / 'bench.sqlite3'}" if args.db == "sqlite"
           else asyncio.run(_recreate_pg(args.pg_url, "bench_batch")))
    env = _env(url, tmp / "var") | {"VERIFY_RATE_LIMIT_PER_MINUTE": str(10**9)}
    _prepare(env)
    issued = subprocess.run([sys.executable, "-m", "bench.batch", "issue", "-n", str(args.n)],
                            env=env, cwd=ROOT, check=False, capture_output=True, text=True)
    if issued.returncode != 0:
        sys.exit(f"issuing failed:\n{issued.stderr[-3000:]}")
    info = json.loads(issued.stdout.strip().splitlines()[-1])
    print(f"load average: {os.getloadavg()[0]:.2f}")
    print(f"cores: {os.cpu_count()}; {args.db}; issued {info['issued']} certificates in one "
          f"transaction of {info['transaction_ms']} ms (numbers, codes, rows, job items)")
    started = time.perf_counter()
    base = f"http://127.0.0.1:{args.port}"
    latencies, errors = [], 0
    with served("bench.batch:make_app", args.port, env) as server_pid:
        ready = time.perf_counter() - started
        server_cpu0, pool_cpu0 = _family_cpu_s(server_pid)
        probe_cpu0 = time.process_time()
        token = _http("POST", f"{base}/api/v1/auth/token",
                      {"username": OFFICER[0], "password": OFFICER[1]})["access_token"]
        number = "S000112000001264000001"
        name = urllib.parse.quote(info["sample"][0])
        last_report = 0.0
        while True:
            status, body, seconds = _get(f"{base}/api/v1/public/certificates/{number}?name={name}")
            latencies.append(seconds)
            errors += status != 200
            _, job, _ = _get(f"{base}/api/v1/certification/jobs/1", token)
            now = time.perf_counter() - started
            if now - last_report > 15:
                print(f"  {now:5.0f} s: {job.get('done_count')}/{job.get('total')}", flush=True)
                last_report = now
            if job.get("state") in ("done", "failed"):
                break
            if now > 900:
                print("  gave up after 15 minutes")
                break
            time.sleep(0.05)
        total = time.perf_counter() - started
        server_cpu, pool_cpu = _family_cpu_s(server_pid)
        probe_cpu = time.process_time() - probe_cpu0
    latencies.sort()
    n = len(latencies)
    print(f"job {job.get('state')}: {job.get('done_count')} rendered+signed, "
          f"{job.get('failed_count')} failed, in {total:.1f} s from server start "
          f"({total / max(job.get('done_count') or 1, 1) * 1000:.0f} ms per certificate, "
          f"2 pool processes)")
    done = max(job.get("done_count") or 1, 1)
    print(f"server ready after {ready:.1f} s; CPU per certificate from then on (less swayed by "
          f"other work on the machine than the wall time): web process (claims, reads, stores, "
          f"the probes' requests) {(server_cpu - server_cpu0) / done * 1000:.1f} ms, pool "
          f"processes (render + sign) {(pool_cpu - pool_cpu0) / done * 1000:.1f} ms, this probe "
          f"{probe_cpu / done * 1000:.1f} ms")
    print(f"site during the batch: {n} verification probes, p50 {latencies[n // 2] * 1000:.1f} ms,"
          f" p99 {latencies[int(n * 0.99)] * 1000:.1f} ms, max {latencies[-1] * 1000:.1f} ms, "
          f"errors {errors}")
    print(f"load average: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
