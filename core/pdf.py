"""HTML to PDF with WeasyPrint, shared by every domain's printed documents.

Synchronous and CPU-bound (≈0.1 s for a one-page Chinese document once warm): call it from a
worker thread or process with a small concurrency limit, never on the event loop.

Chinese fonts are embedded compactly (see "Compact CJK fonts" below): a certificate with two Noto
CJK faces is ≈40 KB instead of ≈300 KB, and subsetting takes a few milliseconds instead of tens.

What is reused between renders, per thread (WeasyPrint's Pango/fontconfig objects are not
documented as thread-safe, so each worker thread keeps its own):
- one ``FontConfiguration`` (fontconfig set-up and font lookups are the slow part);
- parsed stylesheets, keyed by file path.

Fetching is restricted: ``data:`` URIs anywhere, ``file:`` only under the templates folder, no
network. Images (photos, QR codes) go in as data URIs.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pydyf
import weasyprint.pdf
import weasyprint.pdf.fonts
import weasyprint.pdf.stream
from weasyprint import CSS, HTML
from weasyprint.text.ffi import ffi, harfbuzz, harfbuzz_subset
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
    compact: bool = True,
) -> bytes:
    """Render an HTML document to PDF bytes.

    ``stylesheets`` are CSS files (parsed once per thread and reused) applied after
    ``BASE_CSS``; ``pdf_variant`` is e.g. ``"pdf/a-3u"`` for archiving, with an optional
    ``pdf_identifier``. ``compact=False`` embeds fonts the way WeasyPrint does on its own
    (for comparisons: same look, larger file). The HTML should carry ``<html lang="zh-CN">``
    and a ``<title>``.

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
    with compact_fonts(compact):
        return document.write_pdf(
            stylesheets=sheets,
            font_config=font_config(),
            pdf_variant=pdf_variant,
            pdf_identifier=pdf_identifier,
        )


# --- Compact CJK fonts ---------------------------------------------------------------------------
# WeasyPrint subsets fonts keeping their glyph IDs: content streams name glyphs by their ID in the
# full font. Noto CJK holds 65,535 glyphs and Chinese ones sit high, so each embedded face keeps
# ~63,000 empty glyphs (a CharStrings INDEX of ~260 KB, ≈145 KB compressed) and subsetting and
# compressing it costs tens of milliseconds per face per render.
#
# Noto CJK is a CID-keyed CFF font (ROS Adobe-Identity-0) whose CIDs equal its glyph IDs, so the
# codes WeasyPrint writes are its CIDs. A PDF may embed such a font as a bare CFF program
# (FontFile3 /CIDFontType0C, ISO 32000 9.7.4.2 and 9.9), in which the font's charset maps each
# kept glyph to its CID: so inside ``render_html_to_pdf`` such faces are subset to the used glyphs
# only and embedded as their CFF table. An OpenType-wrapped compact subset would not do (poppler
# reads CIDs as glyph indexes of an OpenType font). Every other font (TrueType such as HanaMin, a
# CFF whose CIDs are not its glyph IDs, a font with missing glyphs, a failed subset) goes
# WeasyPrint's own way, and so does any WeasyPrint call outside ``render_html_to_pdf``. The page
# draws the same, pixel for pixel, in poppler, MuPDF and Ghostscript (tests/certification).

_DROP_TABLES = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF", b"LTSH",
                b"PCLT", b"SVG ", b"cmap", b"hmtx", b"vmtx", b"VORG", b"name", b"post", b"OS/2")
_ROS, _CHARSET, _CHARSTRINGS = 1230, 15, 17  # CFF Top DICT operators (12 30, 15, 17)


def _u16(data: bytes, at: int) -> int:
    return int.from_bytes(data[at:at + 2], "big")


def _cff_index(data: bytes, at: int) -> tuple[list[tuple[int, int]], int]:
    """The (start, end) byte ranges of the items of the CFF INDEX at ``at``, and where it ends."""
    count = _u16(data, at)
    if count == 0:
        return [], at + 2
    size = data[at + 2]
    offsets = [int.from_bytes(data[at + 3 + i * size:at + 3 + (i + 1) * size], "big")
               for i in range(count + 1)]
    base = at + 2 + (count + 1) * size  # offsets count from the byte before the data
    return [(base + offsets[i], base + offsets[i + 1]) for i in range(count)], base + offsets[-1]


