"""A process pool whose processes die with the server.

A pool forked from a uvicorn process inherits its listening socket and its signal handlers: after
a ``kill -9`` of the server the children lived on, kept the port and ignored SIGTERM, and a
restart failed with "address already in use". Here the processes are *spawned* (a fresh
interpreter that inherits no sockets and default signal handlers), ask Linux to kill them when
their parent dies (``PR_SET_PDEATHSIG``), and also watch their parent in a thread in case the
signal is not delivered (e.g. the spawning thread, not the process, ended).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import multiprocessing
import os
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor

PR_SET_PDEATHSIG = 1
WATCH_EVERY_S = 0.5


def _watch_parent(parent_pid: int) -> None:
    while True:
        if os.getppid() != parent_pid:
            os._exit(1)
        time.sleep(WATCH_EVERY_S)


def _init_child(parent_pid: int, niceness: int = 0) -> None:
    """Runs first in every pool process."""
    if niceness:
        with contextlib.suppress(OSError):
            os.nice(niceness)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the server, which stops us
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True,
                     name="parent-watch").start()


def _ready() -> int:
    return os.getpid()


def child_pool(max_workers: int, *, niceness: int = 0) -> ProcessPoolExecutor:
    """A ProcessPoolExecutor of ``max_workers`` spawned processes that end with this process.
    The processes are started at once (not at the first task), so a crash finds them all
    covered, and the first certificate does not wait for an interpreter to start.
    ``niceness`` (0–19, ``os.nice``) lowers the processes' CPU priority below this one's, so
    that background work in the pool leaves this process (say, a web server) answering."""
    pool = ProcessPoolExecutor(
        max_workers=max_workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_init_child,
        initargs=(os.getpid(), niceness),
    )
    for _ in range(max_workers):
        pool.submit(_ready)
    return pool
