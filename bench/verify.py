"""Public verification under load: requests/s, p99 and the ratio to a constant endpoint.

    .venv/bin/python -m bench.verify [--db sqlite|postgres|both] [--rows 100000]
        [--connections 64] [--seconds 10] [--rounds 5] [--warmup 2]
        [--generator auto|wrk|python]
        [--redis URL|none]
        [--pg-url postgresql://postgres@127.0.0.1:5432/postgres]

For each database: a fresh database is migrated and filled with ``--rows`` certificates inserted
directly (person, credential, certificate_record; no PDFs); the app is served by uvicorn (1 web
process on SQLite, 2 on PostgreSQL: ``--pg-workers``) with the verification rate limit raised by
VERIFY_RATE_LIMIT_PER_MINUTE. Several web processes are laid out as in deploy/: each its own
process with no master, here each on its own SO_REUSEPORT socket of the one port, so the kernel
spreads connections evenly among them as nginx's upstream would (uvicorn's ``--workers`` shares
one socket, and whichever worker wakes first may take most of a burst of new keep-alive
connections: one busy process beside an idle one). With several the rate-limit counters (and
sessions) go to Redis, as in production (``--redis none`` keeps per-process counters). Then a load
generator drives ``GET /api/v1/public/certificates/{number}?name=…`` with random certificates
and, in the same run, a constant endpoint registered on the same app under the same public prefix
(so it passes the same middleware): ``--rounds`` rounds of constant then verification load, each
``--seconds / --rounds`` long, so that a change of the shared machine's speed during the run
weighs on both (the ratio is of the totals; each round's is printed too; p50 and p99 are the
median of the rounds', the worst round's p99 is printed beside; each round opens its connections
anew, and their bursts weigh on a short round's p99: ``--rounds 1`` measures the p99 of steady
traffic). The generator is wrk (C, one
thread; ``bin/system-deps --bench`` installs it) when present, else two processes of asyncio
keep-alive clients in Python, which cost the server about a third of the CPU. The first
``--warmup`` seconds of verification
load are not measured (they also fill each worker's lookup cache: with random certificates the
hit rate grows with the share of ``--rows`` already seen by that worker; every load draws its
own sequence from the same certificates, never replaying an earlier one). After the load an
officer revokes a certificate (looked up first on new connections, so it is warm in every
worker's cache) through the API, then it is looked up on new connections (any worker) until 40
answers in a row say "revoked": printed are whether the first did, and when the last stale
answer came (the revocation's visibility time on every worker). Figures: requests/s, p50/p99
latency, ratio to the constant endpoint, and the memory of all server processes together (summed
RSS, which counts shared pages once per process, and summed PSS, which shares them out). The load
generator shares the machine's cores with the server and PostgreSQL.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

from core import clock

ROOT = Path(__file__).resolve().parent.parent
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
PREFIX = "S999912000001"
LEVEL_NAMES = ("五级/初级工", "四级/中级工", "三级/高级工", "二级/技师", "一级/高级技师")
OFFICER = ("benchofficer", "Bench2026pass")
CONSTANT_PATH = "/api/v1/public/bench-constant"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def holder_name(i: int) -> str:
    return SURNAMES[i % 20] + GIVEN[(i // 20) % len(GIVEN)] + GIVEN[(i // 500) % len(GIVEN)]


def number_of(i: int) -> str:
    level = 5 - i % 5
    return f"{PREFIX}26{level}{i // 5 + 1:06d}"


# --- the app under test: the real app plus a constant endpoint ------------------------------

def make_app():  # uvicorn --factory bench.verify:make_app
    from litestar import get

    from composition import create_app

    # under the public prefix, so it passes the same middleware as the verification endpoint
    @get(CONSTANT_PATH, include_in_schema=False)
    async def constant() -> dict:
        return {"status": "ok"}

    app = create_app()
    app.register(constant)
    return app


# --- filling the database ------------------------------------------------------------------

def _rows(count: int):
    now = clock.now()
    for i in range(count):
        pid = i + 1
        person = (pid, "居民身份证", f"9{i:017d}", holder_name(i), now, now)
        credential = (pid, pid, "CHILDCARE_WORKER", 5 - i % 5, number_of(i),
                      "宁河区职业技能评价中心",
                      "S9999", date(2026, 6, 1), None, "valid", "", None, "issued", "",
                      f"{i:08d}", "bench", now)
        record = (pid, pid, pid, "skill", f"bench:{i}", holder_name(i), "保育师", "4-10-01-03",
                  "", LEVEL_NAMES[i % 5], "{}", i, "", False, now)
        yield person, credential, record


PERSON_SQL = ("INSERT INTO person (id, id_type, id_number, name, created_at, updated_at) "
              "VALUES ({})")
CREDENTIAL_SQL = (
    "INSERT INTO credential (id, person, code, level, number, issuer_name, issuer_code, issued_on,"
    " expires_on, status, status_reason, status_changed_at, source, origin_type,"
    " verification_code, outcome, created_at) VALUES ({})")
RECORD_SQL = (
    "INSERT INTO certificate_record (id, credential, person, kind, origin_key, holder_name,"
    " qualification_name, occupation_code, direction, level_name, details, status_index, vc_json,"
    " needs_render, created_at) VALUES ({})")


def _fix_credential(row: tuple) -> tuple:
    # origin_type "bench" and no outcome: reorder into the column list above
    (cid, person, code, level, number, issuer, issuer_code, issued_on, expires_on, status,
     reason, changed, source, _, vcode, origin, created) = row
    return (cid, person, code, level, number, issuer, issuer_code, issued_on, expires_on, status,
            reason, changed, source, origin, vcode, None, created)


def fill_sqlite(path: Path, count: int) -> None:
    db = sqlite3.connect(path)
    people, credentials, records = [], [], []
    for person, credential, record in _rows(count):
        people.append(tuple(str(v) if isinstance(v, datetime) else v for v in person))
        credentials.append(tuple(
            v.isoformat() if isinstance(v, (date, datetime)) else v
            for v in _fix_credential(credential)))
        records.append(tuple(v.isoformat() if isinstance(v, datetime) else v for v in record))
    ph = lambda n: ", ".join("?" * n)  # noqa: E731
    db.executemany(PERSON_SQL.format(ph(6)), people)
    db.executemany(CREDENTIAL_SQL.format(ph(17)), credentials)
    db.executemany(RECORD_SQL.format(ph(15)), records)
    db.commit()
    db.close()


async def fill_postgres(url: str, count: int) -> None:
    import asyncpg

    conn = await asyncpg.connect(url)
    people, credentials, records = [], [], []
    for person, credential, record in _rows(count):
        people.append(person)
        credentials.append(_fix_credential(credential))
        records.append(record)
    await conn.copy_records_to_table(
        "person", records=people,
        columns=["id", "id_type", "id_number", "name", "created_at", "updated_at"])
    await conn.copy_records_to_table("credential", records=credentials, columns=[
        "id", "person", "code", "level", "number", "issuer_name", "issuer_code", "issued_on",
        "expires_on", "status", "status_reason", "status_changed_at", "source", "origin_type",
        "verification_code", "outcome", "created_at"])
    await conn.copy_records_to_table("certificate_record", records=records, columns=[
        "id", "credential", "person", "kind", "origin_key", "holder_name", "qualification_name",
        "occupation_code", "direction", "level_name", "details", "status_index", "vc_json",
        "needs_render", "created_at"])
    for table in ("person", "credential", "certificate_record"):
        await conn.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT max(id) FROM {table}))")
    await conn.execute("ANALYZE")
    await conn.close()


async def _recreate_pg(admin_url: str, name: str) -> str:
    import asyncpg

    conn = await asyncpg.connect(admin_url)
    await conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname=$1",
                       name)
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    parsed = urllib.parse.urlparse(admin_url)
    return urllib.parse.urlunparse(parsed._replace(path="/" + name))


def _env(database_url: str, var_dir: Path, redis_url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    if redis_url:
        env |= {"REDIS_URL": redis_url, "REDIS_NAMESPACE": f"bench-verify-{os.getpid()}"}
    return env | {
        "DATABASE_URL": database_url, "VAR_DIR": str(var_dir), "DEMO_DATA": "0",
        "LOG_LEVEL": "WARNING", "VERIFY_RATE_LIMIT_PER_MINUTE": str(10**9),
        "SECRET_KEY": "bench-secret", "ARGON2_TIME_COST": "1", "ARGON2_MEMORY_KIB": "256",
        "PYTHONPATH": str(ROOT),
    }


def _prepare(env: dict[str, str]) -> None:
    py = sys.executable
    subprocess.run([py, "-m", "core.manage", "migrate"], env=env, cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run([py, "-m", "core.manage", "create-user", "--username", OFFICER[0],
                    "--role", "hrss_officer"], env=env | {"NEW_USER_PASSWORD": OFFICER[1]},
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


@contextmanager
def served(factory: str, port: int, env: dict[str, str], *options: str) -> Iterator[int]:
    """uvicorn serving ``factory`` on ``port``, ready (``/health`` answered); yields its pid."""
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", factory, "--factory", "--port", str(port),
         "--log-level", "warning", "--no-access-log", *options], env=env, cwd=ROOT)
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        yield server.pid
    finally:
        server.terminate()
        server.wait(timeout=60)


def serve_reuseport(port: int, plain: bool = False) -> None:
    """One web process of the bench: uvicorn serving make_app on its own listening socket bound
    to ``port`` with SO_REUSEPORT, so that several such processes share the port and the kernel
    spreads new connections evenly among them (as nginx's upstream does among the web
    processes of deploy/, each its own process with no master)."""
    import uvicorn

    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("127.0.0.1", port))
    options = {"http": "h11", "loop": "asyncio"} if plain else {}
    config = uvicorn.Config("bench.verify:make_app", factory=True, log_level="warning",
                            access_log=False, **options)
    uvicorn.Server(config).run(sockets=[sock])


def _listening(port: int) -> int:
    """How many sockets listen on 127.0.0.1:``port`` (/proc/net/tcp, state 0A)."""
    wanted = f"0100007F:{port:04X}"
    lines = Path("/proc/net/tcp").read_text().splitlines()[1:]
    return sum(1 for line in lines if line.split()[1] == wanted and line.split()[3] == "0A")


@contextmanager
def served_processes(port: int, env: dict[str, str], count: int,
                     plain: bool = False) -> Iterator[list[int]]:
    """``count`` web processes (serve_reuseport) sharing ``port``, all listening (uvicorn listens
    once the app has started); yields their pids."""
    code = f"from bench.verify import serve_reuseport; serve_reuseport({port}, {plain})"
    servers = [subprocess.Popen([sys.executable, "-c", code], env=env, cwd=ROOT)
               for _ in range(count)]
    try:
        for _ in range(600):
            if _listening(port) >= count:
                break
            if any(server.poll() is not None for server in servers):
                raise SystemExit("a web process of the bench exited during start-up")
            time.sleep(0.1)
        else:
            raise SystemExit(f"the {count} web processes did not all listen within a minute")
        yield [server.pid for server in servers]
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=60)


# --- load generator ------------------------------------------------------------------------

async def _client(host: str, port: int, paths, deadline: float, latencies: list, errors: list):
    reader, writer = await asyncio.open_connection(host, port)
    while time.perf_counter() < deadline:
        path = paths()
        started = time.perf_counter()
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        await reader.readexactly(length)
        latencies.append(time.perf_counter() - started)
        if status != 200:
            errors.append(status)
    writer.close()


def _load_process(args: tuple) -> tuple[list[float], list[int]]:
    host, port, kind, rows, connections, seconds, seed = args
    rng = random.Random(seed)

    def paths() -> str:
        if kind == "constant":
            return CONSTANT_PATH
        i = rng.randrange(rows)
        return (f"/api/v1/public/certificates/{number_of(i)}?name="
                + urllib.parse.quote(holder_name(i)))

    latencies: list[float] = []
    errors: list[int] = []

    async def main() -> None:
        deadline = time.perf_counter() + seconds
        await asyncio.gather(*(_client(host, port, paths, deadline, latencies, errors)
                               for _ in range(connections)))

    asyncio.run(main())
    return latencies, errors


def run_load(port: int, kind: str, rows: int, connections: int, seconds: float) -> dict:
    procs = 2
    with multiprocessing.Pool(procs) as pool:
        started = time.perf_counter()
        results = pool.map(_load_process, [
            ("127.0.0.1", port, kind, rows, connections // procs, seconds,
             _SEEDS.randrange(1 << 30)) for _ in range(procs)])
        elapsed = time.perf_counter() - started
    latencies = sorted(x for r in results for x in r[0])
    errors = [x for r in results for x in r[1]]
    n = len(latencies)
    return {
        "requests": n, "rps": n / seconds, "errors": len(errors),
        "p50_ms": latencies[n // 2] * 1000 if n else None,
        "p99_ms": latencies[int(n * 0.99)] * 1000 if n else None, "wall_s": elapsed,
    }


# Each load (warm-up, every round) draws its own sequence of certificates: replaying one sequence
# would have the warm-up and earlier rounds fill the cache with exactly what later ones ask for.
_SEEDS = random.Random(11)

WRK_SCRIPT = """
local paths = {}
for line in io.lines("%s") do paths[#paths + 1] = line end
math.randomseed(%d)
request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end
"""
WRK_LATENCY = re.compile(r"^\s+(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s)\s*$", re.M)


def run_wrk(port: int, kind: str, rows: int, connections: int, seconds: float,
            workdir: Path) -> dict:
    """wrk, one thread, keep-alive connections; paths sampled like the Python generator's."""
    rng = random.Random(7)
    paths_file = workdir / f"paths-{kind}.txt"
    if kind == "constant":
        paths_file.write_text(CONSTANT_PATH + "\n")
    else:
        paths_file.write_text("".join(
            f"/api/v1/public/certificates/{number_of(i)}?name={urllib.parse.quote(holder_name(i))}\n"
            for i in (rng.randrange(rows) for _ in range(50_000))))
    script = workdir / f"wrk-{kind}.lua"
    script.write_text(WRK_SCRIPT % (paths_file, _SEEDS.randrange(1 << 30)))
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency", "-s",
         str(script), f"http://127.0.0.1:{port}"],
        capture_output=True, text=True, check=True).stdout
    unit = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    latency = {int(m[1]): float(m[2]) * unit[m[3]] for m in WRK_LATENCY.finditer(out)}
    done = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)\b", out)
    requests = int(done.group(1))
    wall = float(done.group(2)) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[done.group(3)]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(bad.group(1)) if bad else 0) + (sum(map(int, sock.groups())) if sock else 0)
    return {"requests": requests, "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1]),
            "errors": errors, "p50_ms": latency.get(50), "p99_ms": latency.get(99),
            "wall_s": wall}


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def server_memory_mb(*pids: int) -> tuple[float, float]:
    """(summed RSS, summed PSS) of the server processes and all their descendants, in MB."""
    rss = pss = 0
    for proc in (p for pid in pids for p in _descendants(pid)):
        try:
            for line in Path(f"/proc/{proc}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1])
        except OSError:
            pass
    return rss / 1024, pss / 1024


def redis_reachable(url: str) -> bool:
    parsed = urllib.parse.urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379),
                                      timeout=1):
            return True
    except OSError:
        return False


