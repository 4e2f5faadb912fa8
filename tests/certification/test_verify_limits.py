"""What a trusted key or a status list does *not* vouch for:

- the public demo key: 无法确认 (exit 3) unless --allow-demo;
- a status list past its validUntil, or without one (an old copy replayed): exit 3, naming the
  list and its age; the JavaScript verifier judges the lists at --now too;
- a retired key: only credentials signed up to its retiredOn (INVALID, exit 1, after it);
- keys fetched from an --online BASE_URL not in the trust list: exit 3 unless --trust-url.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from certification import verify as command
from certification.vc import keys
from certification.vc.demo_key import demo_private_key
from tests.certification.vc_helpers import (
    BASE,
    LIST_SIGNED_AT,
    REVOCATION_URL,
    SIGNED_AT,
    TODAY,
    Issuer,
    js_verify,
    list_args,
    needs_node_modules,
    run_command,
    write_json,
)

DEMO_REASON = "演示密钥（公开种子）签名：只能说明这是演示数据，不能证明真实性"
RETIRED = "停用，之后签发的凭证不可信"
NAMED = "公布的密钥核验；该地址不在信任列表中"


class DemoIssuer(Issuer):
    """Anyone: the demo key's seed is public (certification/vc/demo_key.py)."""

    def __init__(self) -> None:
        self.key = demo_private_key()
        self.did = keys.did_key(self.key.public_key())
        self.method = keys.verification_method_id(self.did)
        self.issuer = {"id": self.did, "name": "天津市宁河区人力资源和社会保障局"}


def lists_files(tmp_path: Path, docs: dict[str, dict], name: str = "l") -> list[str]:
    return list_args([write_json(tmp_path / f"{name}{n}.json", doc)
                      for n, doc in enumerate(docs.values())])


@pytest.fixture(scope="module")
def bureau() -> Issuer:
    return Issuer()


@pytest.fixture
def key_file(tmp_path: Path, bureau: Issuer) -> str:
    return write_json(tmp_path / "keys.json", bureau.published_keys())


# --- the demo key -----------------------------------------------------------------------------


def test_a_forgery_with_the_public_demo_key_is_not_verified(tmp_path: Path) -> None:
    anyone = DemoIssuer()
    forged = anyone.sign({**{k: v for k, v in anyone.credential().items() if k != "proof"}})
    forged["credentialSubject"]["holderName"] = "李四"
    forged = anyone.sign({k: v for k, v in forged.items() if k != "proof"})
    path, lists = write_json(tmp_path / "c.json", forged), lists_files(tmp_path, anyone.lists())
    result = run_command(path, *lists)  # the shipped trust list names the demo key
    assert result.returncode == 3, result.stdout
    assert "无法确认 (not verified)" in result.stdout and DEMO_REASON in result.stdout
    allowed = run_command(path, *lists, "--allow-demo")
    assert allowed.returncode == 0 and "有效 (VALID)" in allowed.stdout
    assert DEMO_REASON in allowed.stdout and "--allow-demo" in allowed.stdout
    # recognised by value, whatever source offers it: a trust list without the demo flag
    trust = write_json(tmp_path / "t.json", {"issuers": [{"name": "x", "keys": [anyone.did]}]})
    assert run_command(path, *lists, "--trust-list", trust).returncode == 3
    published = write_json(tmp_path / "k.json", anyone.published_keys())
    empty = write_json(tmp_path / "e.json", {"issuers": []})
    by_keys = run_command(path, *lists, "--trust-list", empty, "--keys", published)
    assert by_keys.returncode == 3 and DEMO_REASON in by_keys.stdout


def test_the_demo_key_given_as_a_plain_set_is_still_the_demo_key() -> None:
    anyone = DemoIssuer()
    report = command.verify_credential(
        anyone.credential(), trusted_keys={anyone.method}, status_lists=anyone.lists(),
        fetch=None, today=TODAY)
    assert report.verdict == command.NOT_VERIFIED and DEMO_REASON in report.reasons[0]
    allowed = command.verify_credential(
        anyone.credential(), trusted_keys={anyone.method}, status_lists=anyone.lists(),
        fetch=None, today=TODAY, allow_demo=True)
    assert allowed.verdict == command.VALID