def _cff_dict(data: bytes) -> dict[int, list[float]]:
    """Operator -> operands of a CFF DICT (two-byte operators 12 x as 1200 + x; reals as 0)."""
    entries: dict[int, list[float]] = {}
    operands: list[float] = []
    i = 0
    while i < len(data):
        b0 = data[i]
        if b0 <= 21:
            if b0 == 12:
                i += 1
                b0 = 1200 + data[i]
            entries[b0], operands = operands, []
            i += 1
        elif b0 == 28:
            operands.append(int.from_bytes(data[i + 1:i + 3], "big", signed=True))
            i += 3
        elif b0 == 29:
            operands.append(int.from_bytes(data[i + 1:i + 5], "big", signed=True))
            i += 5
        elif b0 == 30:  # a real: nibbles up to an 0xF nibble; no value read is a real
            i += 1
            while data[i] >> 4 != 0xF and data[i] & 0xF != 0xF:
                i += 1
            i += 1
            operands.append(0.0)
        elif 32 <= b0 <= 246:
            operands.append(b0 - 139)
            i += 1
        elif 247 <= b0 <= 250:
            operands.append((b0 - 247) * 256 + data[i + 1] + 108)
            i += 2
        elif 251 <= b0 <= 254:
            operands.append(-(b0 - 251) * 256 - data[i + 1] - 108)
            i += 2
        else:
            raise ValueError(f"reserved CFF DICT byte {b0}")
    return entries


def _cff_top_dict(cff) -> dict[int, list[float]]:  # noqa: ANN001 — bytes or memoryview
    _, after_names = _cff_index(cff, cff[2])
    top, _ = _cff_index(cff, after_names)
    return _cff_dict(cff[top[0][0]:top[0][1]])


def cff_cids(cff: bytes) -> list[int] | None:
    """The CIDs of glyphs 1, 2, … of a CID-keyed CFF font program (its charset), or None if the
    program is not CID-keyed. Raises ``ValueError``/``IndexError`` on a malformed program."""
    entries = _cff_top_dict(cff)
    if _ROS not in entries or _CHARSET not in entries:
        return None
    glyphs = _u16(cff, int(entries[_CHARSTRINGS][0]))
    at = int(entries[_CHARSET][0])
    form, at = cff[at], at + 1
    cids: list[int] = []
    while len(cids) < glyphs - 1:
        if form == 0:
            cids.append(_u16(cff, at))
            at += 2
        elif form in (1, 2):
            first, left = _u16(cff, at), (cff[at + 2] if form == 1 else _u16(cff, at + 2))
            cids.extend(range(first, first + left + 1))
            at += 3 if form == 1 else 4
        else:
            raise ValueError(f"unknown CFF charset format {form}")
    return cids


def _cids_are_glyph_ids(hb_face) -> bool:  # noqa: ANN001 — an hb_face_t pointer
    """Whether the face's CFF program is CID-keyed with CID = glyph ID for every glyph, read from
    its charset in place (Noto CJK: one range of format 2, so this reads a few hundred bytes)."""
    blob = harfbuzz.hb_face_reference_table(hb_face, harfbuzz.hb_tag_from_string(b"CFF ", -1))
    try:
        with ffi.new("unsigned int *") as length:
            data = harfbuzz.hb_blob_get_data(blob, length)
            if data == ffi.NULL or length[0] < 4:
                return False
            cff = memoryview(ffi.buffer(data, int(length[0])))
            entries = _cff_top_dict(cff)
            if _ROS not in entries or _CHARSET not in entries:
                return False
            glyphs = _u16(cff, int(entries[_CHARSTRINGS][0]))
            at = int(entries[_CHARSET][0])
            # One range from CID 1 covering every glyph after .notdef (formats 1 and 2).
            if cff[at] == 2:
                return _u16(cff, at + 1) == 1 and _u16(cff, at + 3) == glyphs - 2
            return cff[at] == 1 and glyphs - 2 <= 255 and _u16(cff, at + 1) == 1 and (
                cff[at + 3] == glyphs - 2)
    except (IndexError, ValueError):
        return False
    finally:
        harfbuzz.hb_blob_destroy(blob)


