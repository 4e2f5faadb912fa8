"""Upload checks: what a file really is (magic bytes), how big it may be.

Litestar only caps the whole request body (10 MB by default); the per-file size and type checks
are ours. Pure: bytes in, a kind or a ``ValidationError`` out. The structural checks are cheap
(headers and trailers, a zip's central directory); nothing is decoded or decompressed.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from core.errors import ValidationError


@dataclass(frozen=True)
class FileKind:
    code: str
    label: str  # what the user reads in a message
    media_type: str
    extension: str


# Order matters: it is the order in which accepted kinds are listed in messages.
KINDS: tuple[FileKind, ...] = (
    FileKind("pdf", "PDF", "application/pdf", "pdf"),
    FileKind("jpeg", "JPEG", "image/jpeg", "jpg"),
    FileKind("png", "PNG", "image/png", "png"),
    FileKind(
        "xlsx",
        "Excel（.xlsx）",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
    ),
)
KIND_BY_CODE: dict[str, FileKind] = {kind.code: kind for kind in KINDS}

# Handy sets for callers: scans of paper credentials, ID photos, result spreadsheets.
SCAN_KINDS = frozenset({"pdf", "jpeg", "png"})
PHOTO_KINDS = frozenset({"jpeg", "png"})
SPREADSHEET_KINDS = frozenset({"xlsx"})

_PDF_MAGIC = b"%PDF-"
_JPEG_MAGIC = b"\xff\xd8\xff"
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_ZIP_MAGIC = b"PK\x03\x04"
# Writers may append a little after the end marker (a newline, padding); look this far back.
_TRAILER_WINDOW = 1024


def _zip_names(data: bytes) -> list[str] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return None


# Zip bombs: limits read from the central directory before anything is decompressed.
MAX_UNCOMPRESSED = 100 * 1024 * 1024  # a 50,000-row sheet is ~20 MB of XML
MAX_RATIO = 100  # per zip entry; real sheets deflate about 10:1
_RATIO_FLOOR = 1024 * 1024  # small parts (styles) may deflate well beyond the ratio: harmless


def zip_inflated(infos: list[zipfile.ZipInfo], max_uncompressed: int = MAX_UNCOMPRESSED,
                 max_ratio: int = MAX_RATIO) -> bool:
    """True when a zip's entries (its central directory: ``ZipFile.infolist()``) would inflate
    past ``max_uncompressed`` bytes in all, or one entry above 1 MB past ``max_ratio`` times its
    compressed size: a zip bomb. The zip reader refuses an entry larger than declared, so the
    declared sizes are enough. Pure."""
    if sum(info.file_size for info in infos) > max_uncompressed:
        return True
    return any(info.file_size > _RATIO_FLOOR
               and info.file_size > max_ratio * max(info.compress_size, 1) for info in infos)


def sniff_kind(data: bytes) -> str | None:
    """The kind code of ``data`` from its leading bytes, or None when it is none of ours.

    An .xlsx is a zip whose entries include the ``xl/`` part; any other zip (.docx, a plain
    archive) is not recognised.
    """
    if data.startswith(_PDF_MAGIC):
        return "pdf"
    if data.startswith(_JPEG_MAGIC):
        return "jpeg"
    if data.startswith(_PNG_MAGIC):
        return "png"
    if data.startswith(_ZIP_MAGIC):
        names = _zip_names(data)
        if names and any(name.startswith("xl/") for name in names):
            return "xlsx"
    return None


def _png_is_whole(data: bytes) -> bool:
    # The first chunk must be IHDR (length 13) and the file must end with the IEND chunk.
    header_ok = data[8:16] == b"\x00\x00\x00\rIHDR"
    return header_ok and b"IEND" in data[-_TRAILER_WINDOW:]


def _jpeg_is_whole(data: bytes) -> bool:
    return len(data) > 4 and b"\xff\xd9" in data[-_TRAILER_WINDOW:]


def _pdf_is_whole(data: bytes) -> bool:
    return b"%%EOF" in data[-_TRAILER_WINDOW:]


def _xlsx_is_whole(data: bytes) -> bool:
    names = _zip_names(data) or []
    return "[Content_Types].xml" in names and "xl/workbook.xml" in names


_WHOLE_CHECKS = {
    "pdf": _pdf_is_whole,
    "jpeg": _jpeg_is_whole,
    "png": _png_is_whole,
    "xlsx": _xlsx_is_whole,
}


def is_structurally_whole(data: bytes, kind: str) -> bool:
    """A cheap check that a file of ``kind`` is not truncated: header and trailer present."""
    return _WHOLE_CHECKS[kind](data)


def format_size(max_bytes: int) -> str:
    """'5 MB', '1.5 MB', '500 KB', '800 字节' — for messages."""
    for unit, size in (("MB", 1024 * 1024), ("KB", 1024)):
        if max_bytes >= size:
            value = max_bytes / size
            text = f"{value:.0f}" if value == int(value) else f"{value:.1f}"
            return f"{text} {unit}"
    return f"{max_bytes} 字节"


def accepted_labels(allowed: set[str] | frozenset[str]) -> str:
    """'PDF、JPEG、PNG' in the fixed order of ``KINDS``."""
    return "、".join(kind.label for kind in KINDS if kind.code in allowed)


def check_upload(
    data: bytes,
    *,
    allowed: set[str] | frozenset[str],
    max_bytes: int,
    field: str,
    label: str,
) -> str:
    """Check an uploaded file and return its kind code ('pdf', 'jpeg', 'png', 'xlsx').

    ``field`` is the form/API field at fault, ``label`` its Chinese name used in the message
    ("扫描件 文件过大，最大 5 MB"). The file's name and declared content type are not trusted:
    only its bytes are.
    """
    unknown = set(allowed) - KIND_BY_CODE.keys()
    if unknown or not allowed:
        raise ValueError(f"unknown or empty upload kinds: {sorted(unknown)}")
    if not data:
        raise ValidationError(f"{label} 不能为空", field=field)
    if len(data) > max_bytes:
        raise ValidationError(f"{label} 文件过大，最大 {format_size(max_bytes)}", field=field)
    kind = sniff_kind(data)
    if kind is None or kind not in allowed:
        raise ValidationError(f"{label} 只接受 {accepted_labels(allowed)} 文件", field=field)
    if not is_structurally_whole(data, kind):
        raise ValidationError(f"{label} 文件已损坏或不完整，请重新上传", field=field)
    return kind
