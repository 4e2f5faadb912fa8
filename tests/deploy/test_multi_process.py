"""The production shape works as one system: two web processes (``core.manage serve``,
RUN_JOBS=0) and one job worker (``core.manage worker``), separate OS processes sharing only
PostgreSQL and Redis (each has its own VAR_DIR), as deploy/ runs them behind a load balancer.

A session made on web A is good on web B; an approval through A is rendered by the worker and
its PDF downloads through B; a revocation through A shows in B's public verification at once."""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import signal
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.cluster import running_cluster
from tests.conftest import PASSWORD, needs_redis

pytestmark = [pytest.mark.postgres_only, needs_redis]

REDIS_URL = "redis://127.0.0.1:6379/15"  # the database number the Redis tests use
HOLDER = "王芳"
RENDER_DEADLINE_S = 45.0  # the worker polls every 2 s and renders one PDF in well under 1 s
PUBLIC_DEADLINE_S = 1.0  # a revocation is read from the shared database by every process


async def _arrange() -> dict[str, int]:
    """An issuing officer and a submitted exam session (held 30 days ago) with one candidate who
    passed; returns the ids."""
    from core import clock
    from core.accounts.services import NewUser, create_user
    from core.actor import Actor
    from core.identity import id_check_char
    from core.people import PersonInput, find_or_create_person
    from training.tables import ExamRegistration, ExamResult, ExamSession, Provider

    actor = Actor.system("test")
    await create_user(NewUser("d_officer", PASSWORD, "hrss_officer", "人社局 审核员"), actor)
    now = datetime.now(UTC)
    provider = Provider(name="宁河部署测试评价中心", uscc="91120221MA0DEPLO1X", status="approved",
                        is_assessment_body=True, body_type="S", body_code="0778",
                        site_serial="000010", province_code="12", created_at=now, updated_at=now)
    await provider.save()
    session = ExamSession(provider=provider.id, qualification_code="CHILDCARE_WORKER", level=4,
                          exam_on=clock.today() - timedelta(days=30), state="submitted",
                          submitted_at=now, created_at=now, updated_at=now)
    await session.save()
    first17 = "12022119900101773"
    person = await find_or_create_person(
        PersonInput("居民身份证", first17 + id_check_char(first17), HOLDER), actor)
    registration = ExamRegistration(session=session.id, person=person.id, route="course",
                                    eligible=True, status="confirmed", created_at=now)
    await registration.save()
    await ExamResult(session=session.id, registration=registration.id, person=person.id,
                     theory=88, practical=91, passed=True, created_at=now).save()
    return {"session": session.id, "person": person.id}


async def _certificate_of(person_id: int) -> dict | None:
    """The person's certificate: credential id, number, stored PDF's SHA-256 (None until the
    worker stored it) and the owner token of the job item that rendered it."""
    from certification.tables import CertificateRecord, IssuanceJobItem
    from core.tables import Credential, StoredFile

    record = await CertificateRecord.select(
        CertificateRecord.id, CertificateRecord.credential, CertificateRecord.pdf,
    ).where(CertificateRecord.person == person_id).first()
    if record is None:
        return None
    credential = await Credential.select(Credential.number).where(
        Credential.id == record["credential"]).first()
    stored = None
    if record["pdf"] is not None:
        stored = await StoredFile.select(StoredFile.sha256).where(
            StoredFile.id == record["pdf"]).first()
    item = await IssuanceJobItem.select(IssuanceJobItem.owner).where(
        IssuanceJobItem.record == record["id"]).first()
    return {"id": record["credential"], "number": credential["number"],
            "sha256": stored["sha256"] if stored else None,
            "owner": (item or {}).get("owner") or ""}