def _http(method: str, url: str, body: dict | None = None, token: str | None = None) -> dict:
    request = urllib.request.Request(url, method=method, data=json.dumps(body).encode()
                                     if body is not None else None)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def revocation_visibility(port: int, rows: int, lookups: int = 40,
                          deadline_s: float = 5.0) -> dict:
    """Revoke a certificate (warm in every worker's cache first) through the API, then look it
    up on new connections (each may land on any worker: SO_REUSEPORT) until ``lookups`` answers
    in a row say revoked. Returns whether the first lookup said revoked, the time of the last
    stale answer after the revocation returned (0 if none) and how many lookups were made."""
    base = f"http://127.0.0.1:{port}"
    token = _http("POST", f"{base}/api/v1/auth/token",
                  {"username": OFFICER[0], "password": OFFICER[1]})["access_token"]
    i = rows // 2
    number, name = number_of(i), urllib.parse.quote(holder_name(i))
    public = f"{base}/api/v1/public/certificates/{number}?name={name}"
    for _ in range(lookups):  # new connections: warm it in every worker
        assert _http("GET", public)["status"] == "valid"
    listing = _http("GET", f"{base}/api/v1/certification/certificates/?q={number}", token=token)
    credential_id = listing["items"][0]["id"]
    _http("POST", f"{base}/api/v1/certification/certificates/{credential_id}/revoke",
          {"public_reason": "压测：撤销即时生效"}, token=token)
    revoked_at = time.perf_counter()
    first = None
    last_stale = 0.0
    in_a_row = made = 0
    while in_a_row < lookups and time.perf_counter() - revoked_at < deadline_s:
        status = _http("GET", public)["status"]
        made += 1
        first = status if first is None else first
        if status == "revoked":
            in_a_row += 1
        else:
            in_a_row = 0
            last_stale = time.perf_counter() - revoked_at
    return {"first_lookup_revoked": first == "revoked", "all_revoked": in_a_row >= lookups,
            "last_stale_ms": round(last_stale * 1000, 1), "lookups": made}