def test_a_demo_credential_found_wrong_stays_invalid(tmp_path: Path) -> None:
    anyone = DemoIssuer()
    path = write_json(tmp_path / "c.json", anyone.credential())
    revoked = run_command(path, *lists_files(tmp_path, anyone.lists({42}, (), {42: "revoked"})))
    assert revoked.returncode == 1 and "无效 (INVALID)" in revoked.stdout


# --- status lists: fresh or refused -----------------------------------------------------------


def test_a_fresh_list_gives_the_verdict_as_before(tmp_path, bureau, key_file) -> None:
    path = write_json(tmp_path / "c.json", bureau.credential())
    assert run_command(path, "--keys", key_file, *lists_files(tmp_path, bureau.lists())
                       ).returncode == 0
    revoked = lists_files(tmp_path, bureau.lists({42}, (), {42: "revoked"}), "r")
    assert run_command(path, "--keys", key_file, *revoked).returncode == 1


def test_a_list_older_than_its_window_is_refused(tmp_path, bureau, key_file) -> None:
    path = write_json(tmp_path / "c.json", bureau.credential())
    stale = bureau.lists(at=LIST_SIGNED_AT - timedelta(days=3))  # valid until 3 days ago + 24 h
    result = run_command(path, "--keys", key_file, *lists_files(tmp_path, stale))
    assert result.returncode == 3, result.stdout
    assert f"状态列表 {REVOCATION_URL} 已过期" in result.stdout
    # its age at 12:00 China time on --today: generated 3 days and 4 hours before
    assert "距核验时 76.0 小时" in result.stdout


def test_a_list_without_valid_until_is_refused(tmp_path, bureau, key_file) -> None:
    path = write_json(tmp_path / "c.json", bureau.credential())
    result = run_command(path, "--keys", key_file,
                         *lists_files(tmp_path, bureau.lists(window=None)))
    assert result.returncode == 3 and f"状态列表 {REVOCATION_URL} 没有 validUntil" in result.stdout


def test_the_replay_of_a_list_saved_before_the_revocation(tmp_path, bureau, key_file) -> None:
    """Finding 3: a list saved on 1 June, before the revocation on 3 June, replayed on 5 June."""
    path = write_json(tmp_path / "c.json", bureau.credential())
    saved = lists_files(tmp_path, bureau.lists(), "saved")
    assert run_command(path, "--keys", key_file, *saved).returncode == 0  # on 1 June: fine
    later = datetime(2025, 6, 5, 0, 0, tzinfo=UTC)
    current = lists_files(tmp_path, bureau.lists({42}, (), {42: "revoked"}, at=later), "now")
    on_5_june = later.date()
    assert run_command(path, "--keys", key_file, *current, today=on_5_june).returncode == 1
    replay = run_command(path, "--keys", key_file, *saved, today=on_5_june)
    assert replay.returncode == 3 and "已过期" in replay.stdout
    assert "有效 (VALID)" not in replay.stdout


def test_now_judges_the_list_to_the_instant(tmp_path, bureau, key_file) -> None:
    path = write_json(tmp_path / "c.json", bureau.credential())
    lists = lists_files(tmp_path, bureau.lists())  # 2025-06-01T00:00Z … 2025-06-02T00:00Z
    before = run_command(path, "--keys", key_file, *lists, "--now", "2025-06-02T07:59:00+08:00")
    assert before.returncode == 0, before.stdout
    after = run_command(path, "--keys", key_file, *lists, "--now", "2025-06-02T08:01:00+08:00")
    assert after.returncode == 3 and "已过期" in after.stdout
    naive = run_command(path, "--keys", key_file, *lists, "--now", "2025-06-02T08:01:00")
    assert naive.returncode == 2 and "时区" in naive.stderr


