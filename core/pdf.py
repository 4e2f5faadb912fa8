"""HTML to PDF with WeasyPrint, shared by every domain's printed documents.

Synchronous and CPU-bound (≈0.1 s for a one-page Chinese document once warm): call it from a
worker thread or process with a small concurrency limit, never on the event loop.

What is reused between renders, per thread (WeasyPrint's Pango/fontconfig objects are not
documented as thread-safe, so each worker thread keeps its own):
- one ``FontConfiguration`` (fontconfig set-up and font lookups are the slow part);
- parsed stylesheets, keyed by file path.

Fetching is restricted: ``data:`` URIs anywhere, ``file:`` only under the templates folder, no
network. Images (photos, QR codes) go in as data URIs.
"""

from __future__ import annotations

import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from core.fonts import FALLBACK_CSS, UnprintableCharacter, first_unprintable

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"

# Family names as fontconfig knows them (Debian's fonts-noto-cjk); generic fallbacks can miss
# glyphs, so documents name these explicitly, followed by the fallback families for characters
# outside Noto CJK (core.fonts: HanaMin A/B, CJK Extension B and later).
SERIF_CJK = f'"Noto Serif CJK SC", {FALLBACK_CSS}'
SANS_CJK = f'"Noto Sans CJK SC", {FALLBACK_CSS}'

# A sane default for any document: A4, CJK fonts named, black text. Domain stylesheets come
# after it and override what they need.
BASE_CSS = f"""
@page {{ size: A4; margin: 18mm 16mm; }}
html {{ font-family: {SANS_CJK}, sans-serif; font-size: 10.5pt; color: #1a1a1a; }}
h1, h2, h3 {{ font-family: {SERIF_CJK}, serif; font-weight: bold; }}
table {{ border-collapse: collapse; }}
"""


class LocalOnlyFetcher(URLFetcher):
    """Fetch ``data:`` URIs, and ``file:`` URIs only under the given folders."""

    def __init__(self, roots: tuple[Path, ...]) -> None:
        super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False)
        self._roots = tuple(root.resolve() for root in roots)

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        if url.lower().startswith("file:"):
            path = Path(unquote(urlsplit(url).path)).resolve()
            if not any(path.is_relative_to(root) for root in self._roots):
                raise ValueError(f"file outside the allowed folders: {path.name}")
        return super().fetch(url, headers)


_FETCHER = LocalOnlyFetcher((TEMPLATES_DIR,))
_local = threading.local()


def font_config() -> FontConfiguration:
    """This thread's ``FontConfiguration``, created once."""
    config = getattr(_local, "font_config", None)
    if config is None:
        config = _local.font_config = FontConfiguration()
    return config


def _parse_css(text: str, base_url: str | None) -> CSS:
    return CSS(string=text, base_url=base_url, url_fetcher=_FETCHER, font_config=font_config())


def base_stylesheet() -> CSS:
    css = getattr(_local, "base_css", None)
    if css is None:
        css = _local.base_css = _parse_css(BASE_CSS, None)
    return css


def stylesheet(path: Path) -> CSS:
    """The parsed stylesheet at ``path`` (under ``templates/``), parsed once per thread.

    Relative ``url()``s in it resolve against its folder.
    """
    if not hasattr(_local, "stylesheets"):
        _local.stylesheets = {}
    cache: dict[Path, CSS] = _local.stylesheets
    resolved = path.resolve()
    if resolved not in cache:
        text = resolved.read_text(encoding="utf-8")
        cache[resolved] = _parse_css(text, resolved.parent.as_uri() + "/")
    return cache[resolved]


def render_html_to_pdf(
    html: str,
    *,
    stylesheets: tuple[Path, ...] = (),
    base_url: str | None = None,
    pdf_variant: str | None = None,
    pdf_identifier: bytes | None = None,
) -> bytes:
    """Render an HTML document to PDF bytes.

    ``stylesheets`` are CSS files (parsed once per thread and reused) applied after
    ``BASE_CSS``; ``pdf_variant`` is e.g. ``"pdf/a-3u"`` for archiving, with an optional
    ``pdf_identifier``. The HTML should carry ``<html lang="zh-CN">`` and a ``<title>``.

    Raises ``core.fonts.UnprintableCharacter`` (labelled 文档) if the HTML holds a character no
    document font covers: callers check their fields first to name the field; this is the
    backstop that keeps a box off every document.
    """
    if (char := first_unprintable(html)) is not None:
        raise UnprintableCharacter("文档", char)
    document = HTML(
        string=html, base_url=base_url or TEMPLATES_DIR.as_uri() + "/", url_fetcher=_FETCHER
    )
    sheets = [base_stylesheet(), *(stylesheet(path) for path in stylesheets)]
    return document.write_pdf(
        stylesheets=sheets,
        font_config=font_config(),
        pdf_variant=pdf_variant,
        pdf_identifier=pdf_identifier,
    )
