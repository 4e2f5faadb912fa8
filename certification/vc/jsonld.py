"""JSON-LD contexts bundled with the app, and RDFC-1.0 canonicalisation in "safe mode".

Verification never fetches a context: the loader serves only the files in ``contexts/`` and
raises for anything else. Safe mode (as Digital Bazaar's verifiers run it) rejects a document
with a term no context defines, instead of silently leaving it out of what is signed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any

# pyld (~19 MB per process) is imported where a document is canonicalised: web processes that
# only verify numbers never load it.

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
# Our context as first published (reserved .example host). Each deployment now names its own
# public address in the CONTEXT_URL setting (same document, served at REGISTRY_CONTEXT_PATH);
# this URL stays an alias of that document so credentials already issued keep verifying.
REGISTRY_CONTEXT = "https://caregiver-registry.example/ns/credentials/v1"
REGISTRY_CONTEXT_PATH = "/ns/credentials/v1"

CONTEXTS_DIR = Path(__file__).parent / "contexts"
# contexts/index.json maps each context URL to its bundled file (the JS interop verifier reads
# it too). credentials-v2.jsonld is the W3C VC 2.0 context exactly as shipped in npm
# @digitalbazaar/credentials-context 3.2.0 (contexts/v2.jsonld); it already defines
# DataIntegrityProof and the Bitstring Status List terms, so no other W3C context is needed.
BUNDLED_CONTEXTS: dict[str, str] = json.loads(
    (CONTEXTS_DIR / "index.json").read_text(encoding="utf-8")
)


class CanonicalizationError(ValueError):
    """The document cannot be canonicalised safely (undefined term, unknown context, …)."""


def bundled_context(url: str) -> dict:
    """A fresh copy of a bundled context document (callers may mutate it)."""
    return json.loads(_bundled_text(url))


# The other addresses of our context that the code running now may meet: this deployment's
# CONTEXT_URL while it signs, the trust list's contextUrls while the verifier checks. Scoped to
# the running code (:func:`registry_contexts`), never a process-wide registry: one caller's
# addresses do not leak into another's canonicalisation.
_registry_aliases: ContextVar[frozenset[str]] = ContextVar("registry_context_aliases",
                                                          default=frozenset())


def checked_registry_context(url: str) -> str:
    """``url`` itself when it may name our bundled context: an http(s) URL ending with
    REGISTRY_CONTEXT_PATH. Raises ValueError otherwise."""
    if not url.startswith(("https://", "http://")) or not url.endswith(REGISTRY_CONTEXT_PATH):
        raise ValueError(
            f"上下文地址应为 http(s)://…{REGISTRY_CONTEXT_PATH} (context URL must end so): {url}"
        )
    return url


@contextmanager
def registry_contexts(urls: Iterable[str]) -> Iterator[None]:
    """Within the block, documents naming any of ``urls`` (a deployment's CONTEXT_URL, the
    trust list's contextUrls) canonicalise offline with our bundled context, as they do
    REGISTRY_CONTEXT; blocks nest (the inner one adds to the outer). Scoped to the running
    thread or task (a context variable), so it holds in a pool process or a worker thread only
    when entered there. Raises ValueError (before the block) for a URL
    :func:`checked_registry_context` refuses."""
    added = frozenset(checked_registry_context(url) for url in urls)
    token = _registry_aliases.set(_registry_aliases.get() | added)
    try:
        yield
    finally:
        _registry_aliases.reset(token)


def registry_context_urls() -> set[str]:
    """Every URL served by our bundled context here and now: the original and the addresses of
    the enclosing :func:`registry_contexts` blocks."""
    return {REGISTRY_CONTEXT, *_registry_aliases.get()}


def _filename(url: str) -> str:
    if url in BUNDLED_CONTEXTS:
        return BUNDLED_CONTEXTS[url]
    if url in registry_context_urls():
        return BUNDLED_CONTEXTS[REGISTRY_CONTEXT]
    raise CanonicalizationError(
        f"JSON-LD 上下文未随系统提供，不联网加载 (context not bundled, never fetched): {url}"
    )


def _bundled_text(url: str) -> str:
    return _read_context(_filename(url))


@cache
def _read_context(filename: str) -> str:
    return (CONTEXTS_DIR / filename).read_text(encoding="utf-8")


def document_loader(url: str, options: dict | None = None) -> dict:
    """pyld document loader serving only the bundled contexts."""
    from pyld import jsonld

    try:
        document = bundled_context(url)
    except CanonicalizationError as error:
        raise jsonld.JsonLdError(
            str(error), "jsonld.LoadDocumentError", {"url": url}, code="loading document failed"
        ) from error
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": document,
    }


def _raise_dropped(expanded_property: str | None) -> None:
    raise CanonicalizationError(
        f"上下文未定义的字段 (term not defined by any context): {expanded_property}"
    )


def _check_absolute_iris(node: Any) -> None:
    """Safe mode: every @id and @type must have expanded to an absolute IRI or blank node."""
    if isinstance(node, list):
        for item in node:
            _check_absolute_iris(item)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key in ("@id", "@type") and "@value" not in node:
            for iri in value if isinstance(value, list) else [value]:
                if not (iri.startswith("_:") or ":" in iri):
                    raise CanonicalizationError(
                        f"上下文未定义的类型或标识 (undefined type or relative IRI): {iri}"
                    )
        elif key != "@value":
            _check_absolute_iris(value)


def canonicalize(document: dict) -> str:
    """RDFC-1.0 (URDNA2015) canonical N-Quads of a JSON-LD document."""
    from pyld import jsonld

    options = {"documentLoader": document_loader, "base": None}
    try:
        expanded = jsonld.JsonLdProcessor(on_property_dropped=_raise_dropped).expand(
            document, dict(options)
        )
        _check_absolute_iris(expanded)
        return jsonld.normalize(
            expanded,
            dict(options, algorithm="URDNA2015", format="application/n-quads"),
        )
    except jsonld.JsonLdError as error:
        raise CanonicalizationError(_innermost_message(error)) from error


def _innermost_message(error: BaseException) -> str:
    while error.__cause__ is not None or getattr(error, "cause", None) is not None:
        error = error.__cause__ or error.cause
    if isinstance(error, CanonicalizationError):
        return str(error)
    return f"JSON-LD 处理失败 (JSON-LD processing failed): {getattr(error, 'message', error)}"
