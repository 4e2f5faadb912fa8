"""Reading an XLSX results file safely: zip-bomb checks on the central directory, values
from calamine, then the cells calamine shows as blank (error values, formulas without a
computed value) from the sheet XML. Also the limits and the whole-file problem both readers
share."""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

import python_calamine
from lxml import etree


@dataclass(frozen=True)
class FileLimits:
    max_bytes: int = 10 * 1024 * 1024  # issue 3 item 7
    max_rows: int = 50_000  # data rows, issue 3 item 7
    max_uncompressed: int = 100 * 1024 * 1024  # a 50,000-row sheet is ~20 MB of XML
    max_ratio: int = 100  # per zip entry; real sheets deflate about 10:1
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
_RATIO_FLOOR = 1024 * 1024  # small parts (styles) may deflate well beyond the ratio: harmless
_SAFE_XML = {"resolve_entities": False, "no_network": True}
# Plain substring tests: a regex alternation over megabytes of XML costs more than the parse.
_SPECIAL_HINTS = (b't="e"', b"<f>", b"<f ", b"<f/", b":f>", b":f ", b":f/")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension ref=\"[A-Z]+\d+:[A-Z]+(\d+)\"")
_REF = re.compile(r"^([A-Z]+)(\d+)$")


class Percent(NamedTuple):
    """A number cell shown as a percentage: ``value`` is what the cell holds (0.85), ``decimals``
    how many decimals of the percentage its format shows (``0%`` -> 0, ``0.0%`` -> 1)."""

    value: float
    decimals: int


@dataclass(frozen=True)
class SheetGrid:
    """The cells of the sheet read (index + 1 is Excel's row number) and that sheet's name."""

    cells: list[list[Any]]
    sheet: str


RESULTS_SHEET = "成绩"  # the template's sheet; preferred over the first visible one
_BUILTIN_PERCENT = {9: 0, 10: 2}  # ECMA-376 18.8.30: 9 is "0%", 10 is "0.00%"


def read_xlsx_grid(data: bytes, limits: FileLimits) -> SheetGrid:
    """The cells of the visible sheet named 成绩, else of the first visible sheet.

    Raises FileProblem for a corrupt, inflated or too long workbook, or one with no visible
    sheet. Percentage-formatted number cells come back as ``Percent``; error values and
    formulas without a computed value as ``Special``."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise FileProblem(CORRUPT_XLSX, "xlsx") from None
    if "xl/workbook.xml" not in {info.filename for info in infos}:
        raise FileProblem(f"{WRONG_KIND}，上传的压缩包不是 Excel 工作簿")
    # The central directory is enough: the zip reader refuses an entry larger than declared.
    too_big = sum(info.file_size for info in infos) > limits.max_uncompressed
    too_dense = any(
        info.file_size > _RATIO_FLOOR
        and info.file_size > limits.max_ratio * max(info.compress_size, 1)
        for info in infos
    )
    if too_big or too_dense:
        raise FileProblem(INFLATED, "xlsx")
    try:
        name, path = _chosen_sheet(archive)
        sheet_xml = archive.read(path)
        dimension = _DIMENSION.search(sheet_xml[:4096])
        if dimension and int(dimension.group(1)) > limits.max_rows + limits.header_scan_rows:
            raise FileProblem(
                f"工作表“{name}”的数据超过 {limits.max_rows:,} 行（含带格式的空行），请分批上传",
                "xlsx",
            )
        percent = _percent_styles(archive)
        hinted = any(hint in sheet_xml for hint in _SPECIAL_HINTS) or any(
            f' s="{style}"'.encode() in sheet_xml for style in percent
        )
        specials = _special_cells(sheet_xml, percent) if hinted else {}
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
        if isinstance(special, Percent):
            value = cells[col]
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                cells[col] = Percent(float(value), special.decimals)
        else:
            cells[col] = special
    return SheetGrid(grid, name)


def _localname(element: Any) -> str:
    return etree.QName(element).localname


def _xml(archive: zipfile.ZipFile, part: str) -> Any:
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


def _percent_decimals(code: str) -> int | None:
    """Decimals shown by a number format that displays a percentage, else None."""
    bare = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", code.split(";")[0])
    if "%" not in bare:
        return None
    point = re.search(r"\.([0#?]+)", bare)
    return len(point.group(1)) if point else 0


def _percent_styles(archive: zipfile.ZipFile) -> dict[int, int]:
    """Cell style index (the ``s`` attribute) -> decimals, for styles showing a percentage."""
    if "xl/styles.xml" not in archive.namelist():
        return {}
    styles = _xml(archive, "xl/styles.xml")
    formats: dict[int, int] = dict(_BUILTIN_PERCENT)
    for element in styles.iter():
        if _localname(element) == "numFmt":
            decimals = _percent_decimals(element.get("formatCode") or "")
            if decimals is not None:
                formats[int(element.get("numFmtId") or -1)] = decimals
    cell_xfs = next((el for el in styles if _localname(el) == "cellXfs"), None)
    if cell_xfs is None:
        return {}
    found = {}
    for index, xf in enumerate(x for x in cell_xfs if _localname(x) == "xf"):
        fmt = int(xf.get("numFmtId") or 0)
        if fmt in formats:
            found[index] = formats[fmt]
    return found


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


def _special_cells(
    sheet_xml: bytes, percent: dict[int, int] | None = None
) -> dict[tuple[int, int], Special | Percent]:
    """Error cells, formulas with no cached value and percentage-formatted numbers (the value
    is filled in from calamine's), by 0-based (row, column)."""
    percent = percent or {}
    found: dict[tuple[int, int], Special | Percent] = {}
    row = col = -1
    events = etree.iterparse(
        io.BytesIO(sheet_xml), events=("start", "end"), huge_tree=True, **_SAFE_XML
    )
    for event, element in events:
        tag = _localname(element)
        if event == "start":
            if tag == "row":
                row = int(element.get("r")) - 1 if element.get("r") else row + 1
                col = -1
            elif tag == "c":
                ref = _REF.match(element.get("r") or "")
                col = _column_index(ref.group(1)) if ref else col + 1
            continue
        if tag != "c":
            if tag == "row":
                element.clear()
            continue
        children = {_localname(child): child for child in element}
        value = children.get("v")
        text = value.text if value is not None else None
        if element.get("t") == "e":
            found[(row, col)] = Special("error", text or "#VALUE!")
        elif "f" in children and not text and not (value is not None and element.get("t") == "str"):
            found[(row, col)] = Special("formula", "")
        elif text and element.get("t") in (None, "n") and percent:
            style = element.get("s")
            if style is not None and style.isdigit() and int(style) in percent:
                found[(row, col)] = Percent(0.0, percent[int(style)])
    return found
