"""Settings: one pydantic-settings model read from the environment (documented in .env.example).

Every field is read from the environment variable of the same name in capitals (``port`` from
``PORT``). A blank variable counts as unset. A value the application cannot use stops the start
with :class:`InvalidSettings`, whose Chinese message names the variable (``python -m core.manage``
prints it and exits; no traceback)."""

from __future__ import annotations

import ipaddress
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

import pydantic_settings
from pydantic import Field, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent

CONTEXT_PATH = "/ns/credentials/v1"
# URL of our JSON-LD context named in every credential: the issuer's own public address +
# CONTEXT_PATH (each deployment serves the document there). The demo keeps the reserved
# .example host, which verifiers also map, so credentials already issued keep verifying.
DEFAULT_CONTEXT_URL = "https://caregiver-registry.example" + CONTEXT_PATH

SMS_GATEWAYS = ("local", "http")
FILE_STORAGES = ("local", "database")
SMTP_SECURITY = ("starttls", "ssl", "none")
_CHOICES = {
    "sms_gateway": SMS_GATEWAYS,
    "file_storage": FILE_STORAGES,
    "smtp_security": SMTP_SECURITY,
}


def _one_of(name: str, choices: tuple[str, ...], value: str) -> str:
    """``value`` lower-cased if it is one of ``choices``; else ValueError naming the variable
    ``name`` and the choices (``SMTP_SECURITY 应为 starttls、ssl 或 none，实为 'tls'``)."""
    value = value.lower()
    if value not in choices:
        words = "、".join(choices[:-1]) + " 或 " + choices[-1]
        raise ValueError(f"{name} 应为 {words}，实为 {value!r}")
    return value


# Taken exactly as given (a password may begin or end with a space); the others are stripped.
RAW_FIELDS = frozenset({"secret_key", "smtp_password", "signing_key_passphrase"})
# Never repeated in a message.
SECRET_FIELDS = RAW_FIELDS | {"sms_gateway_token"}

Port = Annotated[int, Field(ge=1, le=65535)]


class InvalidSettings(ValueError):
    """The environment holds a value the application cannot use. The message (zh-CN, one line per
    problem) names each variable at fault; raised by :func:`load_settings`."""


def _persistent_secret(var_dir: Path) -> str:
    """A secret kept in var/ so sessions survive restarts on the embedded set-up."""
    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    path.write_text(value)
    path.chmod(0o600)
    return value


