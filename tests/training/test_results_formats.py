"""A score reads as its cell shows it, whatever the number format: a
format that rounds the value away is refused naming the cell, conditional and
multi-section percentage formats are read by the section that applies, a quoted or escaped %
is no percentage, and the sheet XML is read by a parser (single-quoted attributes too)."""
# ruff: noqa: F401, F811 - the session_with fixture is imported from test_results_integrity

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import api_token
from tests.training.test_results_integrity import (
    HEADERS,
    make_id,
    nothing_written,
    session_with,
    upload,
    xlsx,
)
from training.results_file import parse_results_file
from training.results_numfmt import display_for, section_for, split_sections
from training.tables import ExamResult

REFORMAT = "请把单元格格式改为常规或显示全部小数后重新上传"


def stored(run, sid):
    return run(ExamResult.select(ExamResult.theory, ExamResult.passed).where(
        ExamResult.session == sid).first)


# --- through the API --------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "number_format", "shown"), [
    (59.5, "0", "60"),
    (59.45, "0.0", "59.5"),
    (59.5, '0"分"', "60"),
    (59.5, "#,##0", "60"),
    (59.996, "0.00", "60.00"),
])
def test_a_format_that_rounds_the_score_is_refused_naming_the_cell(
        client, run, session_with, value, number_format, shown):
    world, sid, people = session_with(1)
    (id1, n1), = people
    r = upload(client, api_token(client, world.staff), sid,
               xlsx([HEADERS, [id1, n1, value, 80]], {"C2": number_format}))
    assert r.status_code == 422, r.text
    message = f"理论成绩单元格 C2 显示为 {shown}，实际值为 {value}，{REFORMAT}"
    assert r.json()["errors"] == [{"row": 2, "column": "理论成绩", "message": message}]
    nothing_written(run, sid)


@pytest.mark.parametrize(("value", "number_format", "score", "passed"), [
    (0.85, "[>=1]0;0%", Decimal(85), True),  # finding 8: shown 85%, stored 0.85 before
    (85, "[>=1]0;0%", Decimal(85), True),
    (0.59, "[<1]0%;0", Decimal(59), False),
    (0.85, "0%;-0%", Decimal(85), True),
    (0.855, "0.0%;[Red]-0.0%", Decimal("85.5"), True),
    (85, '0"%"', Decimal(85), True),  # a quoted % is text, not a percentage
    (85, "0\\%", Decimal(85), True),  # so is an escaped one
    (59.5, "0.0", Decimal("59.5"), False),
    (59.5, '0.0"分"', Decimal("59.5"), False),
    (85000, "0,", Decimal(85), True),  # a trailing comma shows thousands
])
def test_the_section_that_applies_is_read(client, run, session_with, value, number_format,
                                          score, passed):
    world, sid, people = session_with(1)
    (id1, n1), = people
    r = upload(client, api_token(client, world.staff), sid,
               xlsx([HEADERS, [id1, n1, value, 80]], {"C2": number_format}))
    assert r.status_code == 200, r.text
    assert stored(run, sid) == {"theory": score, "passed": passed}


@pytest.mark.parametrize(("number_format", "message"), [
    (";;;", "理论成绩单元格 C2 的格式不显示数字（实际值为 85），请把单元格格式改为常规后重新上传"),
    ("0.00E+00", "理论成绩单元格 C2 的格式“0.00E+00”不是数字格式（日期、时间、分数或科学计数），"
                 "请把单元格格式改为常规后重新上传"),
    ("# ?/?", "理论成绩单元格 C2 的格式“# ?/?”不是数字格式（日期、时间、分数或科学计数），"
              "请把单元格格式改为常规后重新上传"),
])
def test_a_format_that_shows_no_plain_number_is_refused(client, run, session_with,
                                                        number_format, message):
    world, sid, people = session_with(1)
    (id1, n1), = people
    r = upload(client, api_token(client, world.staff), sid,
               xlsx([HEADERS, [id1, n1, 85, 80]], {"C2": number_format}))
    assert r.status_code == 422
    assert r.json()["errors"][0]["message"] == message
    nothing_written(run, sid)


