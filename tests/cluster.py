"""The production process shape on one machine, for tests and benchmarks: N web processes
(``python -m core.manage serve``, each on its own port) and M job workers
(``python -m core.manage worker``) started with one environment, as deploy/ runs them.

``running_cluster(env, web=2, workers=1)`` starts them, waits until every web process answers
``/health`` and every worker has logged ``worker started``, yields a :class:`Cluster` (URLs, PIDs,
log files) and stops them on the way out: SIGTERM, then SIGKILL to the process group of any that
has not exited within the grace period. Each process runs in its own session (process group), so
a worker's rendering pool goes with it. bench/ may import this module.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.servers import ROOT, free_port

WORKER_READY = '"worker started"'  # the worker's JSON log line once its backgrounds run


class ClusterError(RuntimeError):
    """A process of the cluster exited or did not become ready in time; the message carries the
    end of its log."""


@dataclass
class ClusterProcess:
    """One OS process of the cluster: ``role`` is ``web`` or ``worker``, ``name`` ``web-1`` …
    ``url`` is the web process's base URL (None for a worker), ``log`` its stdout+stderr file."""

    role: str
    name: str
    popen: subprocess.Popen
    log: Path
    url: str | None = None
    # Set by stop(): the exit status (negative: ended by that signal; a single uvicorn process
    # re-raises the SIGTERM it handled, so a web process stopped cleanly says -15, one with
    # ``--workers`` 0) and whether the grace period ran out (SIGKILL).
    returncode: int | None = None
    killed: bool = False

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def log_tail(self, lines: int = 30) -> str:
        """The last ``lines`` lines of the process's output (stdout and stderr)."""
        try:
            text = self.log.read_text(errors="replace")
        except FileNotFoundError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


@dataclass
class Cluster:
    """The running processes: ``web`` (in start order), ``workers``."""

    web: list[ClusterProcess] = field(default_factory=list)
    workers: list[ClusterProcess] = field(default_factory=list)

    @property
    def processes(self) -> list[ClusterProcess]:
        return [*self.web, *self.workers]

    @property
    def urls(self) -> list[str]:
        """The web processes' base URLs (``http://127.0.0.1:PORT``)."""
        return [p.url for p in self.web if p.url]

    def pids(self) -> dict[str, int]:
        """Each process's PID by name (``web-1``, ``worker-1`` …)."""
        return {p.name: p.pid for p in self.processes}

    def process_tree(self) -> dict[str, list[int]]:
        """By name, the process's PID followed by every live descendant's (a worker's rendering
        pool, uvicorn's child processes): what a memory measurement should add up."""
        children = _children_by_parent()
        tree: dict[str, list[int]] = {}
        for process in self.processes:
            pids, queue = [], [process.pid]
            while queue:
                pid = queue.pop(0)
                pids.append(pid)
                queue.extend(children.get(pid, []))
            tree[process.name] = pids
        return tree

    def check_alive(self) -> None:
        """Raise ClusterError naming the first process that has exited (with its log)."""
        for process in self.processes:
            if not process.alive():
                raise ClusterError(f"{process.name} 已退出（{process.popen.returncode}）：\n"
                                   f"{process.log_tail()}")


