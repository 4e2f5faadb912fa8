"""Exam results file (成绩文件): a CSV or XLSX upload read into checked rows.

Pure: bytes in, rows and errors out; no database, no clock. The checks that need the registry
(a registered candidate of this session, the name on record) are ``check_against_candidates``,
fed by the service. Row numbers are the ones Excel shows (1-based, title rows included). A
message never repeats an ID number. Limits: 10 MB, 50,000 rows; the
inflation limits refuse zip bombs before anything is decompressed. A file
means what the provider sees (training.results_cells): the sheet read is named, a file with
more rows than the session has candidates is refused as a whole, 缺考 marks a candidate absent.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from core.identity import mask_name, names_match
from training.results_cells import (
    COLUMN_BY_KEY,
    COLUMNS,
    SCORE_DECIMALS,
    SCORE_MAX,
    Column,
    RowError,
    RowProblems,
    is_absent,
    read_absent_mark,
    read_id_number,
    read_name,
    read_score,
)
from training.results_xlsx import (
    WRONG_KIND,
    FileLimits,
    FileProblem,
    read_xlsx_grid,
    too_many_rows,
)

__all__ = [
    "COLUMNS", "COLUMN_BY_KEY", "SCORE_DECIMALS", "SCORE_MAX", "Column", "FileLimits",
    "ParsedFile", "ResultRow", "RowError", "check_against_candidates", "parse_results_file",
    "passed", "sort_errors",
]
MAX_LISTED_ERRORS = 200  # errors listed on the page and in the API; the annotated file has all


@dataclass(frozen=True)
class ResultRow:
    """A checked row. An absent candidate (缺考) has no scores."""

    row: int
    id_number: str  # normalised
    name: str
    theory: Decimal | None
    practical: Decimal | None
    review: Decimal | None
    absent: bool = False


@dataclass
class ParsedFile:
    rows: list[ResultRow]
    errors: list[RowError]
    header_row: int | None  # None when no header was found
    kind: Literal["csv", "xlsx"] | None  # None when the file is neither
    filename: str = ""
    columns: dict[str, tuple[int, str]] = field(default_factory=dict)  # key -> (index, header)
    width: int = 0  # cells in the header row: the error column goes after them
    encoding: str | None = None  # CSV only: 'utf-8-sig', 'utf-8' or 'gb18030'
    delimiter: str = ","
    # (row, ID number, name) of rows refused for another reason (a score): the candidate check
    # still looks at them, so one upload lists every problem of the file. A repeated ID is not
    # here: its one message is "repeat of row N".
    partial: list[tuple[int, str, str]] = field(default_factory=list)
    sheet: str | None = None  # XLSX: the name of the sheet read
    data_rows: int = 0  # non-blank rows under the header

    @property
    def ok(self) -> bool:
        return not self.errors


def expected_headers(needs_review: bool) -> str:
    keys = ["id_number", "name", "theory", "practical"] + (["review"] if needs_review else [])
    return "、".join(COLUMN_BY_KEY[k].label for k in keys)


def _file_error(
    message: str, kind: Literal["csv", "xlsx"] | None = None, **extra: Any
) -> ParsedFile:
    return ParsedFile([], [RowError(None, None, message)], None, kind, **extra)


def parse_results_file(
    data: bytes,
    filename: str,
    *,
    needs_review: bool,
    limits: FileLimits | None = None,
    candidates: int | None = None,
) -> ParsedFile:
    """Read and check an uploaded results file; never raises for bad input.

    ``candidates`` is the number of the session's confirmed candidates: a file with more data
    rows than that is refused with one whole-file error giving both counts.
    """
    limits = limits or FileLimits()
    if not data:
        return _file_error("文件为空，请选择填好成绩的文件", filename=filename)
    if len(data) > limits.max_bytes:
        mb = limits.max_bytes // (1024 * 1024)
        return _file_error(f"文件过大，最大 {mb} MB", filename=filename)
    try:
        kind, grid, encoding, delimiter, sheet = _read_grid(data, limits, candidates)
    except FileProblem as problem:
        return _file_error(problem.message, filename=filename, kind=problem.kind)
    parsed = ParsedFile(
        [], [], None, kind, filename, encoding=encoding, delimiter=delimiter, sheet=sheet
    )
    _check_grid(parsed, grid, needs_review, limits, candidates)
    return parsed


# --- reading: bytes -> grid of cells ---------------------------------------------------------

_NOT_TABULAR = (
    (b"%PDF-", "PDF 文件"),
    (b"\x89PNG", "图片"),
    (b"\xff\xd8\xff", "图片"),
    (b"GIF8", "图片"),
    (
        b"\xd0\xcf\x11\xe0",
        "旧版 Excel（.xls）、加密的 Excel 或 Word 文件，请在 Excel 中另存为不加密的 .xlsx 后上传",
    ),
)


def _read_grid(
    data: bytes, limits: FileLimits, candidates: int | None
) -> tuple[Any, list[list[Any]], Any, str, str | None]:
    if data.startswith(b"PK\x03\x04"):
        sheet = read_xlsx_grid(data, limits, candidates)
        return "xlsx", sheet.cells, None, ",", sheet.sheet
    for magic, what in _NOT_TABULAR:
        if data.startswith(magic):
            raise FileProblem(f"{WRONG_KIND}，上传的是{what}")
    text, encoding = _decode_csv(data)
    delimiter = _sniff_delimiter(text)
    try:
        grid = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        raise FileProblem("CSV 文件格式有误（引号不配对或单元格过长），无法读取", "csv") from None
    return "csv", grid, encoding, delimiter, None


def _decode_csv(data: bytes) -> tuple[str, str]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileProblem("CSV 文件是 UTF-16 编码，请另存为“CSV UTF-8”或 GBK 编码后上传", "csv")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        # Binary data can decode as GB18030 by chance; control characters give it away.
        if any(ord(ch) < 32 and ch not in "\t\r\n" for ch in text[:65536]):
            break
        if encoding == "utf-8-sig" and not data.startswith(b"\xef\xbb\xbf"):
            encoding = "utf-8"
        return text, encoding
    raise FileProblem(f"{WRONG_KIND}（CSV 须为 UTF-8 或 GBK 编码的文本）")


def _sniff_delimiter(text: str) -> str:
    lines = text[:8192].splitlines()[:5]
    best, best_hits = ",", 0
    for delimiter in (",", "\t", ";"):
        hits = max((len(_match_header(line.split(delimiter))[0]) for line in lines), default=0)
        if hits > best_hits:
            best, best_hits = delimiter, hits
    return best


# --- checking: grid -> rows and errors -------------------------------------------------------


def _header_key(value: Any) -> str:
    text = unicodedata.normalize("NFKC", str(value)).lower()
    text = re.sub(r"\(.*?\)|[*\s]", "", text)  # "理论成绩（分）", "姓名*"
    return text


_ALIAS_TO_KEY = {_header_key(a): c.key for c in COLUMNS for a in c.aliases}


def _match_header(cells: list[Any]) -> tuple[dict[str, tuple[int, str]], list[str]]:
    found: dict[str, tuple[int, str]] = {}
    repeated: list[str] = []
    for index, cell in enumerate(cells):
        if not isinstance(cell, str):
            continue
        key = _ALIAS_TO_KEY.get(_header_key(cell))
        if key and key in found:
            repeated.append(cell.strip())
        elif key:
            found[key] = (index, cell.strip())
    return found, repeated


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _in_sheet(parsed: ParsedFile, message: str) -> str:
    """A whole-file message names the sheet it read (XLSX)."""
    return f"工作表“{parsed.sheet}”：{message}" if parsed.sheet is not None else message


def _check_grid(
    parsed: ParsedFile,
    grid: list[list[Any]],
    needs_review: bool,
    limits: FileLimits,
    candidates: int | None,
) -> None:
    required = ["id_number", "name", "theory", "practical"] + (["review"] if needs_review else [])
    errors = parsed.errors
    if all(_blank(cell) for row in grid for cell in row):
        errors.append(RowError(None, None, _in_sheet(parsed, "文件为空，请按模板填写成绩后上传")))
        return
    partial: tuple[int, dict[str, tuple[int, str]]] | None = None
    for index, cells in enumerate(grid[: limits.header_scan_rows]):
        found, repeated = _match_header(cells)
        if all(key in found for key in required):
            for header in repeated:
                errors.append(RowError(index + 1, header, f"表头“{header}”重复出现，请只保留一列"))
            parsed.header_row, parsed.width = index + 1, len(cells)
            parsed.columns = {k: v for k, v in found.items() if k in required or k == "absent"}
            break
        if found and partial is None:
            partial = (index + 1, found)
    else:
        expected = expected_headers(needs_review)
        if partial is None:
            message = f"未找到表头。第一行应为：{expected}（也可用英文表头，见模板）"
        else:
            missing = "、".join(COLUMN_BY_KEY[k].label for k in required if k not in partial[1])
            message = f"第 {partial[0]} 行的表头缺少列：{missing}。表头应为：{expected}"
            if needs_review and "review" not in partial[1]:
                message += "（二级、一级须填写综合评审成绩）"
        errors.append(RowError(None, None, _in_sheet(parsed, message)))
        return
    _check_rows(parsed, grid, limits, candidates)


def _data_indexes(parsed: ParsedFile, grid: list[list[Any]]) -> list[int]:
    """Grid indexes of the rows under the header with any of the columns read filled in.

    In a file with a 缺考 column (the filled-in template lists every candidate), a row with
    nothing in its score and 缺考 cells is a candidate not scored yet: not a data row."""
    assert parsed.header_row is not None
    places = [i for k, (i, _) in parsed.columns.items()
              if "absent" not in parsed.columns or k not in ("id_number", "name")]
    return [
        index
        for index in range(parsed.header_row, len(grid))
        if any(i < len(grid[index]) and not _blank(grid[index][i]) for i in places)
    ]


def _check_rows(
    parsed: ParsedFile, grid: list[list[Any]], limits: FileLimits, candidates: int | None
) -> None:
    columns = parsed.columns
    indexes = _data_indexes(parsed, grid)
    parsed.data_rows = count = len(indexes)
    if count == 0:
        parsed.errors.append(RowError(None, None, _in_sheet(parsed, "表头下没有成绩数据")))
        return
    if candidates is not None and count > candidates:
        message = (
            f"文件有 {count:,} 行数据，本场考试只有 {candidates:,} 名已确认考生："
            "每位考生只能有一行成绩，请只保留本场考生的成绩后重新上传"
        )
        parsed.errors[:] = [RowError(None, None, _in_sheet(parsed, message))]
        return
    if count > limits.max_rows:  # a safety limit: reached only with as many candidates
        message = too_many_rows(f"文件有 {count:,} 行数据", limits, candidates)
        parsed.errors[:] = [RowError(None, None, _in_sheet(parsed, message))]
        return
    seen: dict[str, int] = {}
    for index in indexes:
        cells = grid[index]
        values = {k: (cells[i] if i < len(cells) else None) for k, (i, _) in columns.items()}
        problems = RowProblems(index + 1, columns)
        id_number = read_id_number(values["id_number"], problems)
        name = read_name(values["name"], problems)
        row = _scores(values, id_number, name, problems)
        repeat = id_number is not None and id_number in seen
        if repeat:
            assert id_number is not None
            problems("id_number", f"身份证号与第 {seen[id_number]} 行重复，同一考生只能有一行成绩")
        elif id_number is not None:
            seen[id_number] = problems.row
        if problems.found:
            parsed.errors.extend(problems.in_column_order())
            if id_number is not None and name is not None and not repeat:
                parsed.partial.append((problems.row, id_number, name))
            continue
        assert row is not None
        parsed.rows.append(row)


_SCORE_KEYS = ("theory", "practical", "review")


def _scores(
    values: dict[str, Any], id_number: str | None, name: str | None, problems: RowProblems
) -> ResultRow | None:
    """The row's scores, or 缺考 when every score cell of the row says so (blank ones aside)."""
    keys = [k for k in _SCORE_KEYS if k in values]
    marked = [k for k in keys if is_absent(values[k])]
    if "absent" in values and read_absent_mark(values["absent"], problems):
        marked.append("absent")
    if marked:
        scored = [k for k in keys if k not in marked and not _blank(values[k])]
        for key in scored:
            label = COLUMN_BY_KEY[key].label
            problems(key, f"本行已标为缺考，{label}却有内容：只考了部分科目的考生，"
                          "缺考科目请填 0 分；整场缺考请在各成绩列都填写“缺考”")
        if scored or id_number is None or name is None:
            return None
        return ResultRow(problems.row, id_number, name, None, None, None, absent=True)
    scores = {key: read_score(values[key], key, problems) for key in keys}
    if problems.found or id_number is None or name is None:
        return None
    return ResultRow(problems.row, id_number, name, scores["theory"], scores["practical"],
                     scores.get("review"))


