"""One cell of a results file read as the provider sees it: the column definitions, the row
problems collector, and the readers of ID-number, name and score cells.

Pure (training.results_file drives it). A score reads as what the cell shows: a number cell
formatted as a percentage (0.85 shown as 85%) reads as 85, text "85%" too, whichever section of
the format applies (training.results_numfmt); a cell whose format shows a value other than the
one it holds (59.5 shown as 60) is refused naming the cell, never stored as it is held. 缺考 in
a score column marks the candidate absent. A message never repeats an ID number.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from core.errors import ValidationError
from core.id_cells import clean_id_cell
from core.identity import normalise_name
from training.results_numfmt import display_for
from training.results_xlsx import Formatted, Special


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # the Chinese header of the template
    aliases: tuple[str, ...]  # compared after the header key folding of results_file


# Chinese or English headers; the standard's own words are accepted too.
COLUMNS: tuple[Column, ...] = (
    Column("id_number", "身份证号", ("身份证号", "身份证号码", "公民身份号码", "id_number")),
    Column("name", "姓名", ("姓名", "name")),
    Column("theory", "理论成绩", ("理论成绩", "理论知识成绩", "theory_score")),
    Column("practical", "实操成绩", ("实操成绩", "操作技能成绩", "practical_score")),
    Column("review", "综合评审成绩", ("综合评审成绩", "review_score")),
    # Optional: the filled-in template's column where an absent candidate is marked.
    Column("absent", "缺考", ("缺考", "是否缺考", "absent")),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
SCORE_MAX = Decimal(100)
SCORE_DECIMALS = 2
ABSENT_WORDS = ("缺考", "缺席", "absent")  # a score cell marking the candidate absent
ABSENT = "缺考"
_SCORE_RE = re.compile(r"^\d{1,3}(\.\d+)?$")
_ECHO_MAX = 20


@dataclass(frozen=True)
class RowError:
    row: int | None  # None: a problem with the whole file
    column: str | None  # the header as written in the file
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


def cell_ref(column_index: int, row: int) -> str:
    """Excel's name of a cell: (0-based column, 1-based row) -> "C5"."""
    letters = ""
    number = column_index + 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row}"


class RowProblems:
    """The problems of one row, reported in the order of its columns as the user reads it."""

    def __init__(self, row: int, columns: dict[str, tuple[int, str]]) -> None:
        self.row = row
        self.columns = columns
        self.found: list[tuple[int, RowError]] = []

    def __call__(self, key: str, message: str) -> None:
        index, header = self.columns[key]
        self.found.append((index, RowError(self.row, header, message)))

    def cell(self, key: str) -> str:
        return cell_ref(self.columns[key][0], self.row)

    def in_column_order(self) -> list[RowError]:
        return [error for _, error in sorted(self.found, key=lambda item: item[0])]


def special_message(value: Special, label: str) -> str:
    if value.kind == "formula":
        return (
            f"{label}是没有计算结果的公式：请在 Excel 中打开、重新计算并保存（或粘贴为数值）后上传"
        )
    return f"{label}是错误值“{value.text}”，请改为正确的内容"


def read_id_number(value: Any, fail: RowProblems) -> str | None:
    """The normalised ID number, cleaned of what Excel adds (training.id_cells), or None."""
    label = COLUMN_BY_KEY["id_number"].label
    if isinstance(value, Special):
        fail("id_number", special_message(value, label))
        return None
    if isinstance(value, Formatted):
        value = value.value
    cell = clean_id_cell(value)
    if cell.problem is not None:
        fail("id_number", cell.problem)
    return cell.id_number


def read_name(value: Any, fail: RowProblems) -> str | None:
    if isinstance(value, Special):
        fail("name", special_message(value, "姓名"))
        return None
    if isinstance(value, Formatted):  # a number where the name goes: the checks say so
        value = value.value
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


# What marks a candidate absent in the 缺考 column, besides the words of ABSENT_WORDS.
ABSENT_MARKS = ("是", "√", "✓", "✔", "y", "yes", "x", "1", "true")


