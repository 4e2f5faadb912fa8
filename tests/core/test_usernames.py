"""Username normalisation (core.accounts.usernames): pure rules, property-tested."""

from hypothesis import given
from hypothesis import strategies as st

from core.accounts.usernames import colliding_usernames, normalise_username


def test_spellings_a_person_cannot_tell_apart_share_one_key():
    keys = {normalise_username(v) for v in ("edu", "edu ", " EDU", "Edu\t", "ｅｄｕ", "ＥＤＵ　")}
    assert keys == {"edu"}


def test_blank_and_none_give_an_empty_key():
    assert normalise_username("") == "" and normalise_username("   ") == ""
    assert normalise_username(None) == ""  # type: ignore[arg-type]


@given(st.text())
def test_normalisation_is_idempotent(raw):
    once = normalise_username(raw)
    assert normalise_username(once) == once


@given(st.text())
def test_key_has_no_surrounding_whitespace_and_no_upper_case(raw):
    key = normalise_username(raw)
    assert key == key.strip() and key == key.casefold()


@given(st.from_regex(r"[A-Za-z0-9_.-]{3,50}", fullmatch=True), st.sampled_from(["", " ", "　"]))
def test_a_valid_username_keys_to_its_lower_case_whatever_the_padding(name, pad):
    full_width = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in name)
    assert normalise_username(pad + name.upper() + pad) == name.lower()
    assert normalise_username(full_width) == name.lower()


def test_colliding_usernames_are_grouped_by_key():
    assert colliding_usernames(["edu", "Edu", "ana", "EDU", "bob", "Bob"]) == [
        ["Bob", "bob"],
        ["EDU", "Edu", "edu"],
    ]
    assert colliding_usernames(["edu", "ana"]) == []
