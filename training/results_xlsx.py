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


def read_xlsx_grid(data: bytes, limits: FileLimits) -> list[list[Any]]:
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
        sheet_xml = archive.read(_first_sheet_path(archive))
        dimension = _DIMENSION.search(sheet_xml[:4096])
        if dimension and int(dimension.group(1)) > limits.max_rows + limits.header_scan_rows:
            raise FileProblem(
                f"数据超过 {limits.max_rows:,} 行（含带格式的空行），请分批上传", "xlsx"
            )
        hinted = any(hint in sheet_xml for hint in _SPECIAL_HINTS)
        specials = _special_cells(sheet_xml) if hinted else {}
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        # skip_empty_area=False keeps leading empty rows, so list index + 1 is Excel's row number
        grid: list[list[Any]] = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except FileProblem:
        raise
    except Exception:  # noqa: BLE001 - any reader failure on a user's file is "corrupt", never a 500
        raise FileProblem(CORRUPT_XLSX, "xlsx") from None
    for (row, col), special in specials.items():
        grid.extend([] for _ in range(row + 1 - len(grid)))
        cells = grid[row]
        cells.extend("" for _ in range(col + 1 - len(cells)))
        cells[col] = special
    return grid


def _localname(element: Any) -> str:
    return etree.QName(element).localname


def _first_sheet_path(archive: zipfile.ZipFile) -> str:
    """The part of the first sheet in workbook order (what calamine's index 0 reads)."""
    workbook = etree.fromstring(archive.read("xl/workbook.xml"), etree.XMLParser(**_SAFE_XML))
    sheet = next(el for el in workbook.iter() if _localname(el) == "sheet")
    rel_id = next(v for k, v in sheet.attrib.items() if k.endswith("}id"))
    rels = etree.fromstring(
        archive.read("xl/_rels/workbook.xml.rels"), etree.XMLParser(**_SAFE_XML)
    )
    target = next(el.get("Target") for el in rels if el.get("Id") == rel_id)
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


def _special_cells(sheet_xml: bytes) -> dict[tuple[int, int], Special]:
    """Error cells and formulas with no cached value, by 0-based (row, column)."""
    found: dict[tuple[int, int], Special] = {}
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
    return found
