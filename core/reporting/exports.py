"""The one formula-safe writer for every XLSX and CSV the app hands out.

A spreadsheet program runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in some
programs, a leading tab or carriage return, or the full-width ``＝＋－＠`` that an input method
types) as a formula: a holder name or a suspension reason ``=HYPERLINK(…)`` would become a live
link. The decision, the same for every export:

- **XLSX**: such a text is written unchanged as an explicit string cell (``data_type 's'``) with
  the ``quotePrefix`` style, which is what Excel itself stores when a user types ``'=…``. The
  reader sees the exact text, and no program evaluates it.
- **CSV** has no cell types, so such a text is written with a leading apostrophe ``'``.

Numbers, dates and ``None`` are written as they are; datetimes lose their zone (XLSX has none).
Every export goes through :func:`workbook_bytes` / :func:`xlsx_response` / :func:`csv_bytes`
or, for a workbook built elsewhere (the results feedback file), :func:`neutralise_workbook`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from litestar import Response

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
# The first characters that make a spreadsheet evaluate a cell (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


@dataclass
class Sheet:
    """One worksheet: a header row and the data rows (any iterable of sequences)."""

    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[Any]] = field(default_factory=list)


def is_formula_like(value: Any) -> bool:
    """True for a text a spreadsheet program would evaluate as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_START)


def plain_value(value: Any) -> Any:
    """A value openpyxl can store: numbers, dates and None as they are, anything else as text."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, (int, float, date)) or value is None:
        return value
    return str(value)


def csv_cell(value: Any) -> str:
    """A CSV field: formula-like text gets a leading apostrophe; numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return str(value)  # a number, negative or not, is data and stays a number
    text = value.isoformat() if isinstance(value, (date, datetime)) else str(value)
    return "'" + text if is_formula_like(text) else text


def make_text(cell: Any) -> None:
    """Force one openpyxl cell holding formula-like text to be a quote-prefixed string cell."""
    if is_formula_like(cell.value) or cell.data_type == "f":
        cell.data_type = "s"
        cell.quotePrefix = True


def neutralise_workbook(book: Any) -> None:
    """Make every formula-like cell of an openpyxl workbook a quote-prefixed string cell."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    make_text(cell)


def workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    """One workbook, one worksheet per Sheet, bold frozen header row, no live formula; a text
    with line breaks wraps (one line per item)."""
    # openpyxl costs ~20 MB per process: loaded by the first export, not at start-up
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    for sheet in sheets:
        ws = book.create_sheet(sheet.title[:31])
        ws.append([plain_value(h) for h in sheet.headers])
        for cell in ws[1]:
            cell.font = Font(bold=True)
            make_text(cell)
        widths = [len(str(h)) * 2 + 2 for h in sheet.headers]
        for row in sheet.rows:
            values = [plain_value(v) for v in row]
            ws.append(values)
            for cell in ws[ws.max_row]:
                if isinstance(cell.value, str):
                    make_text(cell)
                    if "\n" in cell.value:  # one line per item, shown as lines
                        cell.alignment = Alignment(wrap_text=True, vertical="top")
            for i, v in enumerate(values[: len(widths)]):
                longest = max((len(line) for line in str(v or "").split("\n")), default=0)
                widths[i] = min(max(widths[i], longest + 2), 60)
        for i, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence[Any]], *, delimiter: str = ",",
              encoding: str = "utf-8-sig") -> bytes:
    """A CSV (CRLF lines, UTF-8 with BOM by default so Excel reads the Chinese) with no formula."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([csv_cell(h) for h in headers])
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return out.getvalue().encode(encoding)


def attachment(body: bytes, filename: str, media_type: str) -> Response[bytes]:
    """An attachment download; the Chinese file name travels as RFC 5987 filename*."""
    ascii_name = "export." + filename.rsplit(".", 1)[-1]
    return Response(body, media_type=media_type, headers={
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; "
        f"filename*=UTF-8''{quote(filename)}",
        "Cache-Control": "no-store",
    })


def xlsx_response(filename: str, sheets: Sequence[Sheet]) -> Response[bytes]:
    """The workbook of ``sheets`` as an attachment named ``filename`` (.xlsx added if missing)."""
    name = filename if filename.endswith(".xlsx") else filename + ".xlsx"
    return attachment(workbook_bytes(sheets), name, XLSX_MEDIA_TYPE)
