"""Stamped copies: a certificate that is not valid shows its state on its face when downloaded.

The stored PDF (its bytes and SHA-256 recorded when it was rendered) is never changed. A download
of a suspended, revoked, expired or superseded certificate is a copy of it with a stamp page laid
over every page: the state in Chinese, the date of the change (for an expired certificate the
last valid day), for a superseded one the new certificate's number, and the original's SHA-256.

How: WeasyPrint renders the stamp as one transparent A4 page (``templates/certification/pdf/
stamp.html``, fonts checked like any document); pypdf merges it into each stored page's own
content stream and writes a new file with a fresh object layout. The copy never carries the
original's byte stream: no prefix (cut at any ``%%EOF``) and no part of it is the original or
has its SHA-256, so the clean file cannot be recovered from a copy (an incremental update
would begin with the original's exact bytes). Synchronous and CPU-bound (≈0.1 s): call it from
a worker thread.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from core.pdf import TEMPLATES_DIR, render_html_to_pdf

STAMP_CSS = TEMPLATES_DIR / "certification" / "pdf" / "stamp.css"
# Statuses that stamp a download, with the word printed and the label of the change's date.
STAMP_WORDS = {
    "suspended": ("已暂停", "暂停日期："),
    "revoked": ("已撤销", "撤销日期："),
    "expired": ("已过期", "有效期至："),
    "superseded": ("已被替代", "替代日期："),
}

_env = Environment(loader=FileSystemLoader(TEMPLATES_DIR), autoescape=select_autoescape(["html"]),
                   undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def _cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass(frozen=True)
class StatusStamp:
    """What is stamped on a copy.

    ``status``: one of ``STAMP_WORDS``; ``on``: the China date of the change (suspension,
    revocation, re-issue) or, for ``expired``, the last valid day; ``new_number``: the
    replacing certificate (superseded only); ``original_sha256``: hex of the stored PDF.
    """

    status: str
    on: date
    original_sha256: str
    new_number: str | None = None

    def __post_init__(self) -> None:
        if self.status not in STAMP_WORDS:
            raise ValueError(f"no stamp for status {self.status!r}")

    @property
    def word(self) -> str:
        return STAMP_WORDS[self.status][0]

    @property
    def lines(self) -> list[tuple[str, str]]:
        lines = [(STAMP_WORDS[self.status][1], _cn_date(self.on))]
        if self.new_number:
            lines.append(("新证书编号：", self.new_number))
        return lines


def stamp_overlay_pdf(stamp: StatusStamp) -> bytes:
    """The stamp alone: one transparent A4 page."""
    html = _env.get_template("certification/pdf/stamp.html").render(stamp=stamp)
    return render_html_to_pdf(html, stylesheets=(STAMP_CSS,))


def stamped_copy(original: bytes, stamp: StatusStamp) -> bytes:
    """A new PDF: every page of ``original`` with the stamp merged into its content stream.

    Written from scratch (fresh object numbers and cross-reference table, no file identifier;
    catalogue extras such as XMP metadata or output intents are not carried over), with no
    orphaned object kept: the pages' unstamped content streams are not in the file. The
    original's bytes appear nowhere in the result; ``original`` itself is not touched.
    Raises ``pypdf.errors.PdfReadError`` when ``original`` is not a readable PDF."""
    from pypdf import PdfReader, PdfWriter

    overlay = PdfReader(io.BytesIO(stamp_overlay_pdf(stamp))).pages[0]
    source = PdfReader(io.BytesIO(original))
    writer = PdfWriter()
    for page in source.pages:
        copied = writer.add_page(page)
        copied.merge_page(overlay, over=True)
        copied.compress_content_streams()  # the merged stream would be written uncompressed
    info = source.metadata or {}
    title = info.get("/Title") or "证书"
    writer.add_metadata({
        "/Title": f"{title}（加注状态的副本：{stamp.word}）",
        "/Subject": f"加注状态的副本；证书原件 SHA-256：{stamp.original_sha256}",
        "/Producer": "托育从业人员培训与认证平台",
    })
    # Drop what add_page brought along but no page uses any more (the unstamped streams).
    writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
