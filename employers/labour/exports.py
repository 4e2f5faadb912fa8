"""XLSX exports with Chinese headers (openpyxl), and the HTTP response that carries them."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from litestar import Response

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Spreadsheet programs run a cell starting with these as a formula: neutralise it.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Sheet:
    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[Any]] = field(default_factory=list)


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, (int, float, date)) or value is None:
        return value
    return str(value)


def workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    """One workbook, one worksheet per Sheet, bold frozen header row."""
    # openpyxl costs ~20 MB per process: loaded by the first export, not at start-up
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    for sheet in sheets:
        ws = book.create_sheet(sheet.title[:31])
        ws.append(list(sheet.headers))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        widths = [len(str(h)) * 2 + 2 for h in sheet.headers]
        for row in sheet.rows:
            values = [_cell(v) for v in row]
            ws.append(values)
            for i, v in enumerate(values[: len(widths)]):
                widths[i] = min(max(widths[i], len(str(v or "")) + 2), 60)
        for i, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_response(filename: str, sheets: Sequence[Sheet]) -> Response[bytes]:
    """An attachment download; the Chinese file name travels as RFC 5987 filename*."""
    name = filename if filename.endswith(".xlsx") else filename + ".xlsx"
    return Response(
        workbook_bytes(sheets),
        media_type=XLSX_MEDIA_TYPE,
        headers={
            "Content-Disposition": f"attachment; filename=\"export.xlsx\"; "
            f"filename*=UTF-8''{quote(name)}",
            "Cache-Control": "no-store",
        },
    )