def _form_token(client: httpx.Client, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text[:300]
    found = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert found, f"{path} 没有 CSRF 字段"
    return found.group(1)


def _separate_machines(tmp_path: Path, names: list[str]) -> dict[str, dict[str, str]]:
    """Each process its own VAR_DIR (no disk in common, as on separate machines). Stored files
    live in the database when the FILE_STORAGE setting exists; until then the processes share
    one FILES_DIR, the shared mount core/files.py asks for."""
    from core.settings import Settings

    shared_files = {} if "file_storage" in Settings.model_fields else {
        "FILES_DIR": str(tmp_path / "shared-files")}
    return {name: {"VAR_DIR": str(tmp_path / name / "var"), **shared_files} for name in names}


def _drop_namespace(namespace: str) -> None:
    import redis

    shared = redis.Redis.from_url(REDIS_URL)
    try:
        for key in shared.scan_iter(match=f"{namespace}*", count=500):
            shared.delete(key)
    finally:
        shared.close()


def test_two_web_processes_and_a_worker_act_as_one_system(database, tmp_path):
    ids = asyncio.run(_arrange())
    namespace = f"test-deploy-{uuid.uuid4().hex}"
    env = {
        **os.environ,
        "REDIS_URL": REDIS_URL,
        "REDIS_NAMESPACE": namespace,
        "FILE_STORAGE": "database",
        "RUN_JOBS": "0",
        # The test polls public verification; the per-address limit is not what it shows.
        "VERIFY_RATE_LIMIT_PER_MINUTE": "100000",
    }
    machines = _separate_machines(tmp_path, ["web-1", "web-2", "worker-1"])
    cluster = None
    try:
        with running_cluster(env, web=2, workers=1, log_dir=tmp_path / "logs",
                             per_process=machines) as cluster:
            a = httpx.Client(base_url=cluster.urls[0], timeout=30)
            b = httpx.Client(base_url=cluster.urls[1], timeout=30)

            # a. Signed in on A; B knows the session (Redis) and the CSRF secret (SECRET_KEY).
            token = _form_token(a, "/login")
            r = a.post("/login", data={"username": "d_officer", "password": PASSWORD,
                                       "_csrf_token": token})
            assert r.status_code in (302, 303), r.text[:300]
            b.cookies.update(a.cookies)
            r = b.get(f"/certification/sessions/{ids['session']}")
            assert r.status_code == 200 and HOLDER in r.text, r.status_code

            # b. Approved through A (the form as B served it: one CSRF secret for all, as
            # behind a load balancer; answered yes); rendered by the worker.
            token = _form_token(b, f"/certification/sessions/{ids['session']}")
            r = a.post(f"/certification/sessions/{ids['session']}/approve",
                       data={"confirm": "1", "_csrf_token": token})
            assert r.status_code in (302, 303), r.text[:300]
            deadline = time.monotonic() + RENDER_DEADLINE_S
            certificate = asyncio.run(_certificate_of(ids["person"]))
            while certificate is None or certificate["sha256"] is None:
                cluster.check_alive()
                assert time.monotonic() < deadline, "工作进程未在期限内生成证书 PDF"
                time.sleep(0.2)
                certificate = asyncio.run(_certificate_of(ids["person"]))
            worker_pid = cluster.pids()["worker-1"]
            assert certificate["owner"].split(":")[1] == str(worker_pid)  # not a web process

            r = b.get(f"/certificates/{certificate['id']}/pdf")
            assert r.status_code == 200, r.text[:300]
            assert r.headers["content-type"] == "application/pdf"
            assert r.content.startswith(b"%PDF-")
            assert hashlib.sha256(r.content).hexdigest() == certificate["sha256"]
            assert r.headers["x-original-sha256"] == certificate["sha256"]

            # c. Revoked through A; B's public verification says so within a second.
            public = f"/api/v1/public/certificates/{certificate['number']}"
            assert b.get(public, params={"name": HOLDER}).json()["status"] == "valid"
            detail = f"/certification/certificates/{certificate['id']}"
            token = _form_token(b, detail)
            r = a.post(f"{detail}/revoke", data={
                "revoke_public_reason": "证书信息有误", "revoke_internal_note": "",
                "confirm": "1", "_csrf_token": token})
            assert r.status_code in (302, 303), r.text[:300]
            deadline = time.monotonic() + PUBLIC_DEADLINE_S
            while (status := b.get(public, params={"name": HOLDER}).json()["status"]) != "revoked":
                assert time.monotonic() < deadline, f"撤销 1 秒内未在 B 的查验中显示（{status}）"
                time.sleep(0.02)
            a.close()
            b.close()
        # Stopped by SIGTERM, every process finished what it had in hand and exited in time
        # (uvicorn re-raises the SIGTERM it handled: -15; the worker returns 0).
        assert {p.name: (p.killed, p.returncode) for p in cluster.processes} == {
            "web-1": (False, -signal.SIGTERM), "web-2": (False, -signal.SIGTERM),
            "worker-1": (False, 0)}
    finally:
        _drop_namespace(namespace)
        for process in cluster.processes if cluster else ():  # shown when the test fails
            print(f"--- {process.name} (pid {process.pid})\n{process.log_tail(40)}")
