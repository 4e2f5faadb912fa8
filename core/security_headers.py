"""The security headers of every response, in one place.

A Litestar ``before_send`` hook (it wraps the app's ``send``, so it sees pages, API answers,
static files, downloads and the error pages of 401/404/429/500 alike) adds:

- ``Content-Security-Policy``. HTML: scripts only from this origin (``script-src 'self'``: no
  inline script and no ``on…=`` attribute; static/js/app.js does the confirmations and the
  back/print buttons from ``data-`` attributes), no plugins, no framing, forms post only here.
  ``style-src 'self'`` too: no ``<style>`` element or ``style`` attribute in the templates
  (tests/core/test_security_headers.py checks; the PDF templates are rendered by WeasyPrint, not
  a browser). Other responses (JSON, files) get ``default-src 'none'`` — except
  PDF, whose built-in browser viewer an ``object-src`` / ``default-src`` of ``'none'`` would
  block, so a PDF gets only ``script-src 'none'`` and ``frame-ancestors 'none'``.
  The API documentation pages under ``/schema`` (Swagger UI, ReDoc: Litestar's inline script
  and CDN bundle) are the one documented exception (``DOCS_POLICY``).
- ``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY`` (with ``frame-ancestors
  'none'`` for browsers that read only one of them) and ``Referrer-Policy: same-origin`` (a
  verification link carries a certificate number: it is not sent to other sites).
- ``WWW-Authenticate: Bearer`` on a 401 from ``/api/`` (RFC 6750), and ``Retry-After`` on a 429
  that did not say when to come back (the counters' window, core.ratelimit: 60 s).

A header the handler set itself is kept (``setdefault``).
"""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

HTML_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
# The one exception: the API documentation pages Litestar generates under /schema (Swagger UI,
# ReDoc) are an inline script loading its bundle from a CDN; they show no personal data and the
# README points developers at them. Everything else, /schema/openapi.json included, is strict.
DOCS_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://cdn.redoc.ly",
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com",
    "font-src 'self' https://fonts.gstatic.com",
    "img-src 'self' data: https://cdn.jsdelivr.net https://cdn.redoc.ly",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
))
DOCS_PATH = "/schema"
DATA_POLICY = "default-src 'none'; frame-ancestors 'none'"
PDF_POLICY = "script-src 'none'; frame-ancestors 'none'"
DEFAULT_RETRY_AFTER_SECONDS = 60  # the fixed window of core.ratelimit's counters

COMMON = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def policy_for(content_type: str, path: str = "") -> str:
    """The Content-Security-Policy for a response of this media type at this path."""
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind in ("text/html", "application/xhtml+xml", ""):
        docs = path == DOCS_PATH or path.startswith(DOCS_PATH + "/")
        return DOCS_POLICY if docs else HTML_POLICY
    if kind == "application/pdf":
        return PDF_POLICY
    return DATA_POLICY


async def add_security_headers(message: Message, scope: Scope) -> None:
    """before_send hook: put the headers above on the start message of every HTTP response."""
    if message["type"] != "http.response.start":
        return
    headers = MutableScopeHeaders.from_message(message)
    for name, value in COMMON.items():
        headers.setdefault(name, value)
    headers.setdefault("Content-Security-Policy",
                       policy_for(headers.get("content-type") or "", scope.get("path", "")))
    status = message["status"]
    if status == 401 and scope.get("path", "").startswith("/api/"):
        headers.setdefault("WWW-Authenticate", "Bearer")
    if status == 429:
        headers.setdefault("Retry-After", str(DEFAULT_RETRY_AFTER_SECONDS))