def _blob_bytes(blob) -> bytes:  # noqa: ANN001 — an hb_blob_t pointer
    with ffi.new("unsigned int *") as length:
        data = harfbuzz.hb_blob_get_data(blob, length)
        content = b"" if data == ffi.NULL else ffi.unpack(data, int(length[0]))
    harfbuzz.hb_blob_destroy(blob)
    return content


def _compact_cff(font, glyphs: set[int], hinting: bool) -> bytes | None:  # noqa: ANN001
    """The CFF program of ``font`` (a ``weasyprint.pdf.fonts.Font``) reduced to ``glyphs`` and
    .notdef, its charset naming each glyph's CID; None unless the full program is CID-keyed with
    CIDs equal to glyph IDs (then the glyph IDs WeasyPrint writes stay valid CIDs)."""
    if (harfbuzz_subset is None or "CFF " not in font.tables or "fvar" in font.tables
            or font.missing or font.bitmap or font.png or font.svg or font.colr
            or not _cids_are_glyph_ids(font.hb_face)):
        return None
    subset_input = ffi.gc(harfbuzz_subset.hb_subset_input_create_or_fail(),
                          harfbuzz_subset.hb_subset_input_destroy)
    if subset_input == ffi.NULL:
        return None
    kept = sorted({0, *glyphs})
    harfbuzz.hb_set_add_sorted_array(
        harfbuzz_subset.hb_subset_input_glyph_set(subset_input),
        ffi.new(f"hb_codepoint_t[{len(kept)}]", kept), len(kept))
    drop = sorted(harfbuzz.hb_tag_from_string(tag, -1) for tag in _DROP_TABLES)
    harfbuzz.hb_set_add_sorted_array(
        harfbuzz_subset.hb_subset_input_set(
            subset_input, harfbuzz_subset.HB_SUBSET_SETS_DROP_TABLE_TAG),
        ffi.new(f"hb_codepoint_t[{len(drop)}]", drop), len(drop))
    flags = harfbuzz_subset.HB_SUBSET_FLAGS_DESUBROUTINIZE
    if not hinting:
        flags |= harfbuzz_subset.HB_SUBSET_FLAGS_NO_HINTING
    harfbuzz_subset.hb_subset_input_set_flags(subset_input, flags)
    face = harfbuzz_subset.hb_subset_or_fail(font.hb_face, subset_input)
    if face == ffi.NULL:
        return None
    face = ffi.gc(face, harfbuzz.hb_face_destroy)
    tag = harfbuzz.hb_tag_from_string(b"CFF ", -1)
    cff = _blob_bytes(harfbuzz.hb_face_reference_table(face, tag))
    try:
        cids = cff_cids(cff) if cff else None
    except (IndexError, ValueError):
        return None
    # The subset may add glyphs (e.g. accent components); every kept one must keep its CID.
    return cff if cids is not None and set(kept[1:]) <= set(cids) else None


# WeasyPrint's own function (also if this module is imported again).
_stock_build_fonts_dictionary = getattr(weasyprint.pdf.build_fonts_dictionary, "__wrapped__",
                                        weasyprint.pdf.build_fonts_dictionary)


def _build_fonts_dictionary(pdf, fonts, compress, subset, options):  # noqa: ANN001, ANN202
    """WeasyPrint's ``build_fonts_dictionary``, with compact CID-keyed CFF faces while this thread
    is inside ``render_html_to_pdf`` (see the note above)."""
    compact: dict[int, bytes] = {}  # id(OpenType stand-in) -> bare CFF program
    if subset and getattr(_local, "compact_fonts", False):
        groups: dict[str, list] = {}
        for font in fonts.values():  # WeasyPrint embeds one program per font file hash
            groups.setdefault(font.hash, []).append(font)
        for group in groups.values():
            font = group[0]
            glyphs = {glyph for member in group for glyph in member.to_unicode}
            if font.used_in_forms or not glyphs:
                continue
            if (cff := _compact_cff(font, glyphs, options["hinting"])) is not None:
                # WeasyPrint's clean() then keeps this stand-in, whose OTTO tag makes it embed a
                # CIDFontType0 with a FontFile3; its bytes are swapped for the CFF program below.
                font.file_content = b"OTTO" + cff
                font.subset = _no_subset
                compact[id(font.file_content)] = cff
    result = _stock_build_fonts_dictionary(pdf, fonts, compress, subset, options)
    if compact:
        programs = set()
        for item in pdf.objects:
            if (isinstance(item, pydyf.Stream) and len(item.stream) == 1
                    and id(item.stream[0]) in compact):
                item.stream = [compact[id(item.stream[0])]]
                item.extra["Subtype"] = "/CIDFontType0C"
                programs.add(item.reference)
        descriptors = {item.reference for item in pdf.objects if isinstance(item, pydyf.Dictionary)
                       and item.get("FontFile3") in programs}
        for item in pdf.objects:  # CIDToGIDMap belongs to TrueType CIDFonts only
            if isinstance(item, pydyf.Dictionary) and item.get("FontDescriptor") in descriptors:
                item.pop("CIDToGIDMap", None)
    return result


