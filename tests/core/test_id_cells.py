"""ID-number cells damaged by Excel: cleaned when the digits are intact,
otherwise refused saying what Excel did. Properties over every valid number."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.id_cells import AS_NUMBER, ROUNDED, clean_id_cell, strip_excel_marks
from core.identity import id_check_char, is_valid_id_number

VALID = "11010519491231002X"
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e", "\u202c",
             "\u00a0", "\u3000", "\t"]


@st.composite
def id_numbers(draw) -> str:
    area = draw(st.sampled_from(["110105", "120101", "310104", "440305", "820000"]))
    born = date(1900, 1, 1) + timedelta(days=draw(st.integers(0, 45_000)))
    serial = draw(st.integers(0, 999))
    first17 = f"{area}{born:%Y%m%d}{serial:03d}"
    return first17 + id_check_char(first17)


@st.composite
def decorated(draw, number: str) -> str:
    """The number as a copy or an Excel export may carry it: invisible characters anywhere,
    an apostrophe in front, ="…" around, lower-case x, full-width digits, spaces."""
    chars = list(number.lower() if draw(st.booleans()) else number)
    if draw(st.booleans()):
        chars = [chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in chars]
    for _ in range(draw(st.integers(0, 3))):
        chars.insert(draw(st.integers(0, len(chars))), draw(st.sampled_from(INVISIBLE)))
    text = "".join(chars)
    if draw(st.booleans()):
        text = "'" + text
    if draw(st.booleans()):
        text = f'="{text}"'
    return " " * draw(st.integers(0, 2)) + text


@given(st.data(), id_numbers())
def test_marks_around_intact_digits_are_removed(data, number):
    cell = clean_id_cell(data.draw(decorated(number)))
    assert cell.problem is None and cell.id_number == number


@given(id_numbers())
def test_cleaning_is_idempotent_and_leaves_a_clean_number_alone(number):
    assert clean_id_cell(number).id_number == number
    assert clean_id_cell(number).repaired == ()
    text, _ = strip_excel_marks(number)
    assert strip_excel_marks(text) == (text, ())


@given(id_numbers())
def test_a_number_rounded_by_excel_is_refused_never_read_as_another_person(number):
    rounded = number[:15] + "000"
    for cell in (clean_id_cell(float(rounded)), clean_id_cell(int(rounded))):
        assert cell.id_number is None and cell.problem == ROUNDED
    text_cell = clean_id_cell(rounded)
    if id_check_char(rounded[:17]) != "0":  # the damage is visible: the check fails
        assert text_cell.id_number is None and text_cell.problem == ROUNDED
    else:  # a real number ending in 000 that passes the check is read as written
        assert text_cell.id_number == rounded


@given(st.text(max_size=30))
def test_any_text_gives_a_valid_number_or_a_message(text):
    cell = clean_id_cell(text)
    assert (cell.id_number is None) != (cell.problem is None)
    if cell.id_number is not None:
        assert is_valid_id_number(cell.id_number)
        # the characters kept are the ones written, in order: nothing guessed
        written = re.sub(r"\s+", "", unicodedata.normalize("NFKC", strip_excel_marks(text)[0]))
        assert cell.id_number == written.upper()
    else:  # the message never repeats the number
        assert cell.problem
        assert not any(run in cell.problem for run in re.findall(r"\d{6,}", text))


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (1.10105194912310e17, ROUNDED),
        ("110105194912310000", ROUNDED),
        ("'110105194912310000", ROUNDED),
        ('="110105194912310000"', ROUNDED),
        ("1.10105E+17", AS_NUMBER),
        (12345.0, AS_NUMBER),
        (True, AS_NUMBER),
    ],
)
def test_what_excel_did_is_named(value, problem):
    cell = clean_id_cell(value)
    assert cell.id_number is None and cell.problem == problem


@pytest.mark.parametrize(
    ("value", "repaired"),
    [
        ("'" + VALID, ("前导撇号",)),
        ('="' + VALID + '"', ('="…"',)),
        ("\u200b" + VALID + "\ufeff", ("不可见字符",)),
        ('="\'' + VALID + '"', ('="…"', "前导撇号")),
    ],
)
def test_repairs_are_named(value, repaired):
    cell = clean_id_cell(value)
    assert cell.id_number == VALID and cell.repaired == repaired