def test_an_id_column_formatted_as_a_number_still_reads(client, run, session_with):
    world, sid, people = session_with(1)
    (id1, n1), = people
    r = upload(client, api_token(client, world.staff), sid,
               xlsx([HEADERS, [id1, n1, 85, 80]], {"A2": "0", "D2": "0.00"}))
    assert r.status_code == 200, r.text


# --- a hand-written XLSX with single-quoted attributes ----------------------------------------

_PARTS = {
    "[Content_Types].xml": (
        "<?xml version='1.0' encoding='UTF-8'?>"
        "<Types xmlns='http://schemas.openxmlformats.org/package/2006/content-types'>"
        "<Default Extension='rels' ContentType='application/vnd.openxmlformats-package."
        "relationships+xml'/><Default Extension='xml' ContentType='application/xml'/>"
        "<Override PartName='/xl/workbook.xml' ContentType='application/vnd.openxmlformats-"
        "officedocument.spreadsheetml.sheet.main+xml'/>"
        "<Override PartName='/xl/worksheets/sheet1.xml' ContentType='application/vnd."
        "openxmlformats-officedocument.spreadsheetml.worksheet+xml'/>"
        "<Override PartName='/xl/styles.xml' ContentType='application/vnd.openxmlformats-"
        "officedocument.spreadsheetml.styles+xml'/></Types>"),
    "_rels/.rels": (
        "<?xml version='1.0' encoding='UTF-8'?>"
        "<Relationships xmlns='http://schemas.openxmlformats.org/package/2006/relationships'>"
        "<Relationship Id='rId1' Type='http://schemas.openxmlformats.org/officeDocument/2006/"
        "relationships/officeDocument' Target='xl/workbook.xml'/></Relationships>"),
    "xl/workbook.xml": (
        "<?xml version='1.0' encoding='UTF-8'?>"
        "<workbook xmlns='http://schemas.openxmlformats.org/spreadsheetml/2006/main' "
        "xmlns:r='http://schemas.openxmlformats.org/officeDocument/2006/relationships'>"
        "<sheets><sheet name='成绩' sheetId='1' r:id='rId1'/></sheets></workbook>"),
    "xl/_rels/workbook.xml.rels": (
        "<?xml version='1.0' encoding='UTF-8'?>"
        "<Relationships xmlns='http://schemas.openxmlformats.org/package/2006/relationships'>"
        "<Relationship Id='rId1' Type='http://schemas.openxmlformats.org/officeDocument/2006/"
        "relationships/worksheet' Target='worksheets/sheet1.xml'/>"
        "<Relationship Id='rId2' Type='http://schemas.openxmlformats.org/officeDocument/2006/"
        "relationships/styles' Target='styles.xml'/></Relationships>"),
    "xl/styles.xml": (
        "<?xml version='1.0' encoding='UTF-8'?>"
        "<styleSheet xmlns='http://schemas.openxmlformats.org/spreadsheetml/2006/main'>"
        "<numFmts count='1'><numFmt numFmtId='164' formatCode='[&gt;=1]0;0%'/></numFmts>"
        "<fonts count='1'><font/></fonts><fills count='1'><fill/></fills>"
        "<borders count='1'><border/></borders>"
        "<cellStyleXfs count='1'><xf numFmtId='0'/></cellStyleXfs>"
        "<cellXfs count='4'><xf numFmtId='0' xfId='0'/><xf numFmtId='9' xfId='0' "
        "applyNumberFormat='1'/><xf numFmtId='1' xfId='0' applyNumberFormat='1'/>"
        "<xf numFmtId='164' xfId='0' applyNumberFormat='1'/></cellXfs></styleSheet>"),
}