def read_absent_mark(value: Any, fail: RowProblems) -> bool:
    """The 缺考 column of a row: True when marked (缺考, 是, √, Y, 1…), False when blank or 否."""
    if value is None or isinstance(value, Special):
        if isinstance(value, Special):
            fail("absent", special_message(value, ABSENT))
        return False
    if isinstance(value, Formatted):
        value = value.value
    if isinstance(value, bool):
        return value
    text = unicodedata.normalize("NFKC", str(value)).strip().lower()
    if text.endswith(".0"):  # the number 1 read from a cell
        text = text[:-2]
    if not text or text in ("否", "n", "no", "0", "false"):
        return False
    if text in ABSENT_WORDS or text in ABSENT_MARKS:
        return True
    fail("absent", f"缺考列只能填写“{ABSENT}”（或留空），实际为“{_echo(value)}”")
    return False


def is_absent(value: Any) -> bool:
    """A score cell reading 缺考 (or 缺席 / absent)."""
    if not isinstance(value, str):
        return False
    text = unicodedata.normalize("NFKC", value).strip().lower()
    return text in ABSENT_WORDS


_REFORMAT = "请把单元格格式改为常规或显示全部小数后重新上传"


def _formatted_score(value: Formatted, key: str, fail: RowProblems) -> Decimal | None:
    """The number a formatted cell shows (0.85 shown as 85% -> 85); None after refusing a cell
    that shows another value than it holds, no number, or a number out of 0–100."""
    label = COLUMN_BY_KEY[key].label
    cell = fail.cell(key)
    held = Decimal(repr(value.value))
    display = display_for(value.code, held)
    if display.kind == "other":
        fail(key, f"{label}单元格 {cell} 的格式“{display.section or '未知'}”不是数字格式"
                  "（日期、时间、分数或科学计数），请把单元格格式改为常规后重新上传")
        return None
    if display.kind == "none":
        fail(key, f"{label}单元格 {cell} 的格式不显示数字（实际值为 {held.normalize():f}），"
                  "请把单元格格式改为常规后重新上传")
        return None
    exact = held * display.factor
    shown = display.shown(held)
    if shown != abs(exact):
        sign = "-" if exact < 0 else ""
        if display.percent:
            fail(key, f"{label}（单元格 {cell} 为百分比格式）显示为 {sign}{shown:f}%，实际为 "
                      f"{exact.normalize():f}%：请把该列改为“常规”或“数值”格式，填写 0–100 的分数")
        else:
            fail(key, f"{label}单元格 {cell} 显示为 {sign}{shown:f}，实际值为 "
                      f"{exact.normalize():f}，{_REFORMAT}")
        return None
    where = f"{label}（单元格 {cell}{' 为百分比格式' if display.percent else ''}）"
    unit, shown_text = "%" if display.percent else "", f"{exact.normalize():f}"
    if not 0 <= exact <= SCORE_MAX:
        fail(key, f"{where}必须在 0–100 之间，实际显示为 {shown_text}{unit}")
        return None
    if -exact.normalize().as_tuple().exponent > SCORE_DECIMALS:  # type: ignore[operator]
        fail(key, f"{where}最多保留 {SCORE_DECIMALS} 位小数，实际显示为 {shown_text}{unit}")
        return None
    return exact.quantize(Decimal(1)) if exact == exact.to_integral_value() else exact.normalize()


def read_score(value: Any, key: str, fail: RowProblems) -> Decimal | None:
    """A 0–100 score with at most two decimals, as the cell shows it; None after a problem."""
    label = COLUMN_BY_KEY[key].label
    not_number = f"{label}必须是 0–100 的数字，实际为“{{}}”"
    if isinstance(value, Special):
        fail(key, special_message(value, label))
        return None
    if value is None or (isinstance(value, str) and not value.strip()):
        fail(key, f"请填写{label}（整场缺考的考生请填写“{ABSENT}”）")
        return None
    if isinstance(value, (bool, date, datetime, time, timedelta)):
        fail(key, not_number.format(_echo(value)))
        return None
    if isinstance(value, Formatted):
        return _formatted_score(value, key, fail)
    if isinstance(value, (int, float)):
        text = repr(float(value)) if isinstance(value, float) else str(value)
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip()
        if text.startswith("#"):
            fail(key, f"{label}是错误值“{_echo(text)}”，请改为 0–100 的数字")
            return None
        if text.endswith("%"):  # text "85%" means the 85 it shows
            text = text[:-1].strip()
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
