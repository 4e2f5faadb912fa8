"""Certificate numbers and verification codes (pure; property-tested)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certification import numbers as n

parts = st.builds(
    n.SkillNumberParts,
    body_type=st.sampled_from(n.BODY_TYPES),
    body_code=st.text(alphabet="0123456789", min_size=4, max_size=4),
    province=st.just(n.TIANJIN_PROVINCE),
    site_serial=st.text(alphabet="0123456789", min_size=6, max_size=6),
    year=st.integers(2000, 2099),
    level=st.integers(1, 5),
)


@given(parts, st.integers(1, n.MAX_SERIAL))
def test_skill_number_round_trips(p, serial):
    number = n.skill_number(p.prefix(), serial)
    assert re.fullmatch(r"[YS]\d{21}", number)
    assert number[:16] == p.prefix()
    assert int(number[16:]) == serial
    assert n.parse_skill_number(number) == p


@given(parts, st.integers(1, n.MAX_SERIAL), st.integers(1, n.MAX_SERIAL))
def test_distinct_serials_give_distinct_numbers(p, a, b):
    assert (n.skill_number(p.prefix(), a) == n.skill_number(p.prefix(), b)) == (a == b)


def test_skill_number_fields():
    p = n.SkillNumberParts("S", "1234", "12", "000001", 2026, 4)
    assert n.skill_number(p.prefix(), 7) == "S123412000001264000007"


@pytest.mark.parametrize("bad", [
    dict(body_type="X"), dict(body_code="12A4"), dict(site_serial="12345"), dict(year=1999),
    dict(level=0), dict(level=6),
])
def test_skill_parts_out_of_range(bad):
    base = dict(body_type="S", body_code="1234", province="12", site_serial="000001", year=2026,
                level=4)
    with pytest.raises(n.NumberError):
        n.SkillNumberParts(**(base | bad)).prefix()


def test_serial_bounds():
    prefix = n.SkillNumberParts("Y", "0001", "12", "000001", 2026, 5).prefix()
    with pytest.raises(n.NumberError):
        n.skill_number(prefix, 0)
    with pytest.raises(n.NumberError):
        n.skill_number(prefix, 1_000_000)


@given(st.integers(2000, 2099), st.integers(1, n.MAX_PROVIDER_ID), st.integers(1, n.MAX_SERIAL))
def test_training_number_has_valid_check(year, provider, serial):
    number = n.training_number(n.training_prefix(year, provider), serial)
    assert len(number) == 16 and number.startswith("PX")
    assert n.is_training_number(number)
    assert n.looks_like_certificate_number(number)


@given(st.integers(1, n.MAX_SERIAL), st.integers(2, 15), st.sampled_from(n.MOD11_CHECK_CHARS))
def test_training_check_catches_single_substitution(serial, position, char):
    number = n.training_number(n.training_prefix(2026, 42), serial)
    if number[position] == char or (position < 2):
        return
    altered = number[:position] + char + number[position + 1:]
    assert not n.is_training_number(altered)


@given(st.integers(1, n.MAX_SERIAL - 1))
def test_training_check_catches_adjacent_transposition(serial):
    number = n.training_number(n.training_prefix(2026, 42), serial)
    for i in range(2, 15):
        if number[i] != number[i + 1]:
            swapped = number[:i] + number[i + 1] + number[i] + number[i + 2:]
            assert not n.is_training_number(swapped)


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_mod11_2_is_the_id_card_check(first17):
    # GB 11643's check character is ISO 7064 MOD 11-2.
    from core.identity import id_check_char

    assert n.iso7064_mod11_2(first17) == id_check_char(first17)


def test_verification_codes_are_random_and_unambiguous():
    codes = {n.new_verification_code() for _ in range(2000)}
    assert len(codes) == 2000
    for code in codes:
        assert len(code) == n.VERIFICATION_CODE_LENGTH
        assert not set(code) & set("01OIL")


@given(st.text(alphabet=n.VERIFICATION_ALPHABET, min_size=8, max_size=8))
def test_codes_match_ignores_case_and_spaces(code):
    assert n.codes_match(f" {code.lower()[:4]} {code[4:]}", code)
    assert not n.codes_match(code, "")


def test_normalise_number_folds_full_width():
    assert n.normalise_number(" ｓ１２３ ") == "S123"
