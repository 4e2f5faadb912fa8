"""Certificates are small: the Noto CJK faces are embedded as compact CFF programs (core.pdf).

A typical certificate is at most 150 KB, also with a name that needs the fallback font; the page
looks exactly as WeasyPrint's own font embedding draws it (same pixels in poppler, and in MuPDF
and Ghostscript where installed), and the text reads back as written.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from certification.pdf import (
    CERTIFICATE_CSS,
    certificate_html,
    render_certificate_pdf,
    render_training_certificate_pdf,
    training_certificate_html,
)
from core.pdf import cff_cids, render_html_to_pdf
from tests.certification.test_pdf import FACE, TRAINING, _poppler, _text

pytestmark = pytest.mark.skipif(shutil.which("pdftoppm") is None,
                                reason="poppler-utils not installed (bin/system-deps --tests)")

LIMIT = 150_000  # bytes
EXT_B_NAME = "吴\U00020000镕"  # 吴𠀀镕: U+20000 is drawn by the fallback font (HanaMin)


def _raster(pdf: bytes, tool: str = "poppler") -> Image.Image:
    """The page drawn at 60 dpi by poppler, MuPDF or Ghostscript."""
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder, "in.pdf"), Path(folder, "out.png")
        source.write_bytes(pdf)
        command = {
            "poppler": ["pdftoppm", "-r", "60", "-png", "-singlefile", source,
                        target.with_suffix("")],
            "mupdf": ["mutool", "draw", "-q", "-r", "60", "-o", target, source],
            "ghostscript": ["gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=png16m",
                            "-r60", f"-sOutputFile={target}", source],
        }[tool]
        subprocess.run([str(part) for part in command], check=True, capture_output=True,
                       timeout=120)
        with Image.open(target) as image:
            return image.convert("RGB")


@pytest.fixture(scope="module")
def ext_b_pair() -> tuple[bytes, bytes]:
    """A skill certificate whose name needs the fallback font: compact, and as WeasyPrint
    embeds fonts on its own."""
    face = replace(FACE, holder_name=EXT_B_NAME)
    return (render_certificate_pdf(face),
            render_html_to_pdf(certificate_html(face), stylesheets=(CERTIFICATE_CSS,),
                               compact=False))


def test_typical_certificates_are_at_most_150_kb() -> None:
    skill = render_certificate_pdf(FACE)
    training = render_training_certificate_pdf(TRAINING)
    assert len(skill) <= LIMIT, len(skill)
    assert len(training) <= LIMIT, len(training)


def test_fallback_name_is_at_most_150_kb_and_prints(ext_b_pair) -> None:
    compact, _ = ext_b_pair
    assert len(compact) <= LIMIT, len(compact)
    fonts = _poppler("pdffonts", compact)
    assert "HanaMin" in fonts, fonts
    assert EXT_B_NAME in _text(compact)


def test_noto_faces_are_embedded_as_bare_cff(ext_b_pair) -> None:
    compact, stock = ext_b_pair
    noto = [line for line in _poppler("pdffonts", compact).splitlines() if "Noto" in line]
    assert len(noto) == 2 and all("CID Type 0C " in line for line in noto), noto
    # WeasyPrint on its own keeps the OpenType wrapper and every glyph ID: much larger.
    assert "CID Type 0C (OT)" in _poppler("pdffonts", stock)
    assert len(stock) > 4 * len(compact)


@pytest.mark.parametrize("tool", ["poppler", "mupdf", "ghostscript"])
def test_compact_fonts_draw_the_same_page(ext_b_pair, tool: str) -> None:
    if tool != "poppler" and shutil.which({"mupdf": "mutool", "ghostscript": "gs"}[tool]) is None:
        pytest.skip(f"{tool} not installed")
    compact, stock = ext_b_pair
    before, after = _raster(stock, tool), _raster(compact, tool)
    assert before.size == after.size
    assert ImageChops.difference(before, after).getbbox() is None
    # Not blank: the name and the frame are drawn.
    assert after.convert("L").getextrema()[0] < 64


def test_training_certificate_draws_the_same_page() -> None:
    html = training_certificate_html(replace(TRAINING, holder_name=EXT_B_NAME))
    compact = render_html_to_pdf(html, stylesheets=(CERTIFICATE_CSS,))
    stock = render_html_to_pdf(html, stylesheets=(CERTIFICATE_CSS,), compact=False)
    assert ImageChops.difference(_raster(stock), _raster(compact)).getbbox() is None
    assert EXT_B_NAME in _text(compact)


def test_cff_charset_reader() -> None:
    """The charset reader behind the CID check, on a CID-keyed program built by hand: header,
    Name INDEX, Top DICT INDEX (ROS, charset, CharStrings), charset format 0, CharStrings."""
    def index(items: list[bytes]) -> bytes:
        offsets = [1]
        for item in items:
            offsets.append(offsets[-1] + len(item))
        return len(items).to_bytes(2, "big") + b"\x01" + bytes(offsets) + b"".join(items)

    def number(value: int) -> bytes:  # 5-byte integer operand
        return b"\x1d" + value.to_bytes(4, "big")

    def program(charset_at: int, charstrings_at: int) -> bytes:
        top = (number(1) + number(2) + number(0) + b"\x0c\x1e"  # ROS
               + number(charset_at) + b"\x0f" + number(charstrings_at) + b"\x11")
        return b"\x01\x00\x04\x01" + index([b"X"]) + index([top])

    head = len(program(0, 0))
    charset = b"\x00" + (7).to_bytes(2, "big") + (300).to_bytes(2, "big")
    charstrings = index([b"\x0e", b"\x0e", b"\x0e"])
    cff = program(head, head + len(charset)) + charset + charstrings
    assert cff_cids(cff) == [7, 300]
    plain = b"\x01\x00\x04\x01" + index([b"X"]) + index([number(5) + b"\x0f"])
    assert cff_cids(plain) is None
