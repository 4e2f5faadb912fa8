"""Exam results file: every bad input gives a clear Chinese message, and
good files in every accepted form give checked rows with Excel's row numbers."""

from __future__ import annotations

import io
import struct
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.id_cells import ROUNDED
from core.identity import id_check_char
from training.results_feedback import ERROR_HEADER, annotate_file, template_file
from training.results_file import (
    FileLimits,
    ParsedFile,
    check_against_candidates,
    parse_results_file,
    passed,
)

HEADERS = ["身份证号", "姓名", "理论成绩", "实操成绩"]


def make_id(serial: int) -> str:
    first17 = f"12010119900101{serial:03d}"
    return first17 + id_check_char(first17)


ID1, ID2, ID3 = make_id(1), make_id(2), make_id(3)


def xlsx(rows: list[list], merge: str | None = None) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def patch_sheet(data: bytes, old: bytes, new: bytes) -> bytes:
    """Rewrite the first sheet's XML (to give a formula a cached value, as Excel would)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                assert old in body
                body = body.replace(old, new)
            target.writestr(info.filename, body)
    return out.getvalue()


def parse(data: bytes, name: str = "成绩.xlsx", needs_review: bool = False, **limits) -> ParsedFile:
    return parse_results_file(data, name, needs_review=needs_review, limits=FileLimits(**limits))


def only_message(parsed: ParsedFile) -> str:
    assert not parsed.rows or parsed.errors
    assert len(parsed.errors) == 1, parsed.errors
    assert parsed.errors[0].row is None and parsed.errors[0].column is None
    return parsed.errors[0].message


def messages(parsed: ParsedFile) -> list[tuple[int | None, str | None, str]]:
    return [(e.row, e.column, e.message) for e in parsed.errors]


# --- good files ------------------------------------------------------------------------------


def test_xlsx_with_chinese_headers_gives_rows():
    parsed = parse(xlsx([HEADERS, [ID1, "张三", 85, "78.5"], [ID2, "李四", 60.0, 59]]))
    assert parsed.ok and parsed.kind == "xlsx" and parsed.header_row == 1
    assert [(r.row, r.id_number, r.name, r.theory, r.practical) for r in parsed.rows] == [
        (2, ID1, "张三", Decimal(85), Decimal("78.5")),
        (3, ID2, "李四", Decimal(60), Decimal(59)),
    ]
    assert [passed(r, 60) for r in parsed.rows] == [True, False]


def test_english_headers_and_review_column_for_levels_two_and_one():
    data = f"id_number,name,theory_score,practical_score,review_score\n{ID1},张三,90,91,59.5\n"
    parsed = parse(data.encode(), "r.csv", needs_review=True)
    assert parsed.ok and parsed.rows[0].review == Decimal("59.5")
    assert passed(parsed.rows[0], 60) is False


def test_missing_review_column_when_the_level_needs_it():
    parsed = parse(xlsx([HEADERS, [ID1, "张三", 85, 85]]), needs_review=True)
    message = only_message(parsed)
    assert "缺少列：综合评审成绩" in message and "二级、一级须填写综合评审成绩" in message
    assert parsed.rows == []


@pytest.mark.parametrize(
    ("encoded", "encoding"),
    [
        (lambda text: text.encode("utf-8-sig"), "utf-8-sig"),
        (lambda text: text.encode("utf-8"), "utf-8"),
        (lambda text: text.encode("gbk"), "gb18030"),
        (lambda text: text.encode("gb18030"), "gb18030"),
    ],
)
def test_csv_encodings(encoded, encoding):
    text = f"身份证号,姓名,理论成绩,实操成绩\r\n{ID1},欧阳·娜娜,85,90\r\n"
    parsed = parse(encoded(text), "r.csv")
    assert parsed.ok and parsed.kind == "csv" and parsed.encoding == encoding
    assert parsed.rows[0].name == "欧阳·娜娜"


def test_full_width_digits_lower_x_and_spaces_are_accepted():
    first17 = "11010519491231002"
    number = first17 + id_check_char(first17)
    assert number.endswith("X")
    wide = "".join(chr(ord(c) + 0xFEE0) for c in first17) + "x"
    parsed = parse(
        f"身份证号,姓名,理论成绩,实操成绩\n {wide} ,张三,８５,８５．５\n".encode(), "r.csv"
    )
    assert parsed.ok, parsed.errors
    assert parsed.rows[0].id_number == number
    assert (parsed.rows[0].theory, parsed.rows[0].practical) == (Decimal(85), Decimal("85.5"))


def test_tab_separated_text_is_read_too():
    parsed = parse(f"身份证号\t姓名\t理论成绩\t实操成绩\n{ID1}\t张三\t85\t90\n".encode(), "r.txt")
    assert parsed.ok and parsed.delimiter == "\t"


def test_merged_title_row_above_the_header_keeps_excel_row_numbers():
    data = xlsx(
        [
            ["2025 年第 3 期保育师四级考试成绩"],
            HEADERS,
            [ID1, "张三", 85, 90],
            [ID2, "李四", "八十", 90],
        ],
        "A1:D1",
    )
    parsed = parse(data)
    assert parsed.header_row == 2
    assert [r.row for r in parsed.rows] == [3]
    assert messages(parsed) == [(4, "理论成绩", "理论成绩必须是 0–100 的数字，实际为“八十”")]


def test_blank_rows_are_skipped_and_numbering_follows_excel():
    parsed = parse(
        xlsx([HEADERS, [ID1, "张三", 85, 90], [], [None, "  ", None], [ID2, "李四", 70, 71]])
    )
    assert parsed.ok and [r.row for r in parsed.rows] == [2, 5]


def test_formula_with_a_cached_value_counts_as_its_value():
    data = xlsx([HEADERS, [ID1, "张三", "=80+5", 90]])
    data = patch_sheet(data, b"<f>80+5</f><v></v>", b"<f>80+5</f><v>85</v>")
    parsed = parse(data)
    assert parsed.ok and parsed.rows[0].theory == Decimal(85)


# --- bad cells -------------------------------------------------------------------------------


def test_formula_without_a_computed_value_is_refused():
    parsed = parse(xlsx([HEADERS, [ID1, "张三", "=80+5", 90]]))
    assert messages(parsed) == [
        (
            2,
            "理论成绩",
            "理论成绩是没有计算结果的公式：请在 Excel 中打开、重新计算并保存（或粘贴为数值）后上传",
        )
    ]
    assert parsed.rows == []


def test_formula_whose_result_is_empty_text_is_a_blank_not_an_uncomputed_formula():
    data = xlsx([HEADERS, [ID1, "张三", '=""', 90]])
    data = patch_sheet(
        data, b'<c r="C2"><f>""</f><v></v></c>', b'<c r="C2" t="str"><f>""</f><v></v></c>'
    )
    message = "请填写理论成绩（整场缺考的考生请填写“缺考”）"
    assert messages(parse(data)) == [(2, "理论成绩", message)]


def test_error_values_are_refused_in_xlsx_and_csv():
    parsed = parse(xlsx([HEADERS, [ID1, "张三", "#DIV/0!", "#N/A"]]))
    assert messages(parsed) == [
        (2, "理论成绩", "理论成绩是错误值“#DIV/0!”，请改为正确的内容"),
        (2, "实操成绩", "实操成绩是错误值“#N/A”，请改为正确的内容"),
    ]
    parsed = parse(f"身份证号,姓名,理论成绩,实操成绩\n{ID1},张三,#N/A,90\n".encode(), "r.csv")
    assert messages(parsed) == [(2, "理论成绩", "理论成绩是错误值“#N/A”，请改为 0–100 的数字")]


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("", "请填写理论成绩（整场缺考的考生请填写“缺考”）"),
        ("八十", "理论成绩必须是 0–100 的数字，实际为“八十”"),
        ("85分", "理论成绩必须是 0–100 的数字，实际为“85分”"),
        ("-1", "理论成绩必须是 0–100 的数字，实际为“-1”"),
        ("NaN", "理论成绩必须是 0–100 的数字，实际为“NaN”"),
        ("Infinity", "理论成绩必须是 0–100 的数字，实际为“Infinity”"),
        ("100.5", "理论成绩必须在 0–100 之间，实际为 100.5"),
        ("85.125", "理论成绩最多保留 2 位小数，实际为 85.125"),
    ],
)
def test_bad_scores(cell, message):
    parsed = parse(f"身份证号,姓名,理论成绩,实操成绩\n{ID1},张三,{cell},90\n".encode(), "r.csv")
    assert messages(parsed) == [(2, "理论成绩", message)]


def test_booleans_and_dates_are_not_scores():
    from datetime import date

    parsed = parse(xlsx([HEADERS, [ID1, "张三", True, date(2025, 1, 1)]]))
    assert [e.message for e in parsed.errors] == [
        "理论成绩必须是 0–100 的数字，实际为“TRUE”",
        "实操成绩必须是 0–100 的数字，实际为“2025-01-01”",
    ]


@given(st.decimals(min_value=0, max_value=100, places=2), st.booleans())
def test_any_score_in_range_reads_back_exactly(score, wide):
    text = str(score)
    if wide:
        text = text.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789."})
    parsed = parse(f"身份证号,姓名,理论成绩,实操成绩\n{ID1},张三,{text},0\n".encode(), "r.csv")
    assert parsed.ok, parsed.errors
    assert parsed.rows[0].theory == score


def test_bad_ids_name_the_column_and_never_echo_the_number():
    bad = ID1[:-1] + ("0" if ID1[-1] != "0" else "1")
    data = xlsx(
        [HEADERS, [bad, "张三", 85, 90], [120101199001010010, "李四", 85, 90], ["", "王五", 85, 90]]
    )
    parsed = parse(data)
    assert messages(parsed) == [
        (2, "身份证号", "身份证号校验位不正确，请核对后重新输入"),
        (3, "身份证号", ROUNDED),
        (4, "身份证号", "请填写身份证号"),
    ]
    assert all(bad not in e.message and "1201011990" not in e.message for e in parsed.errors)


def test_scientific_notation_from_a_csv_saved_by_excel():
    parsed = parse("身份证号,姓名,理论成绩,实操成绩\n1.20101E+17,张三,85,90\n".encode(), "r.csv")
    assert messages(parsed)[0][2].startswith("身份证号被保存成了数字")


def test_same_candidate_twice_and_blank_name():
    data = xlsx([HEADERS, [ID1, "张三", 85, 90], [ID2, "", 85, 90], [ID1.lower(), "张三", 70, 70]])
    assert messages(parse(data)) == [
        (3, "姓名", "请填写姓名"),
        (4, "身份证号", "身份证号与第 2 行重复，同一考生只能有一行成绩"),
    ]


def test_every_problem_is_listed_and_nothing_is_accepted():
    data = xlsx([HEADERS, [ID1, "张三", 85, 90], [ID2, "李四", "", 90], [ID3, "王五", 85, 101]])
    parsed = parse(data)
    assert [(e.row, e.column) for e in parsed.errors] == [(3, "理论成绩"), (4, "实操成绩")]
    assert not parsed.ok


# --- bad files -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"%PDF-1.7\n...", "只接受 Excel（.xlsx）或 CSV 文件，上传的是PDF 文件"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "只接受 Excel（.xlsx）或 CSV 文件，上传的是图片"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "旧版 Excel（.xls）"),
        (
            bytes(range(256)) * 4,
            "只接受 Excel（.xlsx）或 CSV 文件（CSV 须为 UTF-8 或 GBK 编码的文本）",
        ),
        ("身份证号".encode("utf-16"), "CSV 文件是 UTF-16 编码"),
    ],
)
def test_files_that_are_not_csv_or_xlsx(data, expected):
    assert expected in only_message(parse(data, "x.csv"))


def test_a_zip_that_is_not_a_workbook():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    assert (
        only_message(parse(out.getvalue()))
        == "只接受 Excel（.xlsx）或 CSV 文件，上传的压缩包不是 Excel 工作簿"
    )


def test_truncated_xlsx():
    data = xlsx([HEADERS, [ID1, "张三", 85, 90]])
    assert (
        only_message(parse(data[: len(data) // 2]))
        == "Excel 文件已损坏或不完整，请在 Excel 中重新保存后上传"
    )


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b" \r\n,,,\r\n"])
def test_empty_files(data):
    assert only_message(parse(data, "r.csv")).startswith("文件为空")


def test_empty_workbook():
    assert only_message(parse(xlsx([]))) == "工作表“Sheet”：文件为空，请按模板填写成绩后上传"


def test_header_without_data():
    assert only_message(parse(xlsx([HEADERS]))) == "工作表“Sheet”：表头下没有成绩数据"


@pytest.mark.parametrize("first_row", [[ID1, "张三", 85, 90], ["证件", "名字", "分数一", "分数二"]])
def test_no_header_or_wrong_headers(first_row):
    message = only_message(parse(xlsx([first_row, [ID2, "李四", 85, 90]])))
    assert (
        message
        == "工作表“Sheet”：未找到表头。第一行应为：身份证号、姓名、理论成绩、实操成绩"
        "（也可用英文表头，见模板）"
    )


def test_header_missing_a_column_names_it():
    message = only_message(parse(xlsx([["身份证号", "姓名", "理论成绩"], [ID1, "张三", 85]])))
    assert message == (
        "工作表“Sheet”：第 1 行的表头缺少列：实操成绩。表头应为：身份证号、姓名、理论成绩、实操成绩"
    )


def test_repeated_header_is_reported():
    parsed = parse(xlsx([HEADERS + ["理论成绩"], [ID1, "张三", 85, 90, 85]]))
    assert messages(parsed) == [(1, "理论成绩", "表头“理论成绩”重复出现，请只保留一列")]


def test_over_ten_megabytes():
    assert only_message(parse(b"a" * (10 * 1024 * 1024 + 1), "r.csv")) == "文件过大，最大 10 MB"


def test_over_fifty_thousand_rows_csv():
    lines = ["身份证号,姓名,理论成绩,实操成绩"] + [f"{ID1},张三,85,90"] * 50_001
    parsed = parse("\n".join(lines).encode(), "r.csv")
    assert only_message(parsed) == "文件有 50,001 行数据，超过 50,000 行的上限，请分批上传"
    assert parsed.rows == []


def test_over_the_row_limit_xlsx_is_refused_before_reading_the_values():
    rows = [HEADERS] + [[make_id(i), "张三", 85, 90] for i in range(30)]
    message = only_message(parse(xlsx(rows), max_rows=20))
    assert message == "工作表“Sheet”有 31 行内容（含表头），超过 20 行的上限，请分批上传"
    message = only_message(parse_results_file(xlsx(rows), "r.xlsx", needs_review=False,
                                              limits=FileLimits(max_rows=20), candidates=3))
    assert message == ("工作表“Sheet”有 31 行内容（含表头），超过 20 行的上限，本场考试只有 3 名"
                       "已确认考生：每位考生只能有一行成绩，请只保留本场考生的成绩后重新上传")


def _bomb(path, size: int) -> bytes:
    chunk = b"0" * (1024 * 1024)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            for _ in range(size // len(chunk)):
                sheet.write(chunk)
    return path.read_bytes()


@pytest.mark.parametrize("megabytes", [300, 20])  # over the total; under it but 1000:1
def test_zip_bomb_is_refused(tmp_path, megabytes):
    """How quickly: bench/zip_bomb.py."""
    data = _bomb(tmp_path / "bomb.xlsx", megabytes * 1024 * 1024)
    assert len(data) < 1024 * 1024
    message = only_message(parse(data))
    assert message == "文件解压后过大（疑似压缩炸弹），请只保留成绩表后重新上传"


def test_entry_larger_than_declared_is_refused_as_corrupt():
    data = bytearray(xlsx([HEADERS, [ID1, "张三", 85, 90]]))
    name = b"xl/worksheets/sheet1.xml"
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(name.decode())
    struct.pack_into("<I", data, info.header_offset + 22, 10)  # local header: size 10
    central = bytes(data).find(b"PK\x01\x02")
    while central >= 0:  # central directory entry of the sheet
        length = struct.unpack_from("<H", data, central + 28)[0]
        if bytes(data[central + 46 : central + 46 + length]) == name:
            struct.pack_into("<I", data, central + 24, 10)
        central = bytes(data).find(b"PK\x01\x02", central + 1)
    assert (
        only_message(parse(bytes(data))) == "Excel 文件已损坏或不完整，请在 Excel 中重新保存后上传"
    )


# --- checks against the session's candidates -------------------------------------------------


def test_candidates_unknown_id_and_name_mismatch():
    data = xlsx(
        [HEADERS, [ID1, "阿依古丽•买买提", 85, 90], [ID2, "李四", 85, 90], [ID3, "王五", 85, 90]]
    )
    parsed = parse(data)
    candidates = {ID1: "阿依古丽·买买提", ID2: "李思"}
    assert [(e.row, e.column, e.message) for e in check_against_candidates(parsed, candidates)] == [
        (3, "姓名", "姓名与报名信息不一致（报名姓名为“李*”）"),
        (4, "身份证号", "该身份证号不是本场考试的报名考生"),
    ]


# --- the file handed back, and the template --------------------------------------------------


def test_annotated_xlsx_keeps_the_cells_and_adds_the_error_column():
    data = xlsx(
        [["第 3 期成绩"], HEADERS, [ID1, "张三", 85, 90], [ID2, "李四", "八十", 90]], "A1:D1"
    )
    parsed = parse(data, "三期.xlsx")
    extra = check_against_candidates(parsed, {})
    body, filename, content_type = annotate_file(data, parsed, parsed.errors + extra)
    assert filename == "三期_错误说明.xlsx" and content_type.endswith("spreadsheetml.sheet")
    sheet = openpyxl.load_workbook(io.BytesIO(body)).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[1] == HEADERS + [ERROR_HEADER]
    assert rows[2] == [ID1, "张三", 85, 90, "该身份证号不是本场考试的报名考生"]
    # a row refused for its score is still checked against the candidates
    both = "理论成绩必须是 0–100 的数字，实际为“八十”；该身份证号不是本场考试的报名考生"
    assert rows[3] == [ID2, "李四", "八十", 90, both]
    assert "A1:D1" in {str(r) for r in sheet.merged_cells.ranges}


def test_annotated_csv_keeps_its_encoding():
    data = f"身份证号,姓名,理论成绩,实操成绩\r\n{ID1},张三,85,90\r\n{ID2},李四,,90\r\n".encode(
        "gbk"
    )
    parsed = parse(data, "r.csv")
    body, filename, content_type = annotate_file(data, parsed, parsed.errors)
    assert (filename, content_type) == ("r_错误说明.csv", "text/csv; charset=gb18030")
    assert body.decode("gbk").splitlines() == [
        "身份证号,姓名,理论成绩,实操成绩,错误说明",
        f"{ID1},张三,85,90",
        f"{ID2},李四,,90,请填写理论成绩（整场缺考的考生请填写“缺考”）",
    ]


def test_unreadable_file_comes_back_as_an_error_list():
    parsed = parse(b"%PDF-1.4", "scan.pdf")
    body, filename, _ = annotate_file(b"%PDF-1.4", parsed, parsed.errors)
    rows = list(openpyxl.load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True))
    assert filename == "scan_错误说明.xlsx"
    assert rows[1] == ("整个文件", None, "只接受 Excel（.xlsx）或 CSV 文件，上传的是PDF 文件")


@pytest.mark.parametrize("needs_review", [False, True])
def test_template_round_trip(needs_review):
    template = template_file(needs_review)
    assert only_message(parse(template, needs_review=needs_review)) == (
        "工作表“成绩”：表头下没有成绩数据"
    )
    workbook = openpyxl.load_workbook(io.BytesIO(template))
    assert workbook.sheetnames == ["成绩", "填写说明"]
    workbook["成绩"].append([ID1, "张三", 85, 90] + ([80] if needs_review else []))
    out = io.BytesIO()
    workbook.save(out)
    parsed = parse(out.getvalue(), needs_review=needs_review)
    assert parsed.ok and parsed.rows[0].review == (Decimal(80) if needs_review else None)
    csv_template = template_file(needs_review, "csv")
    assert csv_template.startswith(b"\xef\xbb\xbf")
    assert ("综合评审成绩" in csv_template.decode("utf-8-sig")) is needs_review
