"""Serve the app in a real uvicorn process on a free local port (browser and worker tests)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def served_app(
    target: str = "composition:app",
    *,
    factory: bool = False,
    manage_serve: bool = False,
    clock_at: datetime | None = None,
    **env_overrides: str,
) -> Iterator[str]:
    """Start uvicorn on ``target`` with the test environment plus overrides; yield its URL.

    ``manage_serve``: start the app the production way instead, ``python -m core.manage serve``
    (uvicorn configured from the settings, e.g. TRUSTED_PROXIES).
    ``clock_at``: the served process's clock (core.clock) stands still at this aware instant
    (tests/clocked.py), e.g. so that rate-limit counters stay in one window."""
    port = free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        **env_overrides,
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        target,
        *(["--factory"] if factory else []),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    if manage_serve:
        env["HOST"] = "127.0.0.1"
        command = [sys.executable, "-m", "core.manage", "serve"]
    if clock_at is not None:
        command[1:2] = ["-m", "tests.clocked", clock_at.isoformat()]
    proc = subprocess.Popen(command, env=env, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                if httpx.get(base + "/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None:
                raise RuntimeError("应用进程启动失败")
            time.sleep(0.1)
        else:
            raise RuntimeError("应用启动超时")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)
