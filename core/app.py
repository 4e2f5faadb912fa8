"""The Litestar app built from an installed composition (core.wiring): settings, database
lifecycle, auth, sessions, CSRF, templates, stores and every domain's routes. No rules live here;
the top-level ``composition`` module calls :func:`build_app`."""

from __future__ import annotations

import gc

from litestar import Litestar, Request, Response
from litestar.config.csrf import CSRFConfig
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.plugins.flash import FlashConfig, FlashPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.stores.base import Store
from litestar.stores.file import FileStore
from litestar.template.config import TemplateConfig

from core import db, housekeeping, labels, templating
from core.accounts.auth import AuthMiddleware
from core.accounts.password_controllers import password_change_gate
from core.accounts.sessions import SESSION_COOKIE, RenewingSessionConfig
from core.claims.controllers import identity_gate
from core.favicon import favicon
from core.http_errors import EXCEPTION_HANDLERS
from core.input_guard import InputGuardMiddleware
from core.logging_setup import access_log_middleware, configure_logging
from core.openapi_errors import document_error_responses
from core.ratelimit import ProcessStore
from core.security_headers import add_security_headers
from core.settings import ROOT, Settings, get_settings
from core.wiring import Wiring

PUBLIC_API = "^/api/v1/public/"
MAX_BODY_BYTES = 10 * 1024 * 1024  # uploads: 10 MB (results files); larger answers 413


def build_stores(settings: Settings) -> dict[str, Store]:
    """Sessions and counters: files/memory for one process, Redis when REDIS_URL is set."""
    if settings.redis_url:
        from core.redis_store import SharedStore  # redis-py (~20 MB) only when configured

        redis = SharedStore.from_url(settings.redis_url, settings.redis_namespace)
        return {name: redis.with_namespace(name) for name in ("sessions", "throttle", "rate_limit")}
    return {
        "sessions": FileStore(settings.var_dir / "sessions", create_directories=True),
        "throttle": ProcessStore(),  # counters and locks (core.ratelimit)
        "rate_limit": ProcessStore(),
    }


# Requests that never show a qualification's name: no catalogue read before them (the public
# lookup stays one query; /health answers on a database that is not migrated).
_NO_LABELS = ("/health", "/static/", "/favicon.ico", "/api/v1/public/")


_frozen: list[bool] = []


async def _freeze_startup_objects() -> None:
    """Last of on_startup, once per process: the objects the start-up made (modules, routes,
    templates: some 170,000) are moved out of the garbage collector's passes, so a full pass
    under load scans only what requests keep (a pass over everything costs tens of
    milliseconds: tail latency)."""
    if not _frozen:
        _frozen.append(True)
        gc.collect()
        gc.freeze()


async def _gates(request: Request) -> Response | None:
    """Before every request: an admin-set password is changed first, then an unproved
    identity claim (a trainee) is proved on /account/verify. The label table's catalogue
    names are re-read when older than a minute (core.labels)."""
    # the scope's path, as the router matched it (request.url would parse the whole URL)
    if not request.scope["path"].startswith(_NO_LABELS):
        await labels.refresh_catalogue(force=False)
    return password_change_gate(request) or identity_gate(request)


def build_app(wiring: Wiring, settings: Settings | None = None) -> Litestar:
    """The app serving every domain of ``wiring`` (already installed by the caller).

    With ``settings.run_jobs`` the web process also runs the worker's background work and
    hourly tasks (the embedded default: one process); otherwise ``python -m core.manage
    worker`` does."""
    settings = settings or get_settings()
    configure_logging(settings.log_level)
    db.bind(wiring.tables)
    template_config = TemplateConfig(
        directory=ROOT / "templates",
        engine=JinjaTemplateEngine,
        engine_callback=templating.configure,
    )
    session_config = RenewingSessionConfig(
        store="sessions",
        max_age=settings.session_ttl_seconds,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        key=SESSION_COOKIE,
        # public lookups need no session or user: skip the session store and the user query
        exclude=[PUBLIC_API],
    )
    csrf_config = CSRFConfig(
        secret=settings.secret_key,
        cookie_name="csrftoken",
        cookie_secure=settings.secure_cookies,
        cookie_samesite="lax",
        exclude=["/api/", "/health"],
        safe_methods={"GET", "HEAD", "OPTIONS"},
    )
    app = Litestar(
        route_handlers=[
            *wiring.routes,
            favicon,
            create_static_files_router(
                path="/static", directories=[ROOT / "static"], include_in_schema=False
            ),
        ],
        middleware=[
            access_log_middleware,
            session_config.middleware,
            DefineMiddleware(AuthMiddleware,
                             exclude=["^/static/", "^/favicon.ico$", "^/schema", PUBLIC_API]),
            InputGuardMiddleware(),
        ],
        csrf_config=csrf_config,
        before_request=_gates,
        before_send=[add_security_headers],  # CSP, nosniff, framing, Retry-After, Bearer
        template_config=template_config,
        plugins=[FlashPlugin(FlashConfig(template_config=template_config))],
        stores=build_stores(settings),
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        on_startup=[db.on_startup, *wiring.on_startup, housekeeping.starter(settings),
                    *([b.start for b in wiring.background] if settings.run_jobs else []),
                    _freeze_startup_objects],
        on_shutdown=[
            housekeeping.stop,
            *([b.stop for b in wiring.background] if settings.run_jobs else []),
            *wiring.on_shutdown,
            db.on_shutdown,
        ],
        openapi_config=OpenAPIConfig(
            title="托育从业人员培训与认证平台 API",
            version="1.0.0",
            path="/schema",
            description="宁河区托育从业人员培训、认证、机构人员配备与备案的接口。",
        ),
        request_max_body_size=MAX_BODY_BYTES,
        debug=settings.debug,
    )
    document_error_responses(app)  # 401/403/404/409/422/429… as each operation really answers
    return app
