"""What the provider downloads around a results upload: the template (filled with the
session's confirmed candidates when there are any), and the uploaded
file handed back with an "错误说明" column beside each faulty row so it can be fixed in place.
The provider's own cells come back as they were uploaded; the cells written here go through
core.reporting.exports (no live formula).

Pure: bytes in, bytes out. The service keeps the annotated file for 24 hours.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Sequence
from pathlib import PurePath

from core.reporting.exports import csv_bytes, csv_cell, make_text, neutralise_workbook
from training.results_cells import ABSENT
from training.results_file import COLUMN_BY_KEY, FileLimits, ParsedFile, RowError

ERROR_HEADER = "错误说明"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# openpyxl (~20 MB per process) is imported by the functions that write workbooks, so a server
# process that never writes one never loads it.


def _messages_by_row(errors: Sequence[RowError]) -> tuple[dict[int, str], str]:
    rows: dict[int, list[str]] = defaultdict(list)
    whole: list[str] = []
    for error in errors:
        (whole if error.row is None else rows[error.row]).append(error.message)
    return {row: "；".join(messages) for row, messages in rows.items()}, "；".join(whole)


def _feedback_name(filename: str, extension: str) -> str:
    stem = PurePath(filename or "成绩").stem or "成绩"
    return f"{stem}_{ERROR_HEADER}.{extension}"


def annotate_file(
    data: bytes, parsed: ParsedFile, errors: Sequence[RowError]
) -> tuple[bytes, str, str]:
    """(body, filename, content type) of the uploaded file with the error column added.

    ``errors`` is every problem of the upload: the parser's and the service's
    (``check_against_candidates``). A file that could not be read at all (not a table, a zip
    bomb, no header) is not reopened: the provider gets the error list as a workbook instead.
    """
    by_row, whole = _messages_by_row(errors)
    if parsed.header_row is not None and parsed.kind == "csv":
        body = _annotate_csv(data, parsed, by_row, whole)
        content_type = f"text/csv; charset={'gb18030' if parsed.encoding == 'gb18030' else 'utf-8'}"
        return body, _feedback_name(parsed.filename, "csv"), content_type
    if parsed.header_row is not None and parsed.kind == "xlsx":
        try:
            body = _annotate_xlsx(data, parsed, by_row, whole)
        except Exception:  # noqa: BLE001 - calamine read it, openpyxl may not: fall back to a list
            body = error_list_xlsx(errors)
        return body, _feedback_name(parsed.filename, "xlsx"), XLSX_TYPE
    return error_list_xlsx(errors), _feedback_name(parsed.filename, "xlsx"), XLSX_TYPE


def _annotate_xlsx(data: bytes, parsed: ParsedFile, by_row: dict[int, str], whole: str) -> bytes:
    import openpyxl
    from openpyxl.styles import Font, PatternFill

    assert parsed.header_row is not None
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    # The sheet the reader chose (training.results_xlsx: 成绩, else the first visible one).
    chosen = parsed.sheet if parsed.sheet in workbook.sheetnames else None
    sheet = workbook[chosen] if chosen else workbook.worksheets[0]
    column = max(sheet.max_column, parsed.width) + 1
    header = sheet.cell(
        parsed.header_row, column, f"{ERROR_HEADER}（{whole}）" if whole else ERROR_HEADER
    )
    make_text(header)
    header.font = Font(bold=True, color="C00000")
    for row, message in by_row.items():
        cell = sheet.cell(row, column, message)
        make_text(cell)
        cell.font = Font(color="C00000")
        cell.fill = PatternFill("solid", fgColor="FDE9E7")
    sheet.column_dimensions[openpyxl.utils.get_column_letter(column)].width = 60
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _annotate_csv(data: bytes, parsed: ParsedFile, by_row: dict[int, str], whole: str) -> bytes:
    assert parsed.header_row is not None and parsed.encoding is not None
    text = data.decode(parsed.encoding)
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=parsed.delimiter))
    width = max([parsed.width, *(len(record) for record in records)])
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=parsed.delimiter, lineterminator="\r\n")
    for number, record in enumerate(records, start=1):
        if number == parsed.header_row:
            note = f"{ERROR_HEADER}（{whole}）" if whole else ERROR_HEADER
        else:
            note = by_row.get(number, "")
        padded = record + [""] * (width - len(record)) if note else record
        writer.writerow([*padded, csv_cell(note)] if note else padded)
    return out.getvalue().encode(parsed.encoding)


def error_list_xlsx(errors: Sequence[RowError]) -> bytes:
    """The errors alone, one per line: 行号, 列, 错误说明."""
    import openpyxl
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = ERROR_HEADER
    sheet.append(["行号", "列", ERROR_HEADER])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for error in errors:
        sheet.append(
            [error.row if error.row is not None else "整个文件", error.column or "", error.message]
        )
    neutralise_workbook(workbook)
    sheet.column_dimensions["C"].width = 80
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- the template ----------------------------------------------------------------------------

_NOTES = {
    "id_number": "18 位居民身份证号，末位可为 X。请保持“文本”格式，"
    "否则 Excel 会把号码改成科学计数法。",
    "name": "与报名时的姓名一致；少数民族姓名中的间隔号“·”可用任意一种。",
    "theory": "0–100 的数字，最多两位小数，不能留空；整场缺考填“缺考”。",
    "practical": "0–100 的数字，最多两位小数，不能留空；整场缺考填“缺考”。",
    "review": "二级、一级必填：0–100 的数字，最多两位小数。",
    "absent": "整场缺考的考生在本列填写“缺考”（可从下拉列表选择），成绩列留空。",
}
_EXAMPLE = {
    "id_number": "11010519491231002X",
    "name": "张三",
    "theory": 85,
    "practical": 78.5,
    "review": 80,
    "absent": "",
}


def template_file(needs_review: bool, kind: str = "xlsx",
                  candidates: Sequence[tuple[str, str]] = ()) -> bytes:
    """The downloadable template: Chinese headers 身份证号, 姓名, the score columns and 缺考;
    one row per candidate of ``candidates`` ((ID number, name), in the order given) with the
    score and 缺考 cells empty. Uploaded back with only scores (or 缺考) filled in, it reads
    as it is (training.results_file; a row left empty is a candidate not scored yet).

    XLSX: the ID number is a text cell in a column formatted as text ("@") so Excel keeps all
    18 digits, cell notes, score validation, a 缺考 drop-down and a 填写说明 sheet. CSV: UTF-8
    with BOM (what the reader and Excel expect). Every cell goes through the formula-safe
    escaping of core.reporting.exports. ``kind`` other than xlsx/csv: ValueError.
    """
    keys = ["id_number", "name", "theory", "practical"] + (["review"] if needs_review else [])
    keys.append("absent")
    headers = [COLUMN_BY_KEY[key].label for key in keys]
    blanks = [None] * (len(keys) - 2)
    limits = FileLimits()
    if kind == "csv":
        return csv_bytes(headers, [[id_number, name, *blanks] for id_number, name in candidates])
    if kind != "xlsx":
        raise ValueError(f"unknown template kind: {kind}")
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "成绩"
    sheet.append(headers)
    for id_number, name in candidates:
        sheet.append([id_number, name, *blanks])
        id_cell = sheet.cell(sheet.max_row, 1)
        id_cell.data_type, id_cell.number_format = "s", "@"
    scores = DataValidation(
        type="decimal",
        operator="between",
        formula1="0",
        formula2="100",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="成绩有误",
        error="请输入 0–100 的数字",
    )
    sheet.add_data_validation(scores)
    absent = DataValidation(type="list", formula1=f'"{ABSENT}"', allow_blank=True,
                            showErrorMessage=True, errorTitle="缺考列有误",
                            error=f"整场缺考填写“{ABSENT}”，否则留空")
    sheet.add_data_validation(absent)
    last_row = max(1001, len(candidates) + 1)
    for index, key in enumerate(keys, start=1):
        letter = openpyxl.utils.get_column_letter(index)
        cell = sheet.cell(1, index)
        cell.font = Font(bold=True)
        cell.comment = Comment(_NOTES[key], "托育平台")
        sheet.column_dimensions[letter].width = 22 if key == "id_number" else 14
        if key == "id_number":
            for row in range(2, last_row + 1):  # pre-formatted as text where people type
                sheet.cell(row, index).number_format = "@"
        elif key == "absent":
            absent.add(f"{letter}2:{letter}{limits.max_rows + 1}")
        elif key != "name":
            scores.add(f"{letter}2:{letter}{limits.max_rows + 1}")
    sheet.freeze_panes = "A2"
    guide = workbook.create_sheet("填写说明")
    guide.append(["填写说明（上传时只读取工作表“成绩”，本页不会导入）"])
    guide.append(
        [
            "每位考生一行；同一考生不能出现两次；任何一行有误则整批不导入，请按返回的错误说明修改后重新上传。"
            "可以分批上传：后一次上传按考生补充或替换成绩；提交审核前，每位已确认的考生都须有成绩或标为缺考。"
        ]
    )
    guide.append(
        [
            "从考试场次页下载的模板已列出本场已确认的考生（身份证号、姓名），请勿修改这两列，"
            f"只填写成绩；整场缺考的考生在“{ABSENT}”列填写“{ABSENT}”。成绩和缺考都留空的考生本次不导入，"
            "可以以后再补。"
        ]
    )
    size = f"{limits.max_bytes // (1024 * 1024)} MB、{limits.max_rows:,} 行"
    guide.append([f"文件为 .xlsx 或 CSV（UTF-8 或 GBK 编码），不超过 {size}。"])
    guide.append([])
    guide.append(["示例行："])
    guide.append(headers)
    guide.append([_EXAMPLE[key] for key in keys])
    guide.column_dimensions["A"].width = 22
    neutralise_workbook(workbook)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
