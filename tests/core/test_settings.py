"""Settings come from the environment (core.settings): blank means unset, the documented defaults
hold, and a value the application cannot use stops the start with a Chinese message naming the
variable — from the command line, without a traceback."""

import os
import subprocess
import sys

import pytest

from core.settings import ROOT, InvalidSettings, Settings, load_settings


def _manage(tmp_path, command: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m core.manage <command>`` on a database file in tmp_path."""
    database = tmp_path / "registry.sqlite3"
    return subprocess.run(
        [sys.executable, "-m", "core.manage", command],
        env={**os.environ, "DATABASE_URL": f"sqlite:///{database}", **env},
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )


@pytest.mark.parametrize(("command", "env", "message"), [
    ("serve", {"PORT": "abc"}, "PORT='abc' 无效：应为整数"),
    ("serve", {"PORT": "70000"}, "PORT='70000' 无效：应不大于 65535"),
    ("worker", {"RUN_JOBS": "maybe"}, "RUN_JOBS='maybe' 无效：应为 1 或 0"),
    ("migrate", {"SMTP_HOST": "smtp.example"}, "设置了 SMTP_HOST 时须设置 SMTP_FROM"),
])
def test_a_bad_value_stops_the_command_naming_the_variable(tmp_path, command, env, message):
    result = _manage(tmp_path, command, **env)
    assert result.returncode != 0
    assert "配置有误" in result.stderr and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    assert not (tmp_path / "registry.sqlite3").exists()  # stopped before touching the database


def test_every_problem_is_named_at_once(monkeypatch):
    monkeypatch.setenv("PORT", "eighty")
    monkeypatch.setenv("LOGIN_MAX_FAILURES", "5.5")
    monkeypatch.setenv("SMTP_PORT", "0")
    with pytest.raises(InvalidSettings) as raised:
        load_settings()
    lines = str(raised.value).splitlines()
    assert lines == ["PORT='eighty' 无效：应为整数", "LOGIN_MAX_FAILURES='5.5' 无效：应为整数",
                     "SMTP_PORT='0' 无效：应不小于 1"]


@pytest.fixture
def bare_environment(monkeypatch, tmp_path):
    """No setting in the environment but VAR_DIR (a fresh directory) and SECRET_KEY."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    return tmp_path


def test_the_documented_defaults(bare_environment):
    settings = load_settings()
    assert settings.database_url == f"sqlite:///{bare_environment / 'registry.sqlite3'}"
    assert settings.files_dir == bare_environment / "files"
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.public_base_url == "http://127.0.0.1:8000"
    assert settings.context_url == "https://caregiver-registry.example/ns/credentials/v1"
    assert (settings.token_ttl_seconds, settings.session_ttl_seconds) == (28800, 28800)
    assert (settings.login_max_failures, settings.login_lock_seconds) == (5, 900)
    assert (settings.login_ip_max_failures, settings.verify_rate_limit_per_minute) == (30, 60)
    assert (settings.argon2_time_cost, settings.argon2_memory_kib) == (3, 65536)
    assert (settings.demo_data, settings.cookie_secure, settings.debug) == (True, False, False)
    assert settings.run_jobs is True and settings.trusted_proxies == ()
    assert (settings.sms_gateway, settings.smtp_security, settings.smtp_port) == (
        "local", "starttls", 587)
    assert settings.status_list_validity_hours == 24 and settings.log_level == "INFO"


def test_blank_means_unset_and_values_are_trimmed(bare_environment, monkeypatch):
    monkeypatch.setenv("PORT", "")
    monkeypatch.setenv("HOST", "  ")
    monkeypatch.setenv("LOGIN_MAX_FAILURES", " 7 ")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://registry.example.cn/ ")
    monkeypatch.setenv("SMTP_SECURITY", "SSL")
    settings = load_settings()
    assert (settings.host, settings.port, settings.login_max_failures) == ("127.0.0.1", 8000, 7)
    assert settings.public_base_url == "https://registry.example.cn" and settings.secure_cookies
    assert (settings.smtp_security, settings.smtp_port) == ("ssl", 465)


def test_the_public_address_follows_host_and_port(bare_environment, monkeypatch):
    monkeypatch.setenv("HOST", "0.0.0.0")  # noqa: S104
    monkeypatch.setenv("PORT", "8123")
    assert load_settings().public_base_url == "http://0.0.0.0:8123"


def test_without_secret_key_one_is_kept_in_var(bare_environment, monkeypatch):
    monkeypatch.delenv("SECRET_KEY")
    first = load_settings().secret_key
    assert (bare_environment / "secret_key").read_text() == first
    assert load_settings().secret_key == first and len(first) >= 40


def test_secrets_stay_out_of_the_representation(bare_environment, monkeypatch):
    monkeypatch.setenv("SMTP_USER", "mailer")
    monkeypatch.setenv("SMTP_PASSWORD", " pass word ")
    monkeypatch.setenv("SIGNING_KEY_PASSPHRASE", "passphrase-123")
    settings = load_settings()
    assert settings.smtp_password == " pass word "  # a password is taken as given
    shown = repr(settings)
    assert "mailer" in shown
    for secret in ("pass word", "passphrase-123", "k" * 40):
        assert secret not in shown
