"""Settings: one small dataclass read from the environment (documented in .env.example)."""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default).strip() or default


def _int(name: str, default: int) -> int:
    return int(_env(name, str(default)))


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


@dataclass(frozen=True)
class Settings:
    database_url: str
    var_dir: Path
    files_dir: Path
    secret_key: str
    host: str = "127.0.0.1"
    port: int = 8000
    public_base_url: str = "http://127.0.0.1:8000"
    # URL of our JSON-LD context named in every credential: the issuer's own public address +
    # CONTEXT_PATH (each deployment serves the document there). The demo keeps the reserved
    # .example host, which verifiers also map, so credentials already issued keep verifying.
    context_url: str = "https://caregiver-registry.example/ns/credentials/v1"
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
    trusted_proxies: tuple[str, ...] = ()
    verify_rate_limit_per_minute: int = 60
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 64 * 1024
    demo_data: bool = True
    cookie_secure: bool = False
    run_jobs: bool = True
    signing_key_passphrase: str = ""
    # Freshness window of a signed status list (validUntil = generation + this many hours): the
    # verifier refuses an older copy, so a list saved before a revocation cannot be replayed.
    status_list_validity_hours: int = 24
    # Messages (core.messages.gateways): SMS through "local" (embedded: never leaves the machine,
    # bodies readable on /admin/messages) or "http" (a provider's HTTP gateway); e-mail through
    # SMTP when smtp_host is set, else local.
    sms_gateway: str = "local"
    sms_gateway_url: str = ""
    sms_gateway_token: str = ""
    sms_sign: str = ""
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = ""
    smtp_security: str = "starttls"
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def secure_cookies(self) -> bool:
        """Session and CSRF cookies are Secure when asked (COOKIE_SECURE=1) and always when the
        public address (PUBLIC_BASE_URL) is https."""
        return self.cookie_secure or self.public_base_url.lower().startswith("https://")

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def sqlite_path(self) -> Path:
        raw = self.database_url.split("sqlite:///", 1)[1]
        path = Path(raw)
        return path if path.is_absolute() else ROOT / path


CONTEXT_PATH = "/ns/credentials/v1"


def _context_url(value: str) -> str:
    """CONTEXT_URL must be an http(s) URL whose path is CONTEXT_PATH (served by the app)."""
    value = value.rstrip("/")
    if not value.startswith(("https://", "http://")) or not value.endswith(CONTEXT_PATH):
        raise ValueError(f"CONTEXT_URL 应为 https://<本机构公开地址>{CONTEXT_PATH}，实为 {value!r}")
    return value


SMS_GATEWAYS = ("local", "http")
SMTP_SECURITY = ("starttls", "ssl", "none")


def _messaging() -> dict[str, object]:
    """The SMS and SMTP settings, refusing a half configuration at start-up (ValueError naming
    the variable): SMS_GATEWAY=http needs SMS_GATEWAY_URL (http/https); SMTP_HOST needs
    SMTP_FROM; SMTP_USER and SMTP_PASSWORD go together."""
    sms = _env("SMS_GATEWAY", "local").lower()
    if sms not in SMS_GATEWAYS:
        raise ValueError(f"SMS_GATEWAY 应为 local 或 http，实为 {sms!r}")
    url = os.environ.get("SMS_GATEWAY_URL", "").strip()
    if sms == "http" and not url.startswith(("https://", "http://")):
        raise ValueError("SMS_GATEWAY=http 时须设置 SMS_GATEWAY_URL（短信网关的 http(s) 地址）")
    security = _env("SMTP_SECURITY", "starttls").lower()
    if security not in SMTP_SECURITY:
        raise ValueError(f"SMTP_SECURITY 应为 starttls、ssl 或 none，实为 {security!r}")
    host = os.environ.get("SMTP_HOST", "").strip()
    sender = os.environ.get("SMTP_FROM", "").strip()
    user = os.environ.get("SMTP_USER", "").strip()
    password = os.environ.get("SMTP_PASSWORD", "")
    if host and "@" not in sender:
        raise ValueError("设置了 SMTP_HOST 时须设置 SMTP_FROM（发件人邮箱地址）")
    if bool(user) != bool(password):
        raise ValueError("SMTP_USER 与 SMTP_PASSWORD 须同时设置")
    return {
        "sms_gateway": sms, "sms_gateway_url": url,
        "sms_gateway_token": os.environ.get("SMS_GATEWAY_TOKEN", "").strip(),
        "sms_sign": os.environ.get("SMS_SIGN", "").strip(),
        "smtp_host": host, "smtp_port": _int("SMTP_PORT", 465 if security == "ssl" else 587),
        "smtp_user": user, "smtp_password": password, "smtp_from": sender,
        "smtp_security": security,
    }