# --- checks against the session's registered candidates (data from the service) --------------


def check_against_candidates(parsed: ParsedFile, candidates: Mapping[str, str]) -> list[RowError]:
    """Rows whose ID is not a candidate of the session, or whose name differs from the record.

    ``candidates`` maps normalised ID number -> registered name.
    """
    errors: list[RowError] = []
    id_header = parsed.columns.get("id_number", (0, "身份证号"))[1]
    name_header = parsed.columns.get("name", (0, "姓名"))[1]
    rows = [(row.row, row.id_number, row.name) for row in parsed.rows] + parsed.partial
    for number, id_number, name in sorted(rows):
        registered = candidates.get(id_number)
        if registered is None:
            errors.append(RowError(number, id_header, "该身份证号不是本场考试的报名考生"))
        elif not names_match(name, registered):
            message = f"姓名与报名信息不一致（报名姓名为“{mask_name(registered)}”）"
            errors.append(RowError(number, name_header, message))
    return errors


def passed(row: ResultRow, pass_mark: Decimal | int) -> bool:
    """Every part at or above the catalogue's pass mark (the review only where there is one);
    an absent candidate has not passed."""
    if row.absent or row.theory is None or row.practical is None:
        return False
    parts = [row.theory, row.practical] + ([row.review] if row.review is not None else [])
    return all(part >= pass_mark for part in parts)


def sort_errors(errors: list[RowError]) -> list[RowError]:
    """Whole-file problems first, then by row in file order (stable within a row)."""
    return sorted(errors, key=lambda e: -1 if e.row is None else e.row)