def _children_by_parent() -> dict[int, list[int]]:
    """Live processes by parent PID, read from /proc (Linux); empty elsewhere."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else ():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid …: comm may hold spaces and parentheses, so split after the last ')'
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    return children


def _start(role: str, index: int, env: Mapping[str, str], log_dir: Path,
           port: int | None = None, serve_args: Sequence[str] = ()) -> ClusterProcess:
    name = f"{role}-{index}"
    log = log_dir / f"{name}.log"
    command = [sys.executable, "-m", "core.manage",
               *(["serve", *serve_args] if role == "web" else ["worker"])]
    with log.open("wb") as out:
        popen = subprocess.Popen(command, env=dict(env), cwd=ROOT, stdout=out,
                                 stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                 start_new_session=True)
    url = f"http://127.0.0.1:{port}" if port else None
    return ClusterProcess(role=role, name=name, popen=popen, log=log, url=url)


def _ready(process: ClusterProcess) -> bool:
    if process.url is None:
        return WORKER_READY in process.log.read_text(errors="replace")
    try:
        return httpx.get(process.url + "/health", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def _wait_ready(cluster: Cluster, timeout_s: float) -> None:
    pending = list(cluster.processes)
    deadline = time.monotonic() + timeout_s
    while pending:
        cluster.check_alive()
        pending = [p for p in pending if not _ready(p)]
        if not pending:
            return
        if time.monotonic() > deadline:
            names = "、".join(p.name for p in pending)
            tails = "\n".join(f"--- {p.name}\n{p.log_tail()}" for p in pending)
            raise ClusterError(f"{timeout_s:.0f} 秒内未就绪：{names}\n{tails}")
        time.sleep(0.1)


def stop(cluster: Cluster, grace_s: float = 30.0) -> None:
    """Stop every process: SIGTERM to all (web first, then workers, which finish the items in
    hand), wait up to ``grace_s`` seconds in all, then SIGKILL the process group of any left.
    Records each exit status in ``returncode``."""
    for process in cluster.processes:
        if process.alive():
            with contextlib.suppress(ProcessLookupError):
                process.popen.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    for process in cluster.processes:
        try:
            process.popen.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.killed = True
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.popen.wait(timeout=10)
        process.returncode = process.popen.returncode
        # A pool child left behind by its parent's exit still belongs to the group.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)


@contextmanager
def running_cluster(env: Mapping[str, str], *, web: int = 2, workers: int = 1,
                    log_dir: Path, startup_timeout_s: float = 60.0,
                    per_process: Mapping[str, Mapping[str, str]] | None = None,
                    serve_args: Sequence[str] = (),
                    grace_s: float = 30.0) -> Iterator[Cluster]:
    """Start ``web`` web processes and ``workers`` job workers with ``env`` (the whole
    environment, e.g. ``{**os.environ, ...}``), yield the ready :class:`Cluster`, stop it after.

    Every process gets RUN_JOBS=0 unless ``env`` says otherwise, web processes HOST=127.0.0.1
    and a free PORT; PUBLIC_BASE_URL, when ``env`` lacks it, is the first web process's URL for
    all (one public address, as behind a load balancer). Workers log at INFO unless ``env`` sets
    a LOG_LEVEL of DEBUG: readiness is their ``worker started`` line. ``per_process`` adds
    variables for one process by name (``{"web-2": {"VAR_DIR": …}}``); ``serve_args`` are
    added to each web process's command (``["--workers", "4"]``: uvicorn's own worker
    processes, found by :meth:`Cluster.process_tree`). Output goes to
    ``log_dir/<name>.log``. Raises ClusterError when a process exits or is not ready within
    ``startup_timeout_s`` (the others are stopped first)."""
    log_dir.mkdir(parents=True, exist_ok=True)
    ports = [free_port() for _ in range(web)]
    shared = {"RUN_JOBS": "0", **env}
    shared.setdefault("PUBLIC_BASE_URL", f"http://127.0.0.1:{ports[0]}" if ports else "")
    extra = per_process or {}
    cluster = Cluster()
    try:
        for index in range(1, workers + 1):
            level = "DEBUG" if shared.get("LOG_LEVEL", "").upper() == "DEBUG" else "INFO"
            own = {**shared, "LOG_LEVEL": level, **extra.get(f"worker-{index}", {})}
            cluster.workers.append(_start("worker", index, own, log_dir))
        for index, port in enumerate(ports, start=1):
            own = {**shared, "HOST": "127.0.0.1", "PORT": str(port),
                   **extra.get(f"web-{index}", {})}
            cluster.web.append(_start("web", index, own, log_dir, port, serve_args))
        _wait_ready(cluster, startup_timeout_s)
        yield cluster
    finally:
        stop(cluster, grace_s)