@needs_node_modules
def test_js_verifier_accepts_fresh_lists_and_refuses_stale_ones(tmp_path, bureau) -> None:
    signed = bureau.credential()
    assert js_verify(tmp_path, signed, bureau.lists())["valid"] is True
    stale = bureau.lists(at=LIST_SIGNED_AT - timedelta(days=3))
    result = js_verify(tmp_path, signed, stale)
    assert result["verified"] is False and "validUntil" in result["error"]


# --- retired keys -----------------------------------------------------------------------------


def retired_keys(bureau: Issuer, retired_on: datetime) -> dict:
    return keys.build_published_keys("某区人社局", [keys.PublishedKey(
        bureau.key.public_key(), "retired", datetime(2020, 1, 1, tzinfo=UTC),
        retired_on=retired_on)])


def test_a_retired_key_vouches_only_up_to_its_retirement(tmp_path, bureau) -> None:
    path = write_json(tmp_path / "c.json", bureau.credential())  # created 2024-03-01T09:00Z
    lists = lists_files(tmp_path, bureau.lists())
    early = write_json(tmp_path / "k1.json", retired_keys(bureau, datetime(2021, 1, 1, tzinfo=UTC)))
    result = run_command(path, "--keys", early, *lists)
    assert result.returncode == 1 and "无效 (INVALID)" in result.stdout
    assert f"签名密钥已于 2021-01-01T00:00:00+00:00 {RETIRED}" in result.stdout
    exactly = write_json(tmp_path / "k2.json", retired_keys(bureau, SIGNED_AT))
    assert run_command(path, "--keys", exactly, *lists).returncode == 0
    trust = write_json(tmp_path / "t.json", {"issuers": [{"name": "某区人社局", "keys": [
        {"id": bureau.did, "retiredOn": "2023-12-31T00:00:00+08:00"}]}]})
    by_trust_list = run_command(path, "--trust-list", trust, *lists)
    assert by_trust_list.returncode == 1 and RETIRED in by_trust_list.stdout
    # the earliest retirement any source publishes wins
    both = run_command(path, "--trust-list", trust, "--keys", exactly, *lists)
    assert both.returncode == 1


def test_a_malformed_retired_on_is_unreadable(tmp_path, bureau) -> None:
    path = write_json(tmp_path / "c.json", bureau.credential())
    bad = retired_keys(bureau, SIGNED_AT)
    bad["keys"][0]["retiredOn"] = "2021-01-01"  # no time, no offset
    result = run_command(path, "--keys", write_json(tmp_path / "k.json", bad))
    assert result.returncode == 2 and "retiredOn" in result.stderr


# --- --online BASE_URL outside the trust list -------------------------------------------------


def network_of(bureau: Issuer):
    documents = {f"{BASE}/.well-known/caregiver-registry/keys.json": bureau.published_keys(),
                 **bureau.lists()}

    def fetch(url: str) -> dict:
        if url not in documents:
            raise OSError(f"404 {url}")
        return documents[url]

    return fetch


def test_keys_from_an_address_the_user_named_are_said_to_be_so(tmp_path, bureau, capsys) -> None:
    path = write_json(tmp_path / "c.json", bureau.credential())
    args = [path, "--online", BASE, "--today", "2025-06-01"]
    assert command.main(args, fetch=network_of(bureau)) == 3
    out = capsys.readouterr().out
    assert "无法确认 (not verified)" in out
    assert f"按您指定的地址 {BASE} {NAMED}" in out and bureau.did in out and "--trust-url" in out
    assert command.main([*args, "--trust-url"], fetch=network_of(bureau)) == 0
    out = capsys.readouterr().out
    assert "有效 (VALID)" in out and f"按您指定的地址 {BASE} {NAMED}" in out  # still said


def test_a_base_url_the_trust_list_names_needs_no_flag(tmp_path, bureau, capsys) -> None:
    trust = write_json(tmp_path / "t.json", {"issuers": [
        {"name": "某区人社局", "publicBaseUrl": BASE, "keys": []}]})
    path = write_json(tmp_path / "c.json", bureau.credential())
    code = command.main([path, "--online", f"{BASE}/", "--trust-list", trust,
                         "--today", "2025-06-01"], fetch=network_of(bureau))
    out = capsys.readouterr().out
    assert code == 0, out
    assert NAMED not in out
