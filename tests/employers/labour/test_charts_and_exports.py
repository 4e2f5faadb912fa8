"""The pure pieces behind dashboards and exports: SVG charts, XLSX workbooks, form parsing."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook

from core.errors import ValidationError
from core.forms import parse_yuan
from core.reporting.charts import Series, bar_chart, line_chart, nice_max
from core.reporting.exports import Sheet, workbook_bytes
from employers.labour.assess import assess, next_change_on
from employers.labour.forms import parse_hours
from employers.labour.records import Contract, Employment, FindingCode, MinimumWage, WageRecord


def test_bar_chart_is_valid_svg_with_escaped_labels() -> None:
    svg = bar_chart("持证<率>", ["芦台街 & 东", "丰台镇"], [Series("保育师", [3, 5]),
                                                     Series("育婴员", [1, None])])
    root = ElementTree.fromstring(svg)  # well-formed XML
    assert root.tag.endswith("svg")
    assert "芦台街 &amp; 东" in svg and "持证&lt;率&gt;" in svg
    assert svg.count("<rect") >= 4
    assert "<script" not in svg


def test_line_chart_draws_a_polyline_per_series_and_gaps() -> None:
    svg = line_chart("每月发证", ["2026-01", "2026-02", "2026-03"],
                     [Series("五级", [1, 2, 3]), Series("四级", [1, None, 2])])
    ElementTree.fromstring(svg)
    assert svg.count("<polyline") == 1  # the second series has no two consecutive points
    assert svg.count("<circle") == 5


@pytest.mark.parametrize(("value", "top"), [(0, 1), (7, 10), (12, 20), (230, 250), (1000, 1000)])
def test_nice_max(value: float, top: float) -> None:
    assert nice_max(value) == top


def test_workbook_has_chinese_headers_and_neutralised_formulas() -> None:
    data = workbook_bytes([Sheet("问题", ["机构", "金额（元）"], [["=HYPERLINK(1)", 25.1]])])
    ws = load_workbook(io.BytesIO(data)).active
    assert [c.value for c in ws[1]] == ["机构", "金额（元）"]
    assert ws["A2"].value == "=HYPERLINK(1)" and ws["A2"].data_type == "s"
    assert ws["A2"].quotePrefix and ws["B2"].value == 25.1


def test_parse_yuan_and_hours() -> None:
    assert parse_yuan("2,510.5", "gross") == 251050
    assert parse_yuan("2510", "gross") == 251000
    with pytest.raises(ValidationError) as info:
        parse_yuan("25.105", "gross")
    assert info.value.field == "gross"
    assert parse_hours("80.5") == Decimal("80.5")
    with pytest.raises(ValidationError):
        parse_hours("-1")


MIN = (MinimumWage(date(2025, 9, 1), 251000, 2660, "天津市", "test"),)


def test_assess_uses_first_contract_for_signing_and_current_for_ending() -> None:
    employment = Employment(form="full_time", start=date(2026, 1, 15), ref="7")
    first = Contract(type="fixed", signed_on=date(2026, 2, 20), start=date(2026, 1, 15),
                     end=date(2026, 6, 30))
    renewal = Contract(type="fixed", signed_on=date(2026, 6, 20), start=date(2026, 7, 1),
                       end=date(2027, 6, 30))
    found = assess(employment, [renewal, first], {}, [], [], MIN, date(2027, 5, 1))
    codes = [f.code for f in found]
    assert FindingCode.CONTRACT_SIGNED_LATE in codes
    ending = [f for f in found if f.code == FindingCode.CONTRACT_ENDING_SOON]
    assert ending and "2027年6月30日" in ending[0].message
    assert all(f.ref == "7" for f in found)


def test_assess_skips_nothing_that_is_under_the_minimum() -> None:
    employment = Employment(form="full_time", start=date(2025, 10, 1))
    wages = [WageRecord("2025-11", 260000, 250999), WageRecord("2025-12", 300000, 300000)]
    found = assess(employment, [], {k: date(2025, 10, 2) for k in
                                    ("pension", "medical", "unemployment", "injury", "maternity")},
                   wages, [], MIN, date(2026, 1, 1))
    below = [f for f in found if f.code == FindingCode.WAGE_BELOW_MINIMUM]
    assert len(below) == 1 and below[0].amount_fen == 1


def test_next_change_on_is_the_next_deadline() -> None:
    employment = Employment(form="full_time", start=date(2026, 1, 31))
    # contract deadline 2026-02-28: from 2026-03-01 the finding appears; insurance: 2026-03-02
    assert next_change_on(employment, [], {}, [], [], date(2026, 2, 10)) == date(2026, 3, 1)
    assert next_change_on(employment, [], {}, [], [], date(2026, 3, 1)) == date(2026, 3, 3)


def test_long_legends_wrap_and_grow_the_chart() -> None:
    many = [Series(f"婴幼儿发展引导员 {i}级/高级技师", [i]) for i in range(6)]
    svg = line_chart("每月颁发证书数", ["2026-01"], many, height=280)
    height = float(ElementTree.fromstring(svg).get("viewBox").split()[3])
    assert height > 280