@contextlib.contextmanager
def compact_fonts(enabled: bool = True) -> Iterator[None]:
    """Within the block, WeasyPrint renders on this thread embed CID-keyed CFF faces compactly
    (``render_html_to_pdf`` does this; exposed for benchmarks comparing plain WeasyPrint)."""
    previous = getattr(_local, "compact_fonts", False)
    _local.compact_fonts = enabled
    try:
        yield
    finally:
        _local.compact_fonts = previous


def _no_subset(to_unicode, hinting) -> None:  # noqa: ANN001
    """Stands in for ``Font.subset`` on a font already reduced by ``_compact_cff``."""


_build_fonts_dictionary.__wrapped__ = _stock_build_fonts_dictionary
weasyprint.pdf.build_fonts_dictionary = _build_fonts_dictionary


# --- Font files read only when needed ------------------------------------------------------------
# WeasyPrint's ``Font`` copies the whole font file into a bytes object as soon as a document uses
# a face: for a Noto CJK collection 20–27 MB per face per render (a few milliseconds of copying
# and page faults each, ~10 % of a certificate), although only a font embedded whole, subset with
# fontTools, instantiated from a variable font or stripped of colour glyphs ever reads it (the
# HarfBuzz subset and the compact CFF above read the face itself). Inside
# ``render_html_to_pdf`` (``compact_fonts``) a face's file is copied when first read, with the
# same function, so every path that reads it gets the same bytes; elsewhere WeasyPrint is as is.

_stock_get_hb_object_data = getattr(weasyprint.pdf.fonts.get_hb_object_data, "__wrapped__",
                                    weasyprint.pdf.fonts.get_hb_object_data)
_DEFERRED = object()  # stands in for a face's file content not read yet


def _get_hb_object_data(hb_object, ot_color=None, glyph=None):  # noqa: ANN001, ANN202
    """WeasyPrint's ``get_hb_object_data``; the whole file of a face is deferred while a
    ``_DeferredFont`` is being made (see the note above)."""
    if ot_color is None and getattr(_local, "defer_font_file", False):
        return _DEFERRED
    return _stock_get_hb_object_data(hb_object, ot_color, glyph)


class _DeferredFont(weasyprint.pdf.fonts.Font):
    """WeasyPrint's ``Font`` whose ``file_content`` (the whole font file, until a subset
    replaces it) is read from the face on first use when made inside ``compact_fonts``."""

    def __init__(self, pango_font, description, font_size) -> None:  # noqa: ANN001
        _local.defer_font_file = getattr(_local, "compact_fonts", False)
        try:
            super().__init__(pango_font, description, font_size)
        finally:
            _local.defer_font_file = False

    @property
    def file_content(self) -> bytes:
        content = self.__dict__["_file_content"]
        if content is _DEFERRED:
            content = self.__dict__["_file_content"] = _stock_get_hb_object_data(self.hb_face)
        return content

    @file_content.setter
    def file_content(self, value: bytes) -> None:
        self.__dict__["_file_content"] = value


_get_hb_object_data.__wrapped__ = _stock_get_hb_object_data
weasyprint.pdf.fonts.get_hb_object_data = _get_hb_object_data
weasyprint.pdf.stream.Font = _DeferredFont
