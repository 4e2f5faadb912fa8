"""The worker (core.worker) runs what the installed wiring declares — every background and the
hourly tasks — until told to stop, then stops each background; where the work runs is
``RUN_JOBS``: in the web process by default on SQLite, in ``core.manage worker`` on PostgreSQL.
The leases themselves are tested with certificate jobs and messages in
tests/certification/test_worker_leases.py."""

from __future__ import annotations

import asyncio

import pytest

from core import housekeeping
from core.domain import Background, Domain, Task
from core.settings import load_settings
from core.wiring import Wiring, using
from core.worker import run_worker, worker_id


def test_the_worker_runs_every_background_and_task_until_stopped(database) -> None:
    events: list[str] = []

    async def scenario() -> None:
        stop = asyncio.Event()
        ran = asyncio.Event()

        def recorder(name: str):  # type: ignore[no-untyped-def]
            async def record() -> None:
                events.append(name)
                if name.startswith("task"):
                    ran.set()
            return record

        async def broken() -> None:
            raise RuntimeError("a failing task does not stop the others")

        wiring = Wiring.of([
            Domain(name="a", background=(Background("jobs", recorder("start jobs"),
                                                    recorder("stop jobs")),),
                   tasks=(Task("broken", broken),)),
            Domain(name="b", background=(Background("mail", recorder("start mail"),
                                                    recorder("stop mail")),),
                   tasks=(Task("tidy", recorder("task tidy")),)),
        ])
        with using(wiring):
            running = asyncio.create_task(run_worker(stop, first_tasks_after_s=0))
            await asyncio.wait_for(ran.wait(), 30)
            stop.set()
            await asyncio.wait_for(running, 30)

    asyncio.run(scenario())
    assert events == ["start jobs", "start mail", "task tidy", "stop mail", "stop jobs"]


def test_a_web_round_without_run_jobs_runs_no_domain_task(client, run) -> None:
    ran: list[str] = []

    async def task() -> None:
        ran.append("task")

    from core.wiring import current

    probe = Wiring.of([*current().domains, Domain(name="probe", tasks=(Task("t", task),))])
    with using(probe):
        run(housekeeping.run_once, client.app, tasks=False)  # a web process, RUN_JOBS off
        assert ran == []
        run(housekeeping.run_once, client.app)  # RUN_JOBS on (or the worker's run_tasks)
        assert ran == ["task"]


@pytest.mark.parametrize(("url", "env", "expected"), [
    ("sqlite:///var/x.sqlite3", None, True),  # make run: one process does everything
    ("postgresql://db/registry", None, False),  # python -m core.manage worker does
    ("postgresql://db/registry", "1", True),
    ("sqlite:///var/x.sqlite3", "0", False),
])
def test_run_jobs_defaults_by_database(monkeypatch, url, env, expected) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    if env is None:
        monkeypatch.delenv("RUN_JOBS", raising=False)
    else:
        monkeypatch.setenv("RUN_JOBS", env)
    assert load_settings().run_jobs is expected


def test_each_process_has_its_own_worker_token() -> None:
    import os

    token = worker_id()
    assert token == worker_id() and f":{os.getpid()}:" in token and len(token) <= 80
