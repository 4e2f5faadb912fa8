"""The deployment samples in deploy/ stay in step with the application: the env file names every
setting and loads, nginx lets the app's largest body through and trusts-and-is-trusted by the
same address, the units start the real commands."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def _sample_values() -> dict[str, str]:
    """The variables the env sample sets (uncommented lines)."""
    values = {}
    for line in (DEPLOY / "registry.env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value
    return values


def test_env_sample_names_every_setting_and_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    from core.settings import Settings, load_settings

    text = (DEPLOY / "registry.env.example").read_text()
    named = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]*)=", text, re.M))
    assert {field.upper() for field in Settings.model_fields} - named == set()

    values = _sample_values()
    assert values["RUN_JOBS"] == "0" and values["FILE_STORAGE"] == "database"
    assert values["TRUSTED_PROXIES"] and values["REDIS_URL"].startswith("redis://")
    # Per-process settings come from the units / compose (an env file would override them).
    assert not {"HOST", "PORT", "VAR_DIR"} & values.keys()
    for field in Settings.model_fields:
        monkeypatch.delenv(field.upper(), raising=False)
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    settings = load_settings()
    assert not settings.is_sqlite and not settings.run_jobs and settings.secure_cookies


def test_nginx_passes_the_largest_body_the_app_takes() -> None:
    from core.app import MAX_BODY_BYTES

    snippet = (DEPLOY / "nginx" / "registry-proxy.conf").read_text()
    megabytes = int(re.search(r"^client_max_body_size (\d+)m;", snippet, re.M).group(1))
    assert MAX_BODY_BYTES < megabytes * 1024 * 1024 <= MAX_BODY_BYTES + 2 * 1024 * 1024
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in snippet


def test_compose_trusts_exactly_its_nginx() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    nginx_address = services["nginx"]["networks"]["registry"]["ipv4_address"]
    for name in ("migrate", "web", "worker"):
        environment = services[name]["environment"]
        assert environment["TRUSTED_PROXIES"] == nginx_address
        assert environment["RUN_JOBS"] == "0" and environment["FILE_STORAGE"] == "database"
    assert services["web"]["deploy"]["replicas"] == 2
    assert services["web"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully")


def test_units_run_the_manage_commands() -> None:
    units = DEPLOY / "systemd"
    web = (units / "registry-web@.service").read_text()
    worker = (units / "registry-worker@.service").read_text()
    assert "-m core.manage serve" in web and "PORT=%i" in web
    assert "-m core.manage worker" in worker and "KillMode=mixed" in worker
    assert "-m core.manage migrate" in (units / "registry-migrate.service").read_text()
    for unit in (web, worker):
        assert "Wants=network-online.target registry-migrate.service" in unit
        assert "After=network-online.target postgresql.service redis-server.service " \
            "registry-migrate.service" in unit
        assert "EnvironmentFile=/etc/registry/registry.env" in unit
