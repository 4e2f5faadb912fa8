"""The public reason / internal note rules (certification.reasons), pure."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certification.reasons import (
    INTERNAL_NOTE_MAX_LENGTH,
    PUBLIC_REASON_MAX_LENGTH,
    check_reasons,
)
from core.errors import FieldErrors


def test_trimmed_pair_with_line_breaks_unified_in_the_note():
    reasons = check_reasons("  经核查暂停 ", " 第一行\r\n第二行\t备注 ")
    assert reasons.public_reason == "经核查暂停"
    assert reasons.internal_note == "第一行\n第二行\t备注"
    assert check_reasons("原因").internal_note == ""


@pytest.mark.parametrize(("public", "note", "errors"), [
    ("", "", {"public_reason": "请填写公开原因（将在公开查验页面显示）"}),
    ("  \u3000", "", {"public_reason": "请填写公开原因（将在公开查验页面显示）"}),
    ("字" * (PUBLIC_REASON_MAX_LENGTH + 1), "", {"public_reason": "公开原因最多 200 个字符"}),
    ("a\nb", "", {"public_reason": "公开原因不能包含换行、控制字符或不可见字符"}),
    ("a\u2028b", "", {"public_reason": "公开原因不能包含换行、控制字符或不可见字符"}),
    ("a\u2066b", "", {"public_reason": "公开原因不能包含换行、控制字符或不可见字符"}),
    ("a\ufeffb", "", {"public_reason": "公开原因不能包含换行、控制字符或不可见字符"}),
    ("原因", "x" * (INTERNAL_NOTE_MAX_LENGTH + 1), {"internal_note": "内部备注最多 1000 个字符"}),
    ("原因", "a\x1bb", {"internal_note": "内部备注不能包含控制字符"}),
    ("", "a\x00", {"public_reason": "请填写公开原因（将在公开查验页面显示）",
                   "internal_note": "内部备注不能包含控制字符"}),
])
def test_refused_with_every_field_named(public, note, errors):
    with pytest.raises(FieldErrors) as caught:
        check_reasons(public, note)
    assert caught.value.errors == errors
    assert caught.value.field == next(iter(errors)) and caught.value.status_code == 422


def test_exactly_the_limits_pass():
    reasons = check_reasons("字" * PUBLIC_REASON_MAX_LENGTH, "x" * INTERNAL_NOTE_MAX_LENGTH)
    assert len(reasons.public_reason) == PUBLIC_REASON_MAX_LENGTH


def test_public_reason_optional_when_not_required():
    assert check_reasons("", "备注", public_required=False).public_reason == ""


@given(st.text(max_size=300), st.text(max_size=1200))
def test_accepted_texts_are_printable_and_within_limits(public, note):
    try:
        reasons = check_reasons(public, note)
    except FieldErrors as error:
        assert set(error.errors) <= {"public_reason", "internal_note"} and error.errors
        return
    assert 0 < len(reasons.public_reason) <= PUBLIC_REASON_MAX_LENGTH
    assert not {unicodedata.category(ch) for ch in reasons.public_reason} & {
        "Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
    assert len(reasons.internal_note) <= INTERNAL_NOTE_MAX_LENGTH
    assert "\x00" not in reasons.internal_note and "\r" not in reasons.internal_note
