"""Signing keys at rest: encrypted with SIGNING_KEY_PASSPHRASE when it is set."""

import os
import subprocess
import sys

import pytest

from certification import keys
from certification.tables import SigningKey
from core.actor import Actor
from core.settings import get_settings

PASSPHRASE = "correct horse battery staple 2026"


@pytest.fixture
def passphrase(monkeypatch):
    def set_to(value: str | None) -> None:
        if value is None:
            monkeypatch.delenv("SIGNING_KEY_PASSPHRASE", raising=False)
        else:
            monkeypatch.setenv("SIGNING_KEY_PASSPHRASE", value)
        get_settings.cache_clear()

    yield set_to
    monkeypatch.delenv("SIGNING_KEY_PASSPHRASE", raising=False)
    get_settings.cache_clear()


def _database_env() -> dict[str, str]:
    from core.db import engine

    env = dict(os.environ)
    if hasattr(engine(), "path"):
        env["DATABASE_URL"] = f"sqlite:///{engine().path}"
    return env


def test_keys_are_stored_encrypted_and_still_sign(client, run, passphrase):
    passphrase(PASSPHRASE)
    row = run(keys.rotate, Actor.system("test"))
    assert row.private_pem.startswith(keys.ENCRYPTED_PEM)
    key = keys.private_key(row.private_pem)
    from certification.vc.keys import did_key

    assert did_key(key.public_key()) == row.did
    published = client.get("/.well-known/caregiver-registry/keys.json").json()
    assert row.did in str(published)

    passphrase(None)
    with pytest.raises(keys.SigningKeyLocked, match="SIGNING_KEY_PASSPHRASE"):
        keys.private_key(row.private_pem)
    passphrase("a wrong passphrase")
    with pytest.raises(keys.SigningKeyLocked, match="不同"):
        keys.private_key(row.private_pem)


def test_seal_command_encrypts_keys_kept_in_clear(client, run, passphrase):
    passphrase(None)
    clear = run(keys.rotate, Actor.system("test"))
    assert not clear.private_pem.startswith(keys.ENCRYPTED_PEM)
    env = _database_env()
    env.pop("SIGNING_KEY_PASSPHRASE", None)
    refused = subprocess.run([sys.executable, "-m", "certification.keys", "seal"], env=env,
                             capture_output=True, text=True, timeout=60)
    assert refused.returncode == 1 and "SIGNING_KEY_PASSPHRASE" in refused.stderr

    env["SIGNING_KEY_PASSPHRASE"] = PASSPHRASE
    done = subprocess.run([sys.executable, "-m", "certification.keys", "seal"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "已加密保存" in done.stdout
    sealed = run(SigningKey.objects().where(SigningKey.id == clear.id).first)
    assert sealed.private_pem.startswith(keys.ENCRYPTED_PEM) and sealed.did == clear.did
    passphrase(PASSPHRASE)
    assert keys.private_key(sealed.private_pem).public_key().public_bytes_raw() == \
        keys.private_key(clear.private_pem).public_key().public_bytes_raw()
    from core.tables import AuditLog

    assert run(AuditLog.exists().where(AuditLog.action == "signing_key.seal"))


def test_seal_command_changes_the_passphrase_all_or_nothing(client, run, passphrase):
    passphrase(PASSPHRASE)
    first = run(keys.rotate, Actor.system("test"))
    env = _database_env() | {"SIGNING_KEY_PASSPHRASE": "the new passphrase 2027"}
    wrong = subprocess.run([sys.executable, "-m", "certification.keys", "seal"],
                           env=env | {"OLD_SIGNING_KEY_PASSPHRASE": "not the old one"},
                           capture_output=True, text=True, timeout=60)
    assert wrong.returncode == 1 and "不同" in wrong.stderr
    unchanged = run(SigningKey.objects().where(SigningKey.id == first.id).first)
    assert unchanged.private_pem == first.private_pem  # nothing written

    done = subprocess.run([sys.executable, "-m", "certification.keys", "seal"],
                          env=env | {"OLD_SIGNING_KEY_PASSPHRASE": PASSPHRASE},
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    resealed = run(SigningKey.objects().where(SigningKey.id == first.id).first)
    assert resealed.private_pem != first.private_pem
    passphrase("the new passphrase 2027")
    from certification.vc.keys import did_key

    assert did_key(keys.private_key(resealed.private_pem).public_key()) == first.did
    passphrase(PASSPHRASE)
    with pytest.raises(keys.SigningKeyLocked):
        keys.private_key(resealed.private_pem)
