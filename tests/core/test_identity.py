"""Pure rules for ID numbers, names and organisation codes."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.errors import ValidationError
from core.identity import (
    id_check_char,
    is_valid_uscc,
    mask_id_number,
    mask_name,
    names_match,
    normalise_id_number,
    normalise_uscc,
    uscc_check_char,
)

VALID = "11010519491231002X"


def test_valid_resident_number_normalised_from_lowercase_fullwidth_and_spaces():
    assert normalise_id_number("  １１０１０５１９４９１２３１００２ｘ ") == VALID


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("11010519491231002", "应为 18 位"),
        ("110105194912310021", "校验位不正确"),
        ("110105194902300028", "出生日期无效"),
        ("", "请填写身份证号"),
    ],
)
def test_invalid_resident_numbers_name_the_field(value, message):
    with pytest.raises(ValidationError) as err:
        normalise_id_number(value, field="id_number")
    assert message in err.value.message
    assert err.value.field == "id_number"
    assert value[:6] not in err.value.message or not value


def test_hmt_and_foreign_prefixes():
    first17 = "81000019900101001"
    assert normalise_id_number(first17 + id_check_char(first17), "港澳台居民居住证")
    with pytest.raises(ValidationError, match="81、82 或 83"):
        normalise_id_number(VALID, "港澳台居民居住证")
    with pytest.raises(ValidationError, match="以 9 开头"):
        normalise_id_number(VALID, "外国人永久居留身份证")


def test_passport_has_no_check():
    assert normalise_id_number(" e1234567 ", "护照") == "E1234567"
    with pytest.raises(ValidationError):
        normalise_id_number("E12-34", "护照")


@given(
    st.from_regex(
        r"[0-9]{6}(19[5-9][0-9]|200[0-9])(0[1-9]|1[0-2])(0[1-9]|1[0-9]|2[0-8])[0-9]{3}",
        fullmatch=True,
    )
)
def test_any_number_with_its_check_char_is_valid(first17):
    number = first17 + id_check_char(first17)
    assert normalise_id_number(number.lower()) == number


@given(st.from_regex(r"[0-9A-HJ-NP-RTUW-Y]{17}", fullmatch=True))
def test_uscc_with_computed_check_char_is_valid(first17):
    assert is_valid_uscc(first17 + uscc_check_char(first17))


def test_uscc_example_and_errors():
    assert normalise_uscc("91350100m000100y43") == "91350100M000100Y43"
    with pytest.raises(ValidationError, match="校验位"):
        normalise_uscc("91350100M000100Y44")
    with pytest.raises(ValidationError, match="18 位"):
        normalise_uscc("91350100M000100Y4")


def test_masking_and_name_comparison():
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧***"
    assert mask_id_number("120221199003150026") == "1202**********0026"
    assert names_match(" 阿依古丽·买买提 ", "阿依古丽•买买提")
    assert names_match("阿依古丽．买买提", "阿依古丽 · 买买提")
    assert not names_match("张三", "张四")