class Settings(BaseSettings):
    """The application's settings, immutable once read (see :func:`get_settings`)."""

    model_config = SettingsConfigDict(frozen=True, extra="ignore", case_sensitive=False)

    # Filled in from the others when unset (see _derived_defaults).
    var_dir: Path
    files_dir: Path
    # Where stored files' contents live (core.storage): "local" (files under FILES_DIR, one
    # machine or a shared mount) or "database" (chunks in the database: every process that
    # reaches the database reaches the files). ``python -m core.manage files move`` moves them.
    file_storage: str = "local"
    database_url: str
    secret_key: str = Field(repr=False)
    public_base_url: str
    # Background work in the web process: yes on SQLite (one process), no on PostgreSQL
    # (``python -m core.manage worker`` runs it); RUN_JOBS=0/1 decides when set.
    run_jobs: bool
    host: str = "127.0.0.1"
    port: Port = 8000
    context_url: str = DEFAULT_CONTEXT_URL
    redis_url: str = ""
    redis_namespace: str = "registry"
    debug: bool = False
    log_level: str = "INFO"
    token_ttl_seconds: int = 8 * 3600
    session_ttl_seconds: int = 8 * 3600
    login_max_failures: int = 5
    login_lock_seconds: int = 15 * 60
    login_ip_max_failures: int = 30
    # Reverse proxies whose X-Forwarded-For the server believes (IPs or CIDRs). Empty: none, the
    # client address is always the direct peer (see core.manage.uvicorn_options).
    trusted_proxies: Annotated[tuple[str, ...], NoDecode] = ()
    verify_rate_limit_per_minute: int = 60
    # Connections each web process keeps for the public lookup's cache misses on PostgreSQL
    # (certification.services.verification._PgReaders): 2 measured best with the database on
    # the same 2 cores; more where PostgreSQL has cores of its own.
    verify_lookup_connections: int = Field(default=2, ge=1, le=32)
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 64 * 1024
    demo_data: bool = True
    cookie_secure: bool = False
    signing_key_passphrase: str = Field(default="", repr=False)
    # Freshness window of a signed status list (validUntil = generation + this many hours): the
    # verifier refuses an older copy, so a list saved before a revocation cannot be replayed.
    status_list_validity_hours: int = 24
    # Messages (core.messages.gateways): SMS through "local" (embedded: never leaves the machine,
    # bodies readable on /admin/messages) or "http" (a provider's HTTP gateway); e-mail through
    # SMTP when smtp_host is set, else local. SMTP_PORT defaults to 465 with ssl, else 587.
    sms_gateway: str = "local"
    sms_gateway_url: str = ""
    sms_gateway_token: str = Field(default="", repr=False)
    sms_sign: str = ""
    smtp_host: str = ""
    smtp_port: Port = 587
    smtp_user: str = ""
    smtp_password: str = Field(default="", repr=False)
    smtp_from: str = ""
    smtp_security: str = "starttls"

    @model_validator(mode="before")
    @staticmethod
    def _derived_defaults(data: Any) -> Any:
        """Blank values count as unset; the defaults that depend on other settings are filled."""
        if not isinstance(data, dict):
            return data
        values: dict[str, Any] = {}
        for name, value in data.items():
            if isinstance(value, str):
                value = value if name in RAW_FIELDS else value.strip()
                if not value:
                    continue
            values[name] = value
        var_dir = Path(values.setdefault("var_dir", ROOT / "var"))
        values.setdefault("files_dir", var_dir / "files")
        database_url = str(values.setdefault(
            "database_url", f"sqlite:///{var_dir / 'registry.sqlite3'}"))
        values.setdefault("run_jobs", database_url.startswith("sqlite"))
        host = values.setdefault("host", "127.0.0.1")
        values.setdefault("public_base_url", f"http://{host}:{values.get('port', 8000)}")
        ssl = str(values.get("smtp_security", "")).lower() == "ssl"
        values.setdefault("smtp_port", 465 if ssl else 587)
        if "secret_key" not in values:
            values["secret_key"] = _persistent_secret(var_dir)
        return values

    @field_validator("public_base_url")
    @staticmethod
    def _without_trailing_slash(value: str) -> str:
        return value.rstrip("/")

    @field_validator("context_url")
    @staticmethod
    def _context_url(value: str) -> str:
        """CONTEXT_URL must be an http(s) URL whose path is CONTEXT_PATH (served by the app)."""
        value = value.rstrip("/")
        if not value.startswith(("https://", "http://")) or not value.endswith(CONTEXT_PATH):
            raise ValueError(
                f"CONTEXT_URL 应为 https://<本机构公开地址>{CONTEXT_PATH}，实为 {value!r}")
        return value

    @field_validator("trusted_proxies", mode="before")
    @staticmethod
    def _trusted_proxies(value: Any) -> Any:
        """TRUSTED_PROXIES: comma-separated IP addresses or networks (``10.0.0.1, 10.1.0.0/16``).

        Anything else (a host name, ``*``) is refused naming the setting: a trusted proxy
        chooses the client address that login throttling and the audit log see."""
        items = value.split(",") if isinstance(value, str) else value
        proxies = []
        for item in (str(part).strip() for part in items):
            if not item:
                continue
            try:
                parsed = ipaddress.ip_network(item, strict=False) if "/" in item else (
                    ipaddress.ip_address(item))
            except ValueError:
                message = f"TRUSTED_PROXIES 应为逗号分隔的 IP 地址或网段，{item!r} 不是"
                raise ValueError(message) from None
            proxies.append(str(parsed))
        return tuple(proxies)

    @field_validator("sms_gateway", "file_storage", "smtp_security")
    @staticmethod
    def _one_of_choices(value: str, info: ValidationInfo) -> str:
        """SMS_GATEWAY, FILE_STORAGE and SMTP_SECURITY: one of their words, in any case."""
        return _one_of(info.field_name.upper(), _CHOICES[info.field_name], value)

    @model_validator(mode="after")
    def _messaging_complete(self) -> Settings:
        """A half messaging configuration is refused at start-up: SMS_GATEWAY=http needs
        SMS_GATEWAY_URL (http/https); SMTP_HOST needs SMTP_FROM; SMTP_USER and SMTP_PASSWORD go
        together."""
        url = self.sms_gateway_url
        if self.sms_gateway == "http" and not url.startswith(("https://", "http://")):
            raise ValueError("SMS_GATEWAY=http 时须设置 SMS_GATEWAY_URL（短信网关的 http(s) 地址）")
        if self.smtp_host and "@" not in self.smtp_from:
            raise ValueError("设置了 SMTP_HOST 时须设置 SMTP_FROM（发件人邮箱地址）")
        if bool(self.smtp_user) != bool(self.smtp_password):
            raise ValueError("SMTP_USER 与 SMTP_PASSWORD 须同时设置")
        return self

    @property
    def secure_cookies(self) -> bool:
        """Session and CSRF cookies are Secure when asked (COOKIE_SECURE=1) and always when the
        public address (PUBLIC_BASE_URL) is https."""
        return self.cookie_secure or self.public_base_url.lower().startswith("https://")

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


# What a type error means, by pydantic's error type (its context fills the braces).
_REASONS = {
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "int_type": "应为整数",
    "bool_parsing": "应为 1 或 0",
    "bool_type": "应为 1 或 0",
    "greater_than_equal": "应不小于 {ge}",
    "less_than_equal": "应不大于 {le}",
}


def _problem(error: Any) -> str:
    """One line naming the variable at fault: the validator's own message, or the value given and
    what it should be."""
    if error["type"] == "value_error":
        return str(error["ctx"]["error"])
    name = str(error["loc"][0]) if error["loc"] else ""
    reason = _REASONS.get(error["type"], error["msg"]).format(**error.get("ctx", {}))
    if name in SECRET_FIELDS or not name:
        return f"{name.upper()} 无效：{reason}"
    return f"{name.upper()}={error['input']!r} 无效：{reason}"


def load_settings() -> Settings:
    """Read the settings from the environment now (tests; the app uses :func:`get_settings`).

    Raises InvalidSettings (a ValueError) naming every variable at fault."""
    try:
        return Settings()  # type: ignore[call-arg]  # the derived fields are filled in
    except ValidationError as exc:
        raise InvalidSettings("\n".join(_problem(e) for e in exc.errors())) from None
    except pydantic_settings.SettingsError as exc:
        raise InvalidSettings(str(exc)) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings, read once (``get_settings.cache_clear()`` re-reads them); InvalidSettings
    as :func:`load_settings`."""
    return load_settings()
