"""A results file means what the provider sees, the pure reader: percentage
formats, the sheet read, more rows than candidates, repeats, 缺考, damaged ID cells. XLSX files
are built with openpyxl and read by the product's reader (calamine plus the sheet XML)."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.id_cells import ROUNDED
from core.identity import id_check_char
from training.results_feedback import annotate_file
from training.results_file import check_against_candidates, parse_results_file

HEADERS = ["身份证号", "姓名", "理论成绩", "实操成绩"]


def make_id(serial: int) -> str:
    first17 = f"12010119900101{serial:03d}"
    return first17 + id_check_char(first17)


ID1, ID2, ID3 = make_id(1), make_id(2), make_id(3)


def workbook_bytes(workbook: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def with_formats(rows: list[list], formats: dict[str, str]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    for ref, number_format in formats.items():
        workbook.active[ref].number_format = number_format
    return workbook_bytes(workbook)


def parse(data: bytes, name: str = "成绩.xlsx", candidates: int | None = None):
    return parse_results_file(data, name, needs_review=False, candidates=candidates)


def messages(parsed) -> list[tuple]:
    return [(e.row, e.column, e.message) for e in parsed.errors]


# --- percentages -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "number_format", "score"),
    [
        (0.85, "0%", Decimal(85)),
        (0.855, "0.0%", Decimal("85.5")),
        (0.8525, "0.00%", Decimal("85.25")),
        (1, "0%", Decimal(100)),
        (0, "0%", Decimal(0)),
    ],
)
def test_a_percentage_cell_reads_as_the_percentage_shown(value, number_format, score):
    parsed = parse(with_formats([HEADERS, [ID1, "张三", value, 0.9]],
                                {"C2": number_format, "D2": "0%"}))
    assert parsed.ok, parsed.errors
    assert (parsed.rows[0].theory, parsed.rows[0].practical) == (score, Decimal(90))


def test_a_percentage_that_hides_decimals_is_refused_naming_the_cell():
    parsed = parse(with_formats([HEADERS, [ID1, "张三", 0.853, 90]], {"C2": "0%"}))
    assert messages(parsed) == [(2, "理论成绩", "理论成绩（单元格 C2 为百分比格式）显示为 85%，"
                                 "实际为 85.3%：请把该列改为“常规”或“数值”格式，填写 0–100 的分数")]
    assert parsed.rows == []


def test_a_score_typed_as_85_in_a_percentage_column_is_over_100():
    parsed = parse(with_formats([HEADERS, [ID1, "张三", 85, 90]], {"C2": "0%"}))
    assert messages(parsed) == [
        (2, "理论成绩", "理论成绩（单元格 C2 为百分比格式）必须在 0–100 之间，实际显示为 8500%")]


def test_a_custom_percentage_format_with_colour_and_a_plain_number_next_to_it():
    parsed = parse(with_formats([HEADERS, [ID1, "张三", 0.6, 0.6]], {"C2": "[Red]0%"}))
    assert parsed.ok and parsed.rows[0].theory == Decimal(60)
    assert parsed.rows[0].practical == Decimal("0.6")  # General format: what is shown


@settings(max_examples=25, deadline=None)
@given(st.decimals(min_value=0, max_value=100, places=2))
def test_any_score_written_as_a_percentage_reads_back_as_shown(score):
    number_format = "0.00%" if score != score.to_integral_value() else "0%"
    parsed = parse(with_formats([HEADERS, [ID1, "张三", float(score / 100), 90]],
                                {"C2": number_format}))
    assert parsed.ok, parsed.errors
    assert parsed.rows[0].theory == score


@pytest.mark.parametrize(("text", "score"), [("85%", Decimal(85)), ("８５．５％", Decimal("85.5"))])
def test_csv_percentage_text_reads_as_the_number_shown(text, score):
    parsed = parse(f"身份证号,姓名,理论成绩,实操成绩\n{ID1},张三,{text},90\n".encode(), "r.csv")
    assert parsed.ok and parsed.rows[0].theory == score


# --- the sheet read --------------------------------------------------------------------------


def test_a_hidden_first_sheet_is_skipped_and_the_first_visible_one_read():
    workbook = openpyxl.Workbook()
    workbook.active.title = "旧数据"
    workbook.active.append(["备注"])
    workbook.active.sheet_state = "hidden"
    sheet = workbook.create_sheet("Sheet2")
    sheet.append(HEADERS)
    sheet.append([ID1, "张三", 85, 90])
    parsed = parse(workbook_bytes(workbook))
    assert parsed.ok and parsed.sheet == "Sheet2" and parsed.rows[0].id_number == ID1


def test_a_sheet_named_results_is_read_wherever_it_is_and_messages_name_it():
    workbook = openpyxl.Workbook()
    workbook.active.title = "说明"
    workbook.active.append(["请在“成绩”页填写"])
    sheet = workbook.create_sheet("成绩")
    sheet.append(["证件", "名字"])
    parsed = parse(workbook_bytes(workbook))
    assert parsed.sheet == "成绩"
    assert messages(parsed) == [(None, None, "工作表“成绩”：未找到表头。第一行应为：身份证号、"
                                 "姓名、理论成绩、实操成绩（也可用英文表头，见模板）")]


def test_a_workbook_with_every_sheet_hidden():
    workbook = openpyxl.Workbook()
    workbook.create_sheet("成绩")
    # openpyxl refuses to save with no visible sheet; hide them in the XML as Excel would.
    data = workbook_bytes(workbook)
    import zipfile

    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            body = source.read(info)
            if info.filename == "xl/workbook.xml":
                body = body.replace(b'state="visible"', b'state="veryHidden"')
            target.writestr(info.filename, body)
    parsed = parse(out.getvalue())
    assert messages(parsed) == [
        (None, None, "工作簿中没有可见的工作表：请在 Excel 中取消隐藏“成绩”工作表后上传")]


def test_the_annotated_file_marks_the_sheet_that_was_read():
    workbook = openpyxl.Workbook()
    workbook.active.title = "封面"
    sheet = workbook.create_sheet("成绩")
    sheet.append(HEADERS)
    sheet.append([ID1, "张三", "八十", 90])
    data = workbook_bytes(workbook)
    parsed = parse(data)
    body, _, _ = annotate_file(data, parsed, parsed.errors)
    back = openpyxl.load_workbook(io.BytesIO(body))
    assert back["成绩"]["E2"].value == "理论成绩必须是 0–100 的数字，实际为“八十”"
    assert back["封面"].max_column == 1


# --- rows against candidates -----------------------------------------------------------------


def test_more_rows_than_candidates_is_one_whole_file_error_with_both_counts():
    rows = [HEADERS] + [[make_id(i % 5), "张三", 85, 90] for i in range(600)]
    parsed = parse(with_formats(rows, {}), candidates=3)
    assert messages(parsed) == [(None, None, "工作表“Sheet”：文件有 600 行数据，本场考试只有 3 名"
                                 "已确认考生：每位考生只能有一行成绩，"
                                 "请只保留本场考生的成绩后重新上传")]
    assert parsed.rows == [] and parsed.partial == []


def test_a_repeated_id_is_a_repeat_of_its_first_row_and_nothing_else():
    rows = [HEADERS, [ID1, "张三", 85, 90], [ID2, "李四", 85, 90], [ID1, "张三", 70, 70],
            [ID1, "王五", "八十", 70]]
    parsed = parse(with_formats(rows, {}), candidates=4)
    repeat = "身份证号与第 2 行重复，同一考生只能有一行成绩"
    assert messages(parsed) == [(4, "身份证号", repeat), (5, "身份证号", repeat),
                                (5, "理论成绩", "理论成绩必须是 0–100 的数字，实际为“八十”")]
    assert check_against_candidates(parsed, {ID1: "张三", ID2: "李四"}) == []


# --- 缺考 ------------------------------------------------------------------------------------


def test_absent_candidates_are_marked_by_the_word_in_the_score_columns():
    rows = [HEADERS, [ID1, "张三", "缺考", "缺考"], [ID2, "李四", "缺考", None],
            [ID3, "王五", 60, 60]]
    parsed = parse(with_formats(rows, {}))
    assert parsed.ok, parsed.errors
    assert [(r.id_number, r.absent, r.theory) for r in parsed.rows] == [
        (ID1, True, None), (ID2, True, None), (ID3, False, Decimal(60))]


def test_absent_with_a_score_beside_it_is_refused():
    parsed = parse(with_formats([HEADERS, [ID1, "张三", "缺考", 80]], {}))
    assert messages(parsed) == [(2, "实操成绩", "本行已标为缺考，实操成绩却有内容：只考了部分科目的"
                                 "考生，缺考科目请填 0 分；整场缺考请在各成绩列都填写“缺考”")]


# --- ID cells damaged by Excel, through the reader ------------------------------------------


def test_damaged_id_cells_in_a_csv_are_cleaned_or_explained():
    text = (f"身份证号,姓名,理论成绩,实操成绩\n'{ID1},张三,85,90\n=\"{ID2}\",李四,85,90\n"
            f"\u200b{ID3}\u200b,王五,85,90\n120101199001010000,赵六,85,90\n")
    parsed = parse(text.encode(), "r.csv")
    assert [r.id_number for r in parsed.rows] == [ID1, ID2, ID3]
    assert messages(parsed) == [(5, "身份证号", ROUNDED)]
