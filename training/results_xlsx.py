"""Reading an XLSX results file safely: zip-bomb checks on the central directory, values
from calamine, then from the sheet XML (parsed with lxml, whatever the attribute quoting) the
cells calamine shows as blank (error values, formulas without a computed value) and the number
format of every number cell that has one, so a score reads as the cell shows it
(training.results_numfmt). Also the limits and the whole-file problem both readers share."""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

from core.uploads import MAX_RATIO, MAX_UNCOMPRESSED, zip_inflated
from training.results_numfmt import builtin_or_none


@dataclass(frozen=True)
class FileLimits:
    max_bytes: int = 10 * 1024 * 1024  # the upload limit providers are told
    max_rows: int = 50_000  # data rows
    max_uncompressed: int = MAX_UNCOMPRESSED
    max_ratio: int = MAX_RATIO
    header_scan_rows: int = 5  # a merged title row or two may sit above the header


class FileProblem(Exception):
    """The whole file is refused; ``kind`` is what it was recognised as, if anything."""

    def __init__(self, message: str, kind: Literal["csv", "xlsx"] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind


class Special(NamedTuple):
    """An XLSX cell the value reader shows as blank: an error value or an uncomputed formula."""

    kind: Literal["error", "formula"]
    text: str


# --- XLSX: zip checks, then values from calamine, then what calamine shows as blank --------

WRONG_KIND = "只接受 Excel（.xlsx）或 CSV 文件"
CORRUPT_XLSX = "Excel 文件已损坏或不完整，请在 Excel 中重新保存后上传"
INFLATED = "文件解压后过大（疑似压缩炸弹），请只保留成绩表后重新上传"
_SAFE_XML = {"resolve_entities": False, "no_network": True}
_REF = re.compile(r"^([A-Z]+)(\d+)$")  # an ``r`` attribute's value, read by the XML parser


class Formatted(NamedTuple):
    """A number cell with a number format: ``value`` is what the cell holds (0.85), ``code``
    its format code (``0%``; None for an unknown format id). training.results_numfmt says
    what the cell shows."""

    value: float
    code: str | None


@dataclass(frozen=True)
class SheetGrid:
    """The cells of the sheet read (index + 1 is Excel's row number) and that sheet's name."""

    cells: list[list[Any]]
    sheet: str


RESULTS_SHEET = "成绩"  # the template's sheet; preferred over the first visible one


def read_xlsx_grid(data: bytes, limits: FileLimits, candidates: int | None = None) -> SheetGrid:
    """The cells of the visible sheet named 成绩, else of the first visible sheet.

    Raises FileProblem for a corrupt, inflated or too long workbook (the message gives the
    session's ``candidates`` when known), or one with no visible sheet. Number cells with a
    number format come back as ``Formatted``; error values and formulas without a computed
    value as ``Special``."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise FileProblem(CORRUPT_XLSX, "xlsx") from None
    if "xl/workbook.xml" not in {info.filename for info in infos}:
        raise FileProblem(f"{WRONG_KIND}，上传的压缩包不是 Excel 工作簿")
    if zip_inflated(infos, limits.max_uncompressed, limits.max_ratio):
        raise FileProblem(INFLATED, "xlsx")
    try:
        name, path = _chosen_sheet(archive)
        sheet_xml = archive.read(path)
        specials, filled = _special_cells(sheet_xml, _number_styles(archive))
        if filled > limits.max_rows + limits.header_scan_rows:
            raise FileProblem(too_many_rows(f"工作表“{name}”有 {filled:,} 行内容（含表头）",
                                            limits, candidates), "xlsx")
        import python_calamine  # on an upload only, not by every web process (memory)

        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        # skip_empty_area=False keeps leading empty rows, so list index + 1 is Excel's row number
        grid: list[list[Any]] = workbook.get_sheet_by_name(name).to_python(
            skip_empty_area=False
        )
    except FileProblem:
        raise
    except Exception:  # noqa: BLE001 - any reader failure on a user's file is "corrupt", never a 500
        raise FileProblem(CORRUPT_XLSX, "xlsx") from None
    for (row, col), special in specials.items():
        grid.extend([] for _ in range(row + 1 - len(grid)))
        cells = grid[row]
        cells.extend("" for _ in range(col + 1 - len(cells)))
        if isinstance(special, Formatted):
            value = cells[col]
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                cells[col] = Formatted(float(value), special.code)
        else:
            cells[col] = special
    return SheetGrid(grid, name)


def _localname(element: Any) -> str:
    from lxml import etree  # lxml (~7 MB) is imported on an upload only, not by every web process

    return etree.QName(element).localname


def _xml(archive: zipfile.ZipFile, part: str) -> Any:
    from lxml import etree  # on an upload only (see _localname)

    return etree.fromstring(archive.read(part), etree.XMLParser(**_SAFE_XML))


def _chosen_sheet(archive: zipfile.ZipFile) -> tuple[str, str]:
    """(name, part) of the visible sheet named 成绩, else of the first visible worksheet."""
    workbook = _xml(archive, "xl/workbook.xml")
    sheets = [el for el in workbook.iter() if _localname(el) == "sheet"]
    visible = [el for el in sheets if (el.get("state") or "visible") == "visible"]
    if not visible:
        raise FileProblem("工作簿中没有可见的工作表：请在 Excel 中取消隐藏“成绩”工作表后上传",
                          "xlsx")
    named = [el for el in visible if (el.get("name") or "").strip() == RESULTS_SHEET]
    sheet = (named or visible)[0]
    rel_id = next(v for k, v in sheet.attrib.items() if k.endswith("}id"))
    rels = _xml(archive, "xl/_rels/workbook.xml.rels")
    target = next(el.get("Target") for el in rels if el.get("Id") == rel_id)
    path = target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
    return sheet.get("name") or "", path


def too_many_rows(what: str, limits: FileLimits, candidates: int | None) -> str:
    """The hard cap's message: with the session's candidate count when it is the real problem
    (more rows than candidates), the advice to split only when the candidates need it."""
    if candidates is not None and candidates < limits.max_rows:
        return (f"{what}，超过 {limits.max_rows:,} 行的上限，本场考试只有 {candidates:,} 名"
                "已确认考生：每位考生只能有一行成绩，请只保留本场考生的成绩后重新上传")
    return f"{what}，超过 {limits.max_rows:,} 行的上限，请分批上传"


def _number_styles(archive: zipfile.ZipFile) -> dict[int, str | None]:
    """Cell style index (a cell's ``s``) -> number format code, for every style whose format
    is not General or text (None: an id neither defined nor built in)."""
    if "xl/styles.xml" not in archive.namelist():
        return {}
    styles = _xml(archive, "xl/styles.xml")
    codes: dict[int, str] = {}
    for element in styles.iter():
        if _localname(element) == "numFmt" and (element.get("numFmtId") or "").isdigit():
            codes[int(element.get("numFmtId") or 0)] = element.get("formatCode") or ""
    cell_xfs = next((el for el in styles if _localname(el) == "cellXfs"), None)
    if cell_xfs is None:
        return {}
    found: dict[int, str | None] = {}
    for index, xf in enumerate(x for x in cell_xfs if _localname(x) == "xf"):
        raw = (xf.get("numFmtId") or "0").strip()
        fmt = int(raw) if raw.isdigit() else -1
        code = codes[fmt] if fmt in codes else builtin_or_none(fmt)
        if code is None or code.strip().lower() not in ("general", "@", ""):
            found[index] = code
    return found


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


def _cell_place(element: Any, row: int) -> tuple[int, int]:
    """0-based (row, column) of a ``c`` element: from its ``r`` (``B7``), else its row (the
    row's ``r``, else ``row``, the one after the last) and the column after the nearest earlier
    cell's (rare: Excel writes ``r`` on every cell)."""
    ref = _REF.match(element.get("r") or "")
    if ref:
        return int(ref.group(2)) - 1, _column_index(ref.group(1))
    parent = element.getparent()
    number = parent.get("r") if parent is not None else None
    here = int(number) - 1 if number and number.isdigit() else row
    before = element.getprevious()
    return here, (_cell_place(before, row)[1] + 1 if before is not None else 0)


def _special_cells(
    sheet_xml: bytes, styles: dict[int, str | None]
) -> tuple[dict[tuple[int, int], Special | Formatted], int]:
    """Error cells, formulas with no cached value and number cells with a number format (the
    value is filled in from calamine's), by 0-based (row, column); and how many rows hold a
    value. lxml's parser reads the XML (any quoting, any prefix); only ``c`` and ``row`` ends
    reach Python, and a usual cell (one ``v`` or ``is`` child, no style of interest) costs a
    few attribute reads: only the cells of interest are placed."""
    found: dict[tuple[int, int], Special | Formatted] = {}
    styled = {str(index) for index in styles}
    next_row = filled = 0  # next_row: the 0-based row a row without ``r`` takes
    row_filled = False
    from lxml import etree  # on an upload only (see _localname)

    events = etree.iterparse(io.BytesIO(sheet_xml), events=("end",), tag=("{*}c", "{*}row"),
                             huge_tree=True, **_SAFE_XML)
    for _, element in events:
        if element.tag[-1] == "w":  # a row's end: its cells came before
            number = element.get("r")
            next_row = (int(number) if number and number.isdigit() else next_row + 1)
            filled, row_filled = filled + row_filled, False
            element.clear()
            while element.getprevious() is not None:  # drop the rows already read
                del element.getparent()[0]
            continue
        if len(element) == 0:  # an empty (perhaps formatted) cell
            continue
        row_filled = True
        kind, style, first = element.get("t"), element.get("s"), element[0].tag
        if (kind == "e" or len(element) > 1 or not isinstance(first, str) or first[-1] == "f"
                or (style is not None and style.strip() in styled)):
            _special_cell(element, kind, _cell_place(element, next_row), styles, found)
    return found, filled


def _special_cell(element: Any, kind: str | None, place: tuple[int, int],
                  styles: dict[int, str | None],
                  found: dict[tuple[int, int], Special | Formatted]) -> None:
    children = {str(child.tag).rsplit("}", 1)[-1]: child for child in element}
    value = children.get("v")
    text = value.text if value is not None else None
    if kind == "e":
        found[place] = Special("error", text or "#VALUE!")
    elif "f" in children and not text and not (value is not None and kind == "str"):
        found[place] = Special("formula", "")
    elif text and kind in (None, "n"):
        style = (element.get("s") or "").strip()
        if style.isdigit() and int(style) in styles:
            found[place] = Formatted(0.0, styles[int(style)])