def _trusted_proxies(value: str) -> tuple[str, ...]:
    """TRUSTED_PROXIES: comma-separated IP addresses or networks (``10.0.0.1, 10.1.0.0/16``).

    Raises ValueError naming the setting for anything else (a host name, ``*``): a trusted
    proxy chooses the client address that login throttling and the audit log see."""
    proxies = []
    for item in (part.strip() for part in value.split(",")):
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


def load_settings() -> Settings:
    var_dir = Path(_env("VAR_DIR", str(ROOT / "var")))
    host = _env("HOST", "127.0.0.1")
    port = _int("PORT", 8000)
    database_url = _env("DATABASE_URL", f"sqlite:///{var_dir / 'registry.sqlite3'}")
    # Background work in the web process: yes on SQLite (one process), no on PostgreSQL
    # (``python -m core.manage worker`` runs it); RUN_JOBS=0/1 decides when set.
    run_jobs_default = "1" if database_url.startswith("sqlite") else "0"
    return Settings(
        database_url=database_url,
        var_dir=var_dir,
        files_dir=Path(_env("FILES_DIR", str(var_dir / "files"))),
        secret_key=os.environ.get("SECRET_KEY") or _persistent_secret(var_dir),
        host=host,
        port=port,
        public_base_url=_env("PUBLIC_BASE_URL", f"http://{host}:{port}").rstrip("/"),
        context_url=_context_url(_env("CONTEXT_URL", Settings.context_url)),
        redis_url=os.environ.get("REDIS_URL", "").strip(),
        redis_namespace=_env("REDIS_NAMESPACE", "registry"),
        debug=_env("DEBUG", "0") == "1",
        log_level=_env("LOG_LEVEL", "INFO"),
        token_ttl_seconds=_int("TOKEN_TTL_SECONDS", 8 * 3600),
        session_ttl_seconds=_int("SESSION_TTL_SECONDS", 8 * 3600),
        login_max_failures=_int("LOGIN_MAX_FAILURES", 5),
        login_lock_seconds=_int("LOGIN_LOCK_SECONDS", 15 * 60),
        login_ip_max_failures=_int("LOGIN_IP_MAX_FAILURES", 30),
        trusted_proxies=_trusted_proxies(os.environ.get("TRUSTED_PROXIES", "")),
        verify_rate_limit_per_minute=_int("VERIFY_RATE_LIMIT_PER_MINUTE", 60),
        argon2_time_cost=_int("ARGON2_TIME_COST", 3),
        argon2_memory_kib=_int("ARGON2_MEMORY_KIB", 64 * 1024),
        demo_data=_env("DEMO_DATA", "1") == "1",
        cookie_secure=_env("COOKIE_SECURE", "0") == "1",
        run_jobs=_env("RUN_JOBS", run_jobs_default) == "1",
        signing_key_passphrase=os.environ.get("SIGNING_KEY_PASSPHRASE", ""),
        status_list_validity_hours=_int("STATUS_LIST_VALIDITY_HOURS", 24),
        **_messaging(),  # type: ignore[arg-type]
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