def combined(rounds: list[dict]) -> dict:
    """One kind's figures over its rounds: requests and errors summed, requests/s over the
    rounds' total time, p50 and p99 the median of the rounds' (a round the shared machine
    stalled in does not decide it), and the worst round's p99 beside them."""
    requests = sum(r["requests"] for r in rounds)
    wall = sum(r["wall_s"] for r in rounds)
    p50s = sorted(r["p50_ms"] for r in rounds if r["p50_ms"] is not None)
    p99s = [r["p99_ms"] for r in rounds if r["p99_ms"] is not None]
    return {"requests": requests, "rps": requests / wall if wall else 0.0,
            "errors": sum(r["errors"] for r in rounds),
            "p50_ms": p50s[len(p50s) // 2] if p50s else None,
            "p99_ms": sorted(p99s)[len(p99s) // 2] if p99s else None,
            "worst_p99_ms": max(p99s) if p99s else None, "wall_s": wall, "rounds": len(rounds)}


def bench(db: str, args: argparse.Namespace) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix=f"bench-verify-{db}-"))
    if db == "sqlite":
        url = f"sqlite:///{tmp / 'bench.sqlite3'}"
        workers = 1
    else:
        url = asyncio.run(_recreate_pg(args.pg_url, "bench_verify"))
        workers = args.pg_workers
    redis_url = None
    if workers > 1 and args.redis != "none":
        if not redis_reachable(args.redis):
            raise SystemExit(f"Redis not reachable at {args.redis} (or run with --redis none)")
        redis_url = args.redis
    env = _env(url, tmp / "var", redis_url)
    started = time.perf_counter()
    _prepare(env)
    if db == "sqlite":
        fill_sqlite(tmp / "bench.sqlite3", args.rows)
    else:
        asyncio.run(fill_postgres(url, args.rows))
    fill_s = time.perf_counter() - started
    port = args.port
    with served_processes(port, env, workers, args.plain) as server_pids:
        if args.generator == "wrk":
            def load(kind: str, seconds: float) -> dict:
                return run_wrk(port, kind, args.rows, args.connections, seconds, tmp)
        else:
            def load(kind: str, seconds: float) -> dict:
                return run_load(port, kind, args.rows, args.connections, seconds)
        load("verify", args.warmup)  # warm-up (and the lookup caches)
        rounds = [(load("constant", args.seconds / args.rounds),
                   load("verify", args.seconds / args.rounds)) for _ in range(args.rounds)]
        constant = combined([c for c, _ in rounds])
        verify = combined([v for _, v in rounds])
        rss, pss = server_memory_mb(*server_pids)
        revoked = revocation_visibility(port, args.rows)
    return {"db": db, "rows": args.rows, "workers": workers, "fill_s": round(fill_s, 1),
            "counters": "redis" if redis_url else "per-process memory",
            "verify": verify, "constant": constant,
            "ratio": verify["rps"] / constant["rps"] if constant["rps"] else None,
            "round_ratios": [round(v["rps"] / c["rps"], 2) if c["rps"] else None
                             for c, v in rounds],
            "server_rss_mb": round(rss, 1), "server_pss_mb": round(pss, 1),
            "revocation": revoked}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.verify")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=5,
                        help="constant and verification alternate this many times, each for "
                             "--seconds / rounds (a drift of the machine's speed then weighs "
                             "on both alike)")
    parser.add_argument("--warmup", type=float, default=2,
                        help="seconds of verification load before measuring (fills the caches)")
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    parser.add_argument("--pg-workers", type=int, default=2)
    parser.add_argument("--generator", choices=["auto", "wrk", "python"], default="auto",
                        help="auto: wrk when installed (bin/system-deps --bench), else Python")
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS_URL",
                                                          "redis://127.0.0.1:6379/0"),
                        help="Redis for counters and sessions with several workers; 'none': "
                             "per-process counters")
    parser.add_argument("--plain", action="store_true",
                        help="force uvicorn's pure-Python h11 + asyncio (without httptools/uvloop)")
    parser.add_argument("--pg-url", default=os.environ.get(
        "BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    args = parser.parse_args()
    args.port = args.port or free_port()
    if args.generator == "auto":
        args.generator = "wrk" if shutil.which("wrk") else "python"
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    import importlib.util

    fast = all(importlib.util.find_spec(m) for m in ("httptools", "uvloop")) and not args.plain
    generator = ("wrk, 1 thread" if args.generator == "wrk"
                 else "Python asyncio clients, 2 processes")
    print(f"cores: {os.cpu_count()} (load generator: {generator}, on the same cores); "
          f"uvicorn {'httptools+uvloop' if fast else 'h11+asyncio'}")
    for db in dbs:
        result = bench(db, args)
        v, c = result["verify"], result["constant"]
        print(f"\n[{db}] {result['rows']} certificates (filled in {result['fill_s']} s), "
              f"{result['workers']} server worker(s), {args.connections} connections, "
              f"rate-limit counters: {result['counters']}")
        for kind, x in (("verify  ", v), ("constant", c)):
            print(f"  {kind} : {x['rps']:8.0f} req/s  p50 {x['p50_ms']:.1f} ms  "
                  f"p99 {x['p99_ms']:.1f} ms (worst round {x['worst_p99_ms']:.1f} ms)  "
                  f"errors {x['errors']}")
        r = result["revocation"]
        print(f"  ratio verify/constant: {result['ratio']:.2f} "
              f"(by round: {' '.join(f'{x:.2f}' for x in result['round_ratios'])})   "
              f"server memory (all processes): RSS {result['server_rss_mb']} MB, "
              f"PSS {result['server_pss_mb']} MB")
        print(f"  revocation: first lookup revoked {r['first_lookup_revoked']}, last stale "
              f"answer {r['last_stale_ms']} ms after it, every worker revoked "
              f"{r['all_revoked']} ({r['lookups']} lookups on new connections)")
        print("  " + json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
