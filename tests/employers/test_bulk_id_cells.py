"""The bulk credential-check list reads ID cells as Excel leaves them (core.id_cells): marks
around intact digits are removed, a number Excel rounded is explained, never looked up."""

from __future__ import annotations

import io

import openpyxl

from core.actor import Actor
from core.id_cells import ROUNDED
from core.identity import id_check_char
from employers.services.checks import bulk_check, parse_list

FIRST17 = "11010519491231002"
NUMBER = FIRST17 + id_check_char(FIRST17)


def test_csv_marks_are_removed_and_a_rounded_number_is_explained():
    text = (f"证件类型,证件号码,姓名\n居民身份证,'{NUMBER},林晓\n居民身份证,=\"{NUMBER}\",林晓\n"
            f"居民身份证,\u200b{NUMBER},林晓\n居民身份证,{NUMBER[:15]}000,林晓\n")
    rows = parse_list(text.encode(), "list.csv")
    assert [r["id_number"] for r in rows[:3]] == [NUMBER] * 3
    assert all("problem" not in r for r in rows[:3])
    assert rows[3]["problem"] == ROUNDED


def test_a_number_cell_in_xlsx_is_explained_not_looked_up(run):
    workbook = openpyxl.Workbook()
    for row in (["证件类型", "证件号码", "姓名"], ["居民身份证", int(NUMBER[:15] + "000"), "林晓"]):
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    rows = parse_list(out.getvalue(), "list.xlsx")
    assert rows[0]["problem"] == ROUNDED
    results = run(bulk_check, Actor(0, "nobody", "facility_operator"), rows, "批量核验")
    assert [(r.row, r.basis, r.message) for r in results] == [(2, "invalid", ROUNDED)]


def test_a_zip_bomb_list_is_refused_before_it_is_decompressed():
    import zipfile

    import pytest

    from core.errors import ValidationError

    out = io.BytesIO()  # a workbook whose sheet inflates 300 MB from a few hundred KB
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (300 * 1024 * 1024))
    with pytest.raises(ValidationError, match="压缩炸弹"):
        parse_list(out.getvalue(), "list.xlsx")


def test_a_list_past_the_limit_is_refused_without_reading_it_all():
    import pytest

    from core.errors import ValidationError
    from employers.services.checks import MAX_ROWS

    workbook = openpyxl.Workbook()
    workbook.active.append(["证件类型", "证件号码", "姓名"])
    for _ in range(MAX_ROWS + 60):
        workbook.active.append(["居民身份证", NUMBER, "林晓"])
    out = io.BytesIO()
    workbook.save(out)
    with pytest.raises(ValidationError, match=f"最多核查 {MAX_ROWS} 人"):
        parse_list(out.getvalue(), "list.xlsx")
