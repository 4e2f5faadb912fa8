"""The one forms layer: a whole form is read and every field at fault is reported at once."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, Field

from core.errors import FieldErrors, ValidationError
from core.forms import MAX_FEN, FormReader, form_model, parse_yuan


def test_every_field_error_is_reported_at_once() -> None:
    reader = FormReader({"name": "", "fee_yuan": "inf", "starts_on": "2026-13-01",
                         "hours": "NaN", "count": "abc", "kind": "other"})
    assert reader.text("name", "姓名", required=True) == ""
    assert reader.yuan("fee_yuan", "费用") is None
    assert reader.date("starts_on", "开始日期", required=True) is None
    assert reader.decimal("hours", "工时") is None
    assert reader.int("count", "人数") is None
    assert reader.choice("kind", "类型", ["full_time", "part_time"]) is None
    with pytest.raises(FieldErrors) as raised:
        reader.done()
    assert raised.value.errors == {
        "name": "请填写姓名",
        "fee_yuan": "费用应为金额（元），最多两位小数，如 2510.00",
        "starts_on": "日期格式应为 YYYY-MM-DD",
        "hours": "工时应为有限的数字",
        "count": "人数应为整数",
        "kind": "类型取值无效",
    }
    assert raised.value.status_code == 422 and raised.value.field == "name"


def test_a_good_form_reads_its_values() -> None:
    reader = FormReader({"name": " 王芳 ", "fee_yuan": "1,500.5", "starts_on": "2026-12-01",
                         "count": "3", "kind": "full_time"})
    assert reader.text("name", "姓名", required=True) == "王芳"
    assert reader.yuan("fee_yuan", "费用") == 150050
    assert reader.date("starts_on", required=True) == date(2026, 12, 1)
    assert reader.int("count", "人数", minimum=1, maximum=10) == 3
    assert reader.choice("kind", "类型", ["full_time"]) == "full_time"
    reader.done()


@pytest.mark.parametrize(("typed", "message"), [
    ("-1", "费用不能为负数"),
    ("1.234", "费用应为金额（元），最多两位小数，如 2510.00"),
    ("100000001", "费用不能超过 1 亿元"),
    ("1e5", "费用应为金额（元），最多两位小数，如 2510.00"),
    ("", "请填写费用（元）"),
])
def test_amounts_have_one_meaning(typed: str, message: str) -> None:
    with pytest.raises(ValidationError) as raised:
        parse_yuan(typed, "fee_yuan", "费用")
    assert raised.value.message == message and raised.value.field == "fee_yuan"


@given(st.integers(min_value=0, max_value=MAX_FEN))
def test_yuan_round_trips_every_amount_in_fen(fen: int) -> None:
    assert parse_yuan(f"{fen // 100}.{fen % 100:02d}", "f") == fen


def test_form_model_reports_every_refused_field() -> None:
    class Wage(BaseModel):
        month: date
        hours: int = Field(ge=0)
        note: str = Field(max_length=5)

    with pytest.raises(FieldErrors) as raised:
        form_model(Wage, {"month": "x", "hours": "-1", "note": "太长太长太长"},
                   labels={"month": "月份", "hours": "工时"})
    assert raised.value.errors == {"month": "月份：应为日期（YYYY-MM-DD）",
                                   "hours": "工时：应不小于 0", "note": "最多 5 个字符"}
