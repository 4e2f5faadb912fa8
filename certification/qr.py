"""The verification QR code, one drawing for the printed certificate and the holder's page.

segno draws it as an SVG data URI (no file, no network; the pages' Content-Security-Policy allows
``img-src data:``). Kept apart from ``certification.pdf`` so a web page can draw it without
loading WeasyPrint.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import segno

# Error correction "M" (15 %) keeps the code small enough to scan at print size (~26 mm) while
# tolerating a worn corner; segno may raise the level when it fits in the same version.
QR_ERROR_LEVEL = "m"


def verification_qr(url: str) -> segno.QRCode:
    """The QR code printed on a certificate: the verification URL, nothing else."""
    import segno  # on the first QR drawn, not by every web process (~9 MB)

    return segno.make(url, error=QR_ERROR_LEVEL, micro=False)


def qr_data_uri(url: str, *, border: int = 2) -> str:
    """``data:image/svg+xml,…`` of the QR code of ``url``; ``border`` in modules (quiet zone:
    2 on the printed face, whose white margin adds to it; 4 on a screen)."""
    return verification_qr(url).svg_data_uri(
        dark="#1a1a1a", light="#ffffff", border=border, xmldecl=False
    )
