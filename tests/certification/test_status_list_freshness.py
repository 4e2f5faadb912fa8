"""The app's status lists and keys as a verifier meets them: every served list carries validFrom
(generation) and validUntil (validFrom + STATUS_LIST_VALIDITY_HOURS, default 24 h), is re-signed
once half the window has passed even when nothing changed, and is refused once past validUntil;
a rotated key is published with retiredOn and keeps vouching for what it signed before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from certification import verify as command
from tests.certification.vc_helpers import write_json
from tests.conftest import api_token

START = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)  # 09:00 China time


@pytest.fixture
def issued(client, run, clock, holder, issue_skill):
    """A certificate signed at START, and a getter of its served lists by purpose."""
    from certification.jobs import run_pending_jobs

    clock.set_now(START)
    cert = issue_skill(holder.id)
    run(run_pending_jobs)
    vc = client.get(f"/api/v1/certificates/{cert.id}/vc",
                    headers=api_token(client, "wangfang")).json()

    def lists() -> dict[str, dict]:
        served = {}
        for entry in vc["credentialStatus"]:
            path = "/" + entry["statusListCredential"].split("://", 1)[1].split("/", 1)[1]
            response = client.get(path)
            assert response.status_code == 200
            served[entry["statusPurpose"]] = response.json()
        return served

    return vc, lists


def instant(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_served_lists_carry_a_24_hour_window(issued, clock) -> None:
    _, lists = issued
    for purpose, doc in lists().items():
        assert instant(doc["validFrom"]) == START, purpose
        assert instant(doc["validUntil"]) - instant(doc["validFrom"]) == timedelta(hours=24)


def test_an_unchanged_list_is_re_signed_after_half_its_window(issued, clock) -> None:
    _, lists = issued
    first = lists()["revocation"]
    clock.set_now(START + timedelta(hours=11, minutes=59))
    assert lists()["revocation"] == first  # the cached list, still fresh for 12 h
    clock.set_now(START + timedelta(hours=12))
    again = lists()["revocation"]
    assert instant(again["validFrom"]) == START + timedelta(hours=12)
    assert instant(again["validUntil"]) == START + timedelta(hours=36)
    assert again["credentialSubject"]["encodedList"] == first["credentialSubject"]["encodedList"]


def test_the_window_is_a_setting(issued, clock, monkeypatch) -> None:
    from core.settings import get_settings

    _, lists = issued
    monkeypatch.setenv("STATUS_LIST_VALIDITY_HOURS", "6")
    get_settings.cache_clear()
    try:
        clock.set_now(START + timedelta(days=2))  # past any cached list's half window
        doc = lists()["suspension"]
        assert instant(doc["validUntil"]) - instant(doc["validFrom"]) == timedelta(hours=6)
    finally:
        monkeypatch.delenv("STATUS_LIST_VALIDITY_HOURS")
        get_settings.cache_clear()


def test_verifier_refuses_the_apps_list_once_past_its_window(client, issued, clock,
                                                             tmp_path: Path, capsys) -> None:
    vc, lists = issued
    key_file = write_json(tmp_path / "k.json",
                          client.get("/.well-known/caregiver-registry/keys.json").json())
    files = [arg for n, doc in enumerate(lists().values())
             for arg in ("--status-list", write_json(tmp_path / f"l{n}.json", doc))]
    path = write_json(tmp_path / "vc.json", vc)
    fresh = "2026-11-02T20:00:00+08:00"
    assert command.main([path, "--keys", key_file, *files, "--now", fresh]) == 0
    capsys.readouterr()
    stale = "2026-11-03T09:00:01+08:00"
    assert command.main([path, "--keys", key_file, *files, "--now", stale]) == 3
    assert "已过期" in capsys.readouterr().out


def test_a_rotated_key_is_published_retired_and_keeps_what_it_signed(client, run, issued, clock,
                                                                     tmp_path, capsys) -> None:
    from certification import keys
    from core.actor import Actor

    vc, lists = issued
    clock.set_now(START + timedelta(hours=1))
    run(keys.rotate, Actor.system("test"))
    published = client.get("/.well-known/caregiver-registry/keys.json").json()
    [retired] = [key for key in published["keys"] if key["status"] == "retired"]
    assert instant(retired["retiredOn"]) == START + timedelta(hours=1)  # with its offset
    key_file = write_json(tmp_path / "k.json", published)
    files = [arg for n, doc in enumerate(lists().values())  # the retired key signs them still
             for arg in ("--status-list", write_json(tmp_path / f"l{n}.json", doc))]
    path = write_json(tmp_path / "vc.json", vc)
    code = command.main([path, "--keys", key_file, *files, "--now", "2026-11-02T12:00:00+08:00"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert vc["proof"]["verificationMethod"] == retired["id"]
    assert "签名时密钥尚未停用" in out  # signed at START, retired an hour later