def _inline(ref: str, text: str) -> str:
    return f"<c{ref} t='inlineStr'><is><t>{text}</t></is></c>"


def single_quoted_xlsx(rows: list[tuple[str, str, float, int, float, int]],
                       refs: bool = True) -> bytes:
    """rows: (ID number, name, theory, theory style, practical, practical style); ``refs``
    False leaves out the optional ``r`` attributes of rows and cells."""
    def at(ref: str) -> str:
        return f" r='{ref}'" if refs else ""

    cells = "".join(_inline(at(f"{col}1"), head) for col, head in zip("ABCD", HEADERS,
                                                                       strict=True))
    body = [f"<row{at('1')}>{cells}</row>"]
    for n, (number, name, theory, t_style, practical, p_style) in enumerate(rows, start=2):
        body.append(f"<row{at(str(n))}>{_inline(at(f'A{n}'), number)}"
                    f"{_inline(at(f'B{n}'), name)}"
                    f"<c{at(f'C{n}')} s='{t_style}'><v>{theory}</v></c>"
                    f"<c{at(f'D{n}')} s='{p_style}'><v>{practical}</v></c></row>")
    sheet = ("<?xml version='1.0' encoding='UTF-8'?>"
             "<worksheet xmlns='http://schemas.openxmlformats.org/spreadsheetml/2006/main'>"
             "<dimension ref='A1:D2'/><sheetData>" + "".join(body) + "</sheetData></worksheet>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in {**_PARTS, "xl/worksheets/sheet1.xml": sheet}.items():
            archive.writestr(name, text)
    return out.getvalue()


@pytest.mark.parametrize("refs", [True, False])
def test_single_quoted_attributes_keep_their_formats(client, run, session_with, refs):
    world, sid, people = session_with(2)
    headers = api_token(client, world.staff)
    (id1, n1), (id2, n2) = people
    data = single_quoted_xlsx([(id1, n1, 0.85, 1, 0.9, 3), (id2, n2, 59.5, 2, 90, 0)], refs)
    assert b"s='1'" in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    r = upload(client, headers, sid, data)
    assert r.status_code == 422 and r.json()["sheet"] == "成绩"
    assert r.json()["errors"] == [{"row": 3, "column": "理论成绩", "message":
                                   f"理论成绩单元格 C3 显示为 60，实际值为 59.5，{REFORMAT}"}]
    nothing_written(run, sid)
    r = upload(client, headers, sid,
               single_quoted_xlsx([(id1, n1, 0.85, 1, 0.9, 3), (id2, n2, 0.59, 3, 90, 0)], refs))
    assert r.status_code == 200, r.text
    rows = run(ExamResult.select(ExamResult.theory, ExamResult.practical).order_by(ExamResult.id))
    assert [(row["theory"], row["practical"]) for row in rows] == [
        (Decimal(85), Decimal(90)), (Decimal(59), Decimal(90))]


# --- the format rules, pure -------------------------------------------------------------------


def test_sections_split_outside_quotes_brackets_and_escapes():
    assert split_sections('0"a;b";[Red]-0\\;0;@') == ['0"a;b"', "[Red]-0\\;0", "@"]
    assert section_for("[>=1]0;0%", Decimal("0.85")) == "0%"
    assert section_for("[>100]0.0;[>50]0.00;0%", Decimal(10)) == "0%"
    assert section_for("0;-0;\"-\"", Decimal(0)) == '"-"'
    assert section_for("0.0;@", Decimal(-3)) == "0.0"
    assert display_for("General", Decimal("59.5")).kind == "general"
    assert display_for("yyyy-mm-dd", Decimal(5)).kind == "other"
    assert display_for(None, Decimal(5)).kind == "other"


_NUMBER = st.tuples(st.sampled_from(["0", "#,##0", "#0"]), st.integers(0, 3))
_PERCENT = st.sampled_from(["%", '"%"', "\\%", ""])  # real, quoted, escaped, none
_SUFFIX = st.sampled_from(["", '"分"', " ", "_)"])
_LAYOUT = st.sampled_from(["one", "signed", "red", "cond_ge1", "cond_lt1"])


@settings(max_examples=120, deadline=None)
@given(number=_NUMBER, percent=_PERCENT, suffix=_SUFFIX, layout=_LAYOUT,
       hundredths=st.integers(0, 10_000), extra=st.integers(0, 9), as_fraction=st.booleans())
def test_any_generated_format_reads_as_shown_or_is_refused_naming_the_cell(
        number, percent, suffix, layout, hundredths, extra, as_fraction):
    """Model from the generator's own parameters: which section applies, whether it scales by
    100 and how many decimals it shows; the reader stores exactly what is shown or refuses."""
    digits, decimals = number
    section = digits + ("." + "0" * decimals if decimals else "") + percent + suffix
    code = {"one": section, "signed": f"{section};-{section}", "red": f"{section};[Red]-{section}",
            "cond_ge1": f"[>=1]0;{section}", "cond_lt1": f"[<1]{section};0.0"}[layout]
    score = Decimal(hundredths) / 100 + Decimal(extra) / 1000  # 0–100.009, up to 3 decimals
    is_percent = percent == "%"
    held = float(score / 100) if as_fraction else float(score)
    held_exact = Decimal(repr(held))
    applies_other = (layout == "cond_ge1" and held_exact >= 1) or (
        layout == "cond_lt1" and held_exact >= 1)
    if applies_other:
        scale, shown_decimals = 1, (0 if layout == "cond_ge1" else 1)
    else:
        scale, shown_decimals = (100 if is_percent else 1), decimals
    exact = held_exact * scale
    parsed = parse_results_file(
        xlsx([HEADERS, [make_id(1), "张三", held, 80]], {"C2": code}), "成绩.xlsx",
        needs_review=False)
    rounds = exact != round(exact, shown_decimals)
    if rounds or exact > 100 or exact != round(exact, 2):
        assert not parsed.ok and parsed.rows == []
        assert [(e.row, e.column) for e in parsed.errors] == [(2, "理论成绩")]
        if rounds:
            assert "C2" in parsed.errors[0].message and "显示为" in parsed.errors[0].message
    else:
        assert parsed.ok, (code, held, parsed.errors)
        assert parsed.rows[0].theory == exact


def test_the_model_of_the_property_covers_openpyxl_files():
    """The property's files carry the format it generated (else it could not fail)."""
    data = xlsx([HEADERS, [make_id(1), "张三", 0.85, 80]], {"C2": "[<1]0%;0.0"})
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet["C2"].number_format == "[<1]0%;0.0"
    parsed = parse_results_file(data, "成绩.xlsx", needs_review=False)
    assert parsed.rows[0].theory == Decimal(85)


def test_cells_are_placed_with_or_without_r_attributes():
    """Excel writes r on rows and cells; other writers may leave it out (ECMA-376 §18.3.1.4):
    a cell without r follows the cell before it, a row without r the row before it."""
    from training.results_xlsx import _special_cells

    sheet = (b"<worksheet xmlns='http://schemas.openxmlformats.org/spreadsheetml/2006/main'>"
             b"<sheetData><row><c><v>1</v></c></row>"
             b"<row r='4'><c t='e'><v>#N/A</v></c><c/><c s='1'><v>0.5</v></c></row>"
             b"<row><c r='B5' t='e'><v>#REF!</v></c><c s = \"1\"><v>0.7</v></c></row>"
             b"<row/><row><c><f>A1</f></c></row></sheetData></worksheet>")
    found, filled = _special_cells(sheet, {1: "0%"})
    assert sorted(found) == [(3, 0), (3, 2), (4, 1), (4, 2), (6, 0)]
    assert (found[(3, 2)].code, found[(4, 2)].code, found[(6, 0)].kind) == ("0%", "0%", "formula")
    assert filled == 4
