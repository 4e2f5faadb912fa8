"""Stamped copies: a certificate that is not valid shows its state on its face when downloaded.

The stored PDF (its bytes and SHA-256 recorded when it was rendered) is never changed. A download
of a suspended, revoked, expired or superseded certificate is a copy of it with a stamp page laid
over every page: the state in Chinese, the date of the change (for an expired certificate the
last valid day), for a superseded one the new certificate's number, and the original's SHA-256.

How: WeasyPrint renders the stamp as one transparent A4 page (``templates/certification/pdf/
stamp.html``, fonts checked like any document), and pypdf merges it onto the stored pages as an
incremental update, so the copy begins with the original's exact bytes. Synchronous and
CPU-bound (≈0.1 s): call it from a worker thread.
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
    "superseded": ("已被替换", "替换日期："),
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
    """``original`` with the stamp laid over each page, appended as an incremental update:
    the result starts with ``original`` byte for byte (``original`` itself is not touched)."""
    from pypdf import PdfReader, PdfWriter

    overlay = PdfReader(io.BytesIO(stamp_overlay_pdf(stamp))).pages[0]
    writer = PdfWriter(io.BytesIO(original), incremental=True)
    for page in writer.pages:
        page.merge_page(overlay, over=True)
        page.compress_content_streams()  # the merged stream would be written uncompressed
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
