"""Which characters the printed documents can show, and refusing the ones they cannot.

Every PDF the product renders (certificates, filing forms, receipts, stamped copies) names its
fonts in CSS: Noto CJK SC (Debian ``fonts-noto-cjk``) first, then the fallback HanaMin A/B
(Debian ``fonts-hanazono``: CJK Extension B and later, e.g. U+20000 𠀀), along which Pango falls
back glyph by glyph. A character none of them covers would print as an empty box (☒), which on a
certificate is a false record of a name; so every field is checked before rendering and such a
character stops the render with a message naming it.

Coverage is read once per process from the cmaps of the font files fontconfig resolves for
those families (fontTools, ≈0.5 s for the four files), then cached.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

from core.errors import ValidationError

SERIF_CJK = "Noto Serif CJK SC"
SANS_CJK = "Noto Sans CJK SC"
# Fallback families for characters outside Noto CJK (Debian fonts-hanazono).
FALLBACK_FAMILIES = ("HanaMinA", "HanaMinB")
DOCUMENT_FAMILIES = (SERIF_CJK, SANS_CJK, *FALLBACK_FAMILIES)
# Appended to a document family in CSS: font-family: "Noto Serif CJK SC", <FALLBACK_CSS>.
FALLBACK_CSS = ", ".join(f'"{family}"' for family in FALLBACK_FAMILIES)

# Not drawn as glyphs: layout whitespace is never "missing" from a font.
_LAYOUT = frozenset("\t\n\r \u00a0\u3000")


class UnprintableCharacter(ValidationError):
    """A field holds a character that no document font covers (it would print as a box).

    ``label`` is the field's Chinese name, ``char`` the character. Picklable with its arguments,
    so a render pool process can raise it to the job runner.
    """

    def __init__(self, label: str, char: str, field: str | None = None) -> None:
        self.label, self.char = label, char
        super().__init__(
            f"{label}中的字符 “{char}”（U+{ord(char):04X}）无可用字体，无法打印", field)

    def __reduce__(self):  # noqa: ANN204 — pickle protocol
        return (type(self), (self.label, self.char, self.field))


def _fc_match(family: str) -> tuple[Path, int] | None:
    """The font file and face index fontconfig uses for ``family``; None if not installed
    (fc-match then answers with another family)."""
    if shutil.which("fc-match") is None:
        return None
    result = subprocess.run(
        ["fc-match", "-f", "%{family}\t%{file}\t%{index}", family],
        capture_output=True, text=True, timeout=20, check=False)
    names, _, rest = result.stdout.partition("\t")
    file, _, index = rest.partition("\t")
    if result.returncode != 0 or family not in names.split(","):
        return None
    return Path(file), int(index or 0)


@functools.cache
def covered_code_points() -> frozenset[int]:
    """Code points of every character the document fonts can draw (union of their cmaps)."""
    from fontTools.ttLib import TTFont

    points: set[int] = set()
    for family in DOCUMENT_FAMILIES:
        found = _fc_match(family)
        if found is None:
            continue
        path, index = found
        font = TTFont(path, fontNumber=index if path.suffix.lower() in (".ttc", ".otc") else -1,
                      lazy=True)
        points.update((font.getBestCmap() or {}).keys())
        font.close()
    return frozenset(points)


@functools.cache
def installed_families() -> tuple[str, ...]:
    """The document families fontconfig finds (for ``core.syscheck`` and the tests)."""
    return tuple(family for family in DOCUMENT_FAMILIES if _fc_match(family) is not None)


def first_unprintable(text: str) -> str | None:
    """The first character of ``text`` (in reading order) no document font covers, or None."""
    covered = covered_code_points()
    missing = {char for char in set(text) - _LAYOUT if ord(char) not in covered}
    return next((char for char in text if char in missing), None) if missing else None


def check_printable(fields: Iterable[tuple[str, str | None]], field: str | None = None) -> None:
    """Raise :class:`UnprintableCharacter` for the first field (``(label, value)``) holding a
    character no document font covers. Combining marks and format characters count too."""
    for label, value in fields:
        if value and (char := first_unprintable(value)) is not None:
            raise UnprintableCharacter(label, char, field)
