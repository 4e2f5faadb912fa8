"""Leases of the worker (core.worker): a claimed job item or message is its worker's until the
lease runs out, the holder renews it, anyone takes it over once it has run out, and only the
current holder stores, sends or counts. Then the real thing: ``python -m core.manage worker``
processes, two of them with one killed by SIGKILL mid-batch (PostgreSQL), and one stopped by
SIGTERM that finishes the items in hand."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from certification import jobs
from certification.tables import CertificatePdf, CertificateRecord, IssuanceJob, IssuanceJobItem
from core import worker
from core.messages import delivery, gateways
from core.messages.gateways import Outgoing
from core.messages.outbox import enqueue
from core.tables import StoredFile
from tests.conftest import IS_PG
from tests.servers import ROOT

OTHER = "other-host:4242:0badcafe"  # another worker's token
GIVEN = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉"  # names hold no digits


def items(run: Callable[..., Any]) -> list[dict]:
    return run(IssuanceJobItem.select().order_by(IssuanceJobItem.id))


def as_worker(monkeypatch: pytest.MonkeyPatch, token: str | None) -> None:
    """Act as the worker ``token`` (None: this process's own token)."""
    monkeypatch.undo()
    if token is not None:
        monkeypatch.setattr(worker, "worker_id", lambda: token)


# --- the lease rules, by the injected clock (both databases) ---------------------------------

def test_a_live_lease_is_not_claimed_again_an_expired_one_is(
        run, holder, issue_skill, clock, monkeypatch) -> None:
    clock.set_now(clock.now())
    issue_skill(holder.id)
    [mine] = run(jobs._claim, 4)
    [row] = items(run)
    assert row["state"] == "running" and row["owner"] == worker.worker_id()
    assert row["attempts"] == 1 and mine["attempts"] == 0
    as_worker(monkeypatch, OTHER)
    assert run(jobs._claim, 4) == []
    clock.advance(worker.LEASE - timedelta(seconds=1))
    assert run(jobs._claim, 4) == []  # still within the lease
    clock.advance(timedelta(seconds=2))
    [taken] = run(jobs._claim, 4)  # its worker stopped renewing: taken over
    [row] = items(run)
    assert taken["id"] == mine["id"] and row["owner"] == OTHER and row["attempts"] == 2


def test_the_holder_renews_its_lease_while_it_works(
        run, holder, issue_skill, clock, monkeypatch) -> None:
    clock.set_now(clock.now())
    issue_skill(holder.id)
    claimed = run(jobs._claim, 4)
    for _ in range(5):  # a long render: renewed every few seconds, never taken over
        clock.advance(timedelta(seconds=worker.RENEW_EVERY_S))
        run(worker.renew_leases, IssuanceJobItem, [item["id"] for item in claimed], "running")
        as_worker(monkeypatch, OTHER)
        assert run(jobs._claim, 4) == []
        as_worker(monkeypatch, None)
    clock.advance(worker.LEASE + timedelta(seconds=1))  # the holder died
    as_worker(monkeypatch, OTHER)
    assert len(run(jobs._claim, 4)) == 1


def test_an_item_whose_worker_dies_every_time_fails_after_max_attempts(
        run, holder, issue_skill, clock, monkeypatch) -> None:
    clock.set_now(clock.now())
    issue_skill(holder.id)
    for attempt in range(1, jobs.MAX_ATTEMPTS + 1):  # each claim's worker dies mid-render
        as_worker(monkeypatch, f"host:{attempt}:dead")
        assert len(run(jobs._claim, 4)) == 1
        clock.advance(worker.LEASE + timedelta(seconds=1))
    as_worker(monkeypatch, OTHER)
    assert run(jobs._claim, 4) == []  # not taken over a fourth time
    [row] = items(run)
    assert row["state"] == "failed" and "已停止重试" in row["error"]
    [job] = run(IssuanceJob.select(IssuanceJob.state))
    assert job["state"] == "failed"


def test_a_worker_that_lost_its_lease_stores_and_counts_nothing(
        run, holder, issue_skill, clock, monkeypatch) -> None:
    from certification.render_worker import render_and_sign
    from certification.services.documents import render_task

    clock.set_now(clock.now())
    issue_skill(holder.id)
    [stale] = run(jobs._claim, 4)
    result = render_and_sign(run(render_task, stale["record"]))
    clock.advance(worker.LEASE + timedelta(seconds=1))  # stalled past its lease…
    as_worker(monkeypatch, OTHER)
    [current] = run(jobs._claim, 4)  # …and another worker took the item over
    as_worker(monkeypatch, None)
    assert run(jobs._store, stale, result) is False
    run(jobs._fail, stale, RuntimeError("late"))  # nor can it fail the item
    assert run(IssuanceJobItem.count().where(IssuanceJobItem.error != "")) == 0
    assert run(CertificatePdf.count()) == 0 and run(StoredFile.count()) == 0
    [row] = items(run)
    assert row["state"] == "running" and row["owner"] == OTHER
    assert run(IssuanceJob.select(IssuanceJob.done_count).first())["done_count"] == 0

    as_worker(monkeypatch, OTHER)
    assert run(jobs._store, current, result) is True
    assert run(jobs._store, current, result) is False  # a second store of one attempt: refused
    assert run(CertificatePdf.count()) == 1 and run(StoredFile.count()) == 1
    job = run(IssuanceJob.select().first())
    assert job["done_count"] == 1 and job["state"] == "done"
    [row] = items(run)
    assert row["state"] == "done" and row["owner"] == OTHER and row["lease_until"] is None


def test_a_worker_reclaiming_its_own_item_makes_the_earlier_attempt_stale(
        run, holder, issue_skill, clock) -> None:
    from certification.render_worker import render_and_sign
    from certification.services.documents import render_task

    clock.set_now(clock.now())
    issue_skill(holder.id)
    [first] = run(jobs._claim, 4)
    result = render_and_sign(run(render_task, first["record"]))
    clock.advance(worker.LEASE + timedelta(seconds=1))
    [second] = run(jobs._claim, 4)
    assert run(jobs._store, first, result) is False
    assert run(jobs._store, second, result) is True
    assert run(CertificatePdf.count()) == 1


class Recording:
    local = False

    def __init__(self) -> None:
        self.sent: list[Outgoing] = []

    async def send(self, message: Outgoing) -> str:
        self.sent.append(message)
        return f"gw-{message.id}"


def test_a_dead_workers_message_comes_back_and_is_sent_once(
        run, outbox, clock, monkeypatch) -> None:
    gateway = Recording()
    gateways.use_gateway("sms", gateway)
    try:
        clock.set_now(clock.now())
        me = worker.worker_id()
        run(enqueue, "sms", "13812345678", "通知", kind="notice")
        as_worker(monkeypatch, OTHER)
        [held] = run(delivery._claim, 10)  # OTHER claims it, then stalls or dies
        as_worker(monkeypatch, None)
        assert outbox.deliver() == 0
        clock.advance(worker.LEASE + timedelta(seconds=1))
        assert outbox.deliver() == 1  # taken over seconds later
        as_worker(monkeypatch, OTHER)
        assert run(delivery._send_one, held) is False  # the stale holder sends nothing
        assert len(gateway.sent) == 1
        [row] = outbox.messages()
        assert (row["state"], row["attempts"], row["owner"]) == ("sent", 2, me)
    finally:
        gateways.use_gateway("sms", None)


def test_a_stopping_worker_gives_back_the_messages_it_has_not_sent(run, outbox) -> None:
    import asyncio

    gateway = Recording()
    gateways.use_gateway("sms", gateway)
    try:
        for n in range(3):
            run(enqueue, "sms", f"1381234567{n}", "通知", kind="notice")

        async def deliver_while_stopping() -> int:
            stopping = asyncio.Event()
            original = gateway.send

            async def send_then_stop(message: Outgoing) -> str:
                stopping.set()  # SIGTERM arrives during the first send
                return await original(message)

            gateway.send = send_then_stop  # type: ignore[method-assign]
            return await delivery.deliver_pending(stopping=stopping)

        assert run(deliver_while_stopping) == 1
        states = [(m["state"], m["attempts"], m["lease_until"]) for m in outbox.messages()]
        assert states[0][:2] == ("sent", 1)
        assert states[1:] == [("pending", 0, None), ("pending", 0, None)]
    finally:
        gateways.use_gateway("sms", None)


# --- real worker processes --------------------------------------------------------------------

def wait_for(condition: Callable[[], Any], seconds: float) -> Any:
    """Poll ``condition`` until it returns something true or the deadline passes."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.05)
    return condition()


def start_worker(log: Path, database_url: str) -> subprocess.Popen:
    with log.open("wb") as err:
        return subprocess.Popen(
            [sys.executable, "-m", "core.manage", "worker"], cwd=ROOT,
            env={**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "INFO"},
            stdout=subprocess.DEVNULL, stderr=err)


def database_url() -> str:
    """The database of this test, for a worker process."""
    if IS_PG:
        return os.environ["DATABASE_URL"]
    from core.db import engine

    return f"sqlite:///{engine().path}"


def issue_batch(run: Callable[..., Any], make_person: Callable[..., Any], count: int) -> None:
    """One issuance of ``count`` skill certificates: one job with ``count`` render items."""
    from certification.services.issuance import NewCertificate, issue
    from core.actor import Actor

    people = [make_person(f"王{GIVEN[n]}") for n in range(count)]
    run(issue, [NewCertificate(
        person_id=person.id, kind="skill", qualification_code="CHILDCARE_WORKER",
        number_prefix="S123412000001264", issuer_name="宁河职业培训学校", issuer_code="S1234",
        issued_on=date(2026, 6, 1), origin_key=f"batch:{n}", level=4,
    ) for n, person in enumerate(people)], Actor.system("test"), job_title="批量")


def owned_by(run: Callable[..., Any], pid: int, state: str) -> list[int]:
    return [r["id"] for r in run(IssuanceJobItem.select(IssuanceJobItem.id).where(
        (IssuanceJobItem.state == state) & IssuanceJobItem.owner.like(f"%:{pid}:%")))]


def pid_of(owner: str) -> int:
    return int(owner.split(":")[-2])


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.kill()
        process.wait(timeout=30)


@pytest.mark.postgres_only
def test_two_workers_one_killed_mid_batch_every_item_done_exactly_once(
        client, run, make_person, tmp_path) -> None:
    count = 16
    logs = [tmp_path / "worker-a.log", tmp_path / "worker-b.log"]
    victim, survivor = (start_worker(log, database_url()) for log in logs)
    try:
        assert wait_for(lambda: all("worker started" in log.read_text() for log in logs), 90), \
            [log.read_text()[-2000:] for log in logs]
        issue_batch(run, make_person, count)
        assert wait_for(lambda: owned_by(run, victim.pid, "running") and owned_by(
            run, survivor.pid, "running"), 60), "both workers should hold items"
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=30)
        killed = time.monotonic()
        abandoned = owned_by(run, victim.pid, "running")
        assert abandoned, "the killed worker held items at its death"

        def all_done() -> bool:
            return run(IssuanceJob.select(IssuanceJob.state).first())["state"] == "done"

        assert wait_for(all_done, 180), items(run)
        took = time.monotonic() - killed  # a figure for the log, not asserted
        print(f"\n{len(abandoned)} abandoned items done {took:.1f} s after the SIGKILL "
              f"(lease {worker.LEASE.total_seconds():.0f} s)")

        rows = items(run)
        assert {r["state"] for r in rows} == {"done"} and len(rows) == count
        job = run(IssuanceJob.select().first())
        assert (job["done_count"], job["failed_count"]) == (count, 0)
        # one PDF per record, each stored file once, every record pointing at its PDF
        pdfs = run(CertificatePdf.select(CertificatePdf.record, CertificatePdf.file))
        assert sorted(p["record"] for p in pdfs) == sorted(r["record"] for r in rows)
        assert run(StoredFile.count()) == count
        records = run(CertificateRecord.select(CertificateRecord.pdf,
                                               CertificateRecord.needs_render))
        assert {(r["pdf"] is not None, r["needs_render"]) for r in records} == {(True, False)}
        assert {r["pdf"] for r in records} == {p["file"] for p in pdfs}
        # ownership: what the victim stored before dying stays its own (one attempt); what it
        # held at its death the survivor took over, claimed a second time
        for row in rows:
            if row["id"] in abandoned:
                assert (pid_of(row["owner"]), row["attempts"]) == (survivor.pid, 2), row
            else:
                assert pid_of(row["owner"]) in {victim.pid, survivor.pid}, row
                assert row["attempts"] >= 1 and row["lease_until"] is None, row
        survivor_log = logs[1].read_text()
        assert survivor_log.count("job item taken over") == len(abandoned)
    finally:
        for process in (victim, survivor):
            stop(process)


def test_sigterm_finishes_the_items_in_hand_and_exits(client, run, make_person, tmp_path) -> None:
    log = tmp_path / "worker.log"
    process = start_worker(log, database_url())
    try:
        assert wait_for(lambda: "worker started" in log.read_text(), 90), log.read_text()
        issue_batch(run, make_person, 12)
        in_hand = wait_for(lambda: owned_by(run, process.pid, "running"), 60)
        assert in_hand
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=120) == 0, log.read_text()[-3000:]
        rows = {r["id"]: r for r in items(run)}
        assert all(rows[i]["state"] == "done" for i in in_hand)  # finished, not abandoned
        assert {r["state"] for r in rows.values()} <= {"done", "pending"}  # none left running
        done = [r for r in rows.values() if r["state"] == "done"]
        assert run(CertificatePdf.count()) == len(done)
        job = run(IssuanceJob.select().first())
        assert job["done_count"] == len(done) and job["failed_count"] == 0
        assert "worker stopped" in log.read_text()
    finally:
        stop(process)
