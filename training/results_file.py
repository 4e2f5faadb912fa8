"""Exam results file (成绩文件): a CSV or XLSX upload read into checked rows.

Pure: bytes in, rows and errors out; no database, no clock. The checks that need the registry
(a registered candidate of this session, the name on record) are ``check_against_candidates``,
fed by the service. Row numbers are the ones Excel shows (1-based, title rows included). A
message never repeats an ID number. Limits: issue 3 items 5 and 7 (10 MB, 50,000 rows); the
inflation limits refuse zip bombs before anything is decompressed.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Literal

from core.errors import ValidationError
from core.identity import IdType, mask_name, names_match, normalise_id_number, normalise_name
from training.results_xlsx import (
    WRONG_KIND,
    FileLimits,
    FileProblem,
    Special,
    read_xlsx_grid,
)


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # the Chinese header of the template
    aliases: tuple[str, ...]  # compared after _header_key()


# Issue 3 item 5: Chinese or English headers; the standard's own words are accepted too.
COLUMNS: tuple[Column, ...] = (
    Column("id_number", "身份证号", ("身份证号", "身份证号码", "公民身份号码", "id_number")),
    Column("name", "姓名", ("姓名", "name")),
    Column("theory", "理论成绩", ("理论成绩", "理论知识成绩", "theory_score")),
    Column("practical", "实操成绩", ("实操成绩", "操作技能成绩", "practical_score")),
    Column("review", "综合评审成绩", ("综合评审成绩", "review_score")),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
SCORE_MAX = Decimal(100)
SCORE_DECIMALS = 2
_SCORE_RE = re.compile(r"^\d{1,3}(\.\d+)?$")
_SCIENTIFIC_RE = re.compile(r"^\d(\.\d+)?E\+?\d+$", re.IGNORECASE)
_ECHO_MAX = 20


@dataclass(frozen=True)
class ResultRow:
    row: int
    id_number: str  # normalised
    name: str
    theory: Decimal
    practical: Decimal
    review: Decimal | None


@dataclass(frozen=True)
class RowError:
    row: int | None  # None: a problem with the whole file
    column: str | None  # the header as written in the file
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


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
    # still looks at them, so one upload lists every problem of the file.
    partial: list[tuple[int, str, str]] = field(default_factory=list)

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
    data: bytes, filename: str, *, needs_review: bool, limits: FileLimits | None = None
) -> ParsedFile:
    """Read and check an uploaded results file; never raises for bad input."""
    limits = limits or FileLimits()
    if not data:
        return _file_error("文件为空，请选择填好成绩的文件", filename=filename)
    if len(data) > limits.max_bytes:
        mb = limits.max_bytes // (1024 * 1024)
        return _file_error(f"文件过大，最大 {mb} MB", filename=filename)
    try:
        kind, grid, encoding, delimiter = _read_grid(data, limits)
    except FileProblem as problem:
        return _file_error(problem.message, filename=filename, kind=problem.kind)
    parsed = ParsedFile([], [], None, kind, filename, encoding=encoding, delimiter=delimiter)
    _check_grid(parsed, grid, needs_review, limits)
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


def _read_grid(data: bytes, limits: FileLimits) -> tuple[Any, list[list[Any]], Any, str]:
    if data.startswith(b"PK\x03\x04"):
        return "xlsx", read_xlsx_grid(data, limits), None, ","
    for magic, what in _NOT_TABULAR:
        if data.startswith(magic):
            raise FileProblem(f"{WRONG_KIND}，上传的是{what}")
    text, encoding = _decode_csv(data)
    delimiter = _sniff_delimiter(text)
    try:
        grid = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        raise FileProblem("CSV 文件格式有误（引号不配对或单元格过长），无法读取", "csv") from None
    return "csv", grid, encoding, delimiter


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


def _check_grid(
    parsed: ParsedFile, grid: list[list[Any]], needs_review: bool, limits: FileLimits
) -> None:
    required = ["id_number", "name", "theory", "practical"] + (["review"] if needs_review else [])
    errors = parsed.errors
    if all(_blank(cell) for row in grid for cell in row):
        errors.append(RowError(None, None, "文件为空，请按模板填写成绩后上传"))
        return
    partial: tuple[int, dict[str, tuple[int, str]]] | None = None
    for index, cells in enumerate(grid[: limits.header_scan_rows]):
        found, repeated = _match_header(cells)
        if all(key in found for key in required):
            for header in repeated:
                errors.append(RowError(index + 1, header, f"表头“{header}”重复出现，请只保留一列"))
            parsed.header_row, parsed.width = index + 1, len(cells)
            parsed.columns = {k: v for k, v in found.items() if k in required}
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
        errors.append(RowError(None, None, message))
        return
    _check_rows(parsed, grid, limits)


def _check_rows(parsed: ParsedFile, grid: list[list[Any]], limits: FileLimits) -> None:
    assert parsed.header_row is not None
    columns = parsed.columns
    seen: dict[str, int] = {}
    count = 0
    for index in range(parsed.header_row, len(grid)):
        cells = grid[index]
        values = {k: (cells[i] if i < len(cells) else None) for k, (i, _) in columns.items()}
        if all(_blank(value) for value in values.values()):
            continue
        count += 1
        if count > limits.max_rows:
            parsed.errors[:] = [
                RowError(None, None, f"数据超过 {limits.max_rows:,} 行，请分批上传")
            ]
            parsed.rows.clear()
            return
        problems = _RowProblems(index + 1, columns)
        id_number = _id_number(values["id_number"], problems)
        name = _name(values["name"], problems)
        theory = _score(values["theory"], "theory", problems)
        practical = _score(values["practical"], "practical", problems)
        review = _score(values["review"], "review", problems) if "review" in columns else None
        if id_number is not None:
            if id_number in seen:
                problems(
                    "id_number", f"身份证号与第 {seen[id_number]} 行重复，同一考生只能有一行成绩"
                )
            else:
                seen[id_number] = problems.row
        if problems.found:
            parsed.errors.extend(problems.in_column_order())
            if id_number is not None and name is not None:
                parsed.partial.append((problems.row, id_number, name))
            continue
        assert id_number and name and theory is not None and practical is not None
        parsed.rows.append(ResultRow(problems.row, id_number, name, theory, practical, review))
    if count == 0:
        parsed.errors.append(RowError(None, None, "表头下没有成绩数据"))


class _RowProblems:
    """The problems of one row, reported in the order of its columns as the user reads it."""

    def __init__(self, row: int, columns: dict[str, tuple[int, str]]) -> None:
        self.row = row
        self.columns = columns
        self.found: list[tuple[int, RowError]] = []

    def __call__(self, key: str, message: str) -> None:
        index, header = self.columns[key]
        self.found.append((index, RowError(self.row, header, message)))

    def in_column_order(self) -> list[RowError]:
        return [error for _, error in sorted(self.found, key=lambda item: item[0])]


def _special_message(value: Special, label: str) -> str:
    if value.kind == "formula":
        return (
            f"{label}是没有计算结果的公式：请在 Excel 中打开、重新计算并保存（或粘贴为数值）后上传"
        )
    return f"{label}是错误值“{value.text}”，请改为正确的内容"


def _id_number(value: Any, fail: _RowProblems) -> str | None:
    label = COLUMN_BY_KEY["id_number"].label
    if isinstance(value, Special):
        fail("id_number", _special_message(value, label))
        return None
    text = value if isinstance(value, str) else "" if value is None else str(value)
    if (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        or _SCIENTIFIC_RE.match(text.strip())
    ):
        fail("id_number", "身份证号被保存成了数字，末几位已丢失：请把该列设为“文本”格式后重新填写")
        return None
    try:
        return normalise_id_number(text, id_type=IdType.RESIDENT, field="id_number")
    except ValidationError as error:
        fail("id_number", error.message)
        return None


def _name(value: Any, fail: _RowProblems) -> str | None:
    if isinstance(value, Special):
        fail("name", _special_message(value, "姓名"))
        return None
    try:
        return normalise_name(
            value if isinstance(value, str) else None if value is None else str(value)
        )
    except ValidationError as error:
        fail("name", error.message)
        return None


def _echo(value: Any) -> str:
    text = ("TRUE" if value else "FALSE") if isinstance(value, bool) else str(value).strip()
    return text if len(text) <= _ECHO_MAX else text[:_ECHO_MAX] + "…"


def _score(value: Any, key: str, fail: _RowProblems) -> Decimal | None:
    label = COLUMN_BY_KEY[key].label
    not_number = f"{label}必须是 0–100 的数字，实际为“{{}}”"
    if isinstance(value, Special):
        fail(key, _special_message(value, label))
        return None
    if _blank(value):
        fail(key, f"请填写{label}")
        return None
    if isinstance(value, (bool, date, datetime, time, timedelta)):
        fail(key, not_number.format(_echo(value)))
        return None
    if isinstance(value, (int, float)):
        text = repr(float(value)) if isinstance(value, float) else str(value)
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip()
        if text.startswith("#"):
            fail(key, f"{label}是错误值“{_echo(text)}”，请改为 0–100 的数字")
            return None
    if not _SCORE_RE.match(text):
        fail(key, not_number.format(_echo(value)))
        return None
    score = Decimal(text)
    if score > SCORE_MAX:
        fail(key, f"{label}必须在 0–100 之间，实际为 {_echo(value)}")
        return None
    if -score.as_tuple().exponent > SCORE_DECIMALS:  # type: ignore[operator]
        fail(key, f"{label}最多保留 {SCORE_DECIMALS} 位小数，实际为 {_echo(value)}")
        return None
    return score


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
    """Every part at or above the catalogue's pass mark (the review only where there is one)."""
    parts = [row.theory, row.practical] + ([row.review] if row.review is not None else [])
    return all(part >= pass_mark for part in parts)


def sort_errors(errors: list[RowError]) -> list[RowError]:
    """Whole-file problems first, then by row in file order (stable within a row)."""
    return sorted(errors, key=lambda e: -1 if e.row is None else e.row)
