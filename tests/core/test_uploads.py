"""Upload checks: the bytes decide the kind, not the file name; messages name the field."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from core.errors import ValidationError
from core.uploads import (
    PHOTO_KINDS,
    SCAN_KINDS,
    check_upload,
    format_size,
    sniff_kind,
)

MB = 1024 * 1024


def _image(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


def _xlsx() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(["姓名", "理论知识", "操作技能"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


PDF = b"%PDF-1.7\n1 0 obj\n<< >>\nendobj\ntrailer\n<< >>\n%%EOF\n"
JPEG = _image("JPEG")
PNG = _image("PNG")
XLSX = _xlsx()


def _scan(data: bytes, max_bytes: int = 5 * MB) -> str:
    return check_upload(
        data, allowed=set(SCAN_KINDS), max_bytes=max_bytes, field="scan", label="扫描件"
    )


@pytest.mark.parametrize(
    ("data", "kind"),
    [(PDF, "pdf"), (JPEG, "jpeg"), (PNG, "png"), (XLSX, "xlsx")],
)
def test_sniff_recognises_real_files(data: bytes, kind: str) -> None:
    assert sniff_kind(data) == kind


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"GIF89a\x01\x00\x01\x00",
        b"<html><script>alert(1)</script></html>",
        _zip({"word/document.xml": b"<w/>", "[Content_Types].xml": b"<x/>"}),  # a .docx
        b"PK\x03\x04 not really a zip",
        b" %PDF-1.7",  # magic must be at the start
    ],
)
def test_sniff_rejects_other_things(data: bytes) -> None:
    assert sniff_kind(data) is None


def test_accepted_scan_returns_kind() -> None:
    assert _scan(PDF) == "pdf"
    assert _scan(JPEG) == "jpeg"
    assert _scan(PNG) == "png"


def test_too_large_names_field_and_limit() -> None:
    data = PDF + b"\0" * (5 * MB)
    with pytest.raises(ValidationError) as caught:
        _scan(data)
    assert caught.value.message == "扫描件 文件过大，最大 5 MB"
    assert caught.value.field == "scan"


def test_size_limit_is_inclusive() -> None:
    assert _scan(PDF, max_bytes=len(PDF)) == "pdf"
    with pytest.raises(ValidationError):
        _scan(PDF, max_bytes=len(PDF) - 1)


def test_wrong_kind_lists_accepted_kinds() -> None:
    with pytest.raises(ValidationError) as caught:
        _scan(XLSX)
    assert caught.value.message == "扫描件 只接受 PDF、JPEG、PNG 文件"
    assert caught.value.field == "scan"


def test_renamed_file_is_judged_by_its_bytes() -> None:
    with pytest.raises(ValidationError) as caught:
        check_upload(
            b"MZ\x90\x00fake.exe",
            allowed=set(PHOTO_KINDS),
            max_bytes=MB,
            field="photo",
            label="照片",
        )
    assert caught.value.message == "照片 只接受 JPEG、PNG 文件"
    assert caught.value.field == "photo"


def test_empty_file_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        _scan(b"")
    assert caught.value.message == "扫描件 不能为空"


@pytest.mark.parametrize("data", [PNG[:40], JPEG[: len(JPEG) // 2], PDF[:20]])
def test_truncated_file_is_refused(data: bytes) -> None:
    with pytest.raises(ValidationError) as caught:
        _scan(data)
    assert "已损坏或不完整" in caught.value.message
    assert caught.value.field == "scan"


def test_spreadsheet_upload() -> None:
    kind = check_upload(XLSX, allowed={"xlsx"}, max_bytes=2 * MB, field="results", label="成绩表")
    assert kind == "xlsx"
    with pytest.raises(ValidationError) as caught:
        check_upload(PDF, allowed={"xlsx"}, max_bytes=2 * MB, field="results", label="成绩表")
    assert caught.value.message == "成绩表 只接受 Excel（.xlsx） 文件"


def test_xlsx_without_workbook_part_is_refused() -> None:
    data = _zip({"xl/styles.xml": b"<x/>"})
    assert sniff_kind(data) == "xlsx"
    with pytest.raises(ValidationError):
        check_upload(data, allowed={"xlsx"}, max_bytes=MB, field="results", label="成绩表")


def test_unknown_allowed_kind_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        check_upload(PDF, allowed={"gif"}, max_bytes=MB, field="scan", label="扫描件")


@pytest.mark.parametrize(
    ("size", "text"),
    [(5 * MB, "5 MB"), (3 * MB // 2, "1.5 MB"), (500 * 1024, "500 KB"), (800, "800 字节")],
)
def test_format_size(size: int, text: str) -> None:
    assert format_size(size) == text


@given(st.binary(max_size=64))
def test_random_bytes_never_crash(data: bytes) -> None:
    try:
        kind = _scan(data)
    except ValidationError as error:
        assert error.field == "scan"
    else:
        assert kind in SCAN_KINDS
