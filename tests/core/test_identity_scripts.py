"""ID-like fields take ASCII digits and full-width digits only: a digit of
another script (Arabic-Indic ١, Devanagari १, superscript ², circled ①, Roman Ⅹ …) is refused
with a Chinese message naming the field, so one human's number is never stored twice."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certification.numbers import normalise_code, normalise_number
from core.errors import ValidationError
from core.id_cells import clean_id_cell
from core.identity import (
    id_check_char,
    normalise_id_number,
    normalise_mobile,
    normalise_uscc,
)
from core.tables import AuditLog, Person, User
from tests.conftest import PASSWORD, api_token, post_form

FIRST17 = "12022119900101019"
REAL = FIRST17 + id_check_char(FIRST17)
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def _foreign_digit(ch: str) -> bool:
    return (not ch.isascii() and not "０" <= ch <= "９"
            and unicodedata.numeric(ch, None) is not None)


foreign_digits = st.characters(categories=("Nd", "Nl", "No")).filter(_foreign_digit)
any_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)),
                   max_size=25)


@st.composite
def with_foreign_digit(draw) -> str:
    """Any string (often a valid number) with at least one foreign digit somewhere in it."""
    base = draw(st.one_of(st.just(REAL), st.just("13900001111"), any_text))
    chars = list(base)
    for _ in range(draw(st.integers(1, 3))):
        chars.insert(draw(st.integers(0, len(chars))), draw(foreign_digits))
    return "".join(chars)


@given(with_foreign_digit(), st.sampled_from(["居民身份证", "港澳台居民居住证",
                                                "外国人永久居留身份证", "护照"]))
def test_any_foreign_digit_is_refused_by_every_id_normaliser(value, id_type):
    with pytest.raises(ValidationError) as err:
        normalise_id_number(value, id_type, field="id_number")
    assert err.value.field == "id_number"
    for check, field in ((normalise_mobile, "phone"), (normalise_uscc, "uscc"),
                         (normalise_number, "number"), (normalise_code, "code")):
        with pytest.raises(ValidationError) as err:
            check(value)
        assert err.value.field == field
    cell = clean_id_cell(value)
    assert cell.id_number is None and cell.problem


@given(st.sampled_from(["٠١٢٣٤٥٦٧٨٩", "०१२३४५६७८९", "০১২৩৪৫৬৭৮৯", "𝟎𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖𝟗"]))
def test_the_same_number_in_another_script_is_refused_naming_the_field(digits):
    translated = REAL.translate(str.maketrans("0123456789", digits))
    with pytest.raises(ValidationError) as err:
        normalise_id_number(translated)
    assert err.value.field == "id_number"
    assert "身份证号只能使用数字 0–9" in err.value.message


@pytest.mark.parametrize("value", ["¹³⁹⁰⁰⁰⁰¹¹¹¹", "①③⑨0000①①①①", "1390000ⅠⅠⅠⅠ"])
def test_superscript_and_circled_digits_are_not_folded_into_a_phone(value):
    with pytest.raises(ValidationError, match="手机号码只能使用数字 0–9"):
        normalise_mobile(value)


@st.composite
def accepted_forms(draw) -> str:
    """A valid number as people type it: lower-case x, full-width, spaces (incl. U+3000)."""
    area = draw(st.sampled_from(["110105", "120221", "310104", "440305"]))
    first17 = f"{area}19{draw(st.integers(50, 99))}0{draw(st.integers(1, 9))}1" \
              f"{draw(st.integers(0, 9))}{draw(st.integers(0, 999)):03d}"
    number = first17 + id_check_char(first17)
    if draw(st.booleans()):
        number = number.translate(FULL_WIDTH)
    if draw(st.booleans()):
        number = number.lower()
    chars = list(number)
    for _ in range(draw(st.integers(0, 3))):
        chars.insert(draw(st.integers(0, len(chars))), draw(st.sampled_from([" ", "\u3000"])))
    return "".join(chars)


@given(accepted_forms())
def test_normalisation_is_idempotent_and_yields_ascii_digits_and_x(value):
    once = normalise_id_number(value)
    assert re.fullmatch(r"[0-9]{17}[0-9X]", once)
    assert normalise_id_number(once) == once


@given(any_text)
def test_any_accepted_text_is_plain_ascii(value):
    try:
        number = normalise_id_number(value)
    except ValidationError:
        return
    assert re.fullmatch(r"[0-9]{17}[0-9X]", number)


def _register(client, id_number, username):
    return client.post("/api/v1/auth/register", json={
        "name": "王芳", "id_type": "居民身份证", "id_number": id_number, "phone": "13900000000",
        "username": username, "password": PASSWORD, "password_confirm": PASSWORD})


def test_register_with_arabic_indic_form_of_an_existing_number_is_refused(client, run, outbox):
    from tests.conftest import complete_claim

    assert _register(client, REAL, "wf0").status_code == 202
    complete_claim(client, outbox, "wf0", "13900000000")
    people, users, audits = run(Person.count()), run(User.count()), run(AuditLog.count())
    r = _register(client, REAL.translate(ARABIC_INDIC), "wf1")
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "id_number"
    assert "身份证号只能使用数字 0–9" in r.json()["detail"]
    assert run(Person.count()) == people and run(User.count()) == users
    assert run(AuditLog.count()) == audits
    assert run(Person.select(Person.id_number)) == [{"id_number": REAL}]


def test_register_page_refuses_a_superscript_phone(client, run):
    r = post_form(client, "/register", {
        "name": "王芳", "id_type": "居民身份证", "id_number": REAL, "phone": "¹³⁹⁰⁰⁰⁰¹¹¹¹",
        "username": "wf2", "password": PASSWORD, "password_confirm": PASSWORD})
    assert r.status_code in (200, 422)
    assert "手机号码只能使用数字 0–9" in r.text
    assert run(Person.count()) == 0


def test_provider_codes_in_another_script_are_refused(client, run, make_user):
    from tests.training.conftest import uscc_for
    from training.tables import Provider

    make_user("hrss_officer", "hrss1")
    headers = api_token(client, "hrss1")
    base = {"name": "学校", "uscc": uscc_for(1), "is_assessment_body": True, "body_type": "S",
            "body_code": "0012", "site_serial": "000034"}
    for field, value in (("body_code", "٠٠١٢"), ("site_serial", "००००३४"),
                         ("province_code", "¹²"), ("uscc", uscc_for(1).translate(ARABIC_INDIC))):
        r = client.post("/api/v1/providers", json={**base, field: value}, headers=headers)
        assert r.status_code == 422, r.text
        assert r.json()["field"] == field and "只能使用数字 0–9" in r.json()["detail"]
    assert run(Provider.count()) == 0
    r = client.post("/api/v1/providers", json={**base, "body_code": "００１２"}, headers=headers)
    assert r.status_code == 201 and r.json()["body_code"] == "0012"
