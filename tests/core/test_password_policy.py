"""The password policy (core.accounts.passwords.policy_problem): at least 10 characters and a
zxcvbn score of 3 or more, with the username and name counted as weak material."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.accounts.passwords import (
    HAS_USER_INPUT,
    MIN_LENGTH,
    TOO_COMMON,
    TOO_SHORT,
    TOO_SIMPLE,
    check_policy,
    policy_problem,
)
from core.errors import ValidationError


@given(st.text(max_size=MIN_LENGTH - 1))
def test_anything_shorter_than_ten_characters_is_refused(password):
    assert policy_problem(password) == TOO_SHORT


@pytest.mark.parametrize(("password", "inputs", "problem"), [
    ("password123", (), TOO_COMMON),
    ("qwertyuiop", (), TOO_COMMON),
    ("1234567890", (), TOO_COMMON),
    ("liuxiaoming88", ("liuxiaoming", "刘晓明"), HAS_USER_INPUT),
    ("13900001111a", ("wf", "王芳", "13900001111"), HAS_USER_INPUT),
    ("王芳王芳王芳王芳王芳", ("wf", "王芳"), HAS_USER_INPUT),
    ("aaaaaaaaaaaa", (), TOO_SIMPLE),
    ("abcdefghijk", (), TOO_SIMPLE),
])
def test_weak_passwords_get_one_of_four_chinese_messages(password, inputs, problem):
    assert policy_problem(password, inputs) == problem


@pytest.mark.parametrize("password", [
    "Lantern-Quietly-47", "Secret2026pass", "correct horse battery staple", "托育平台-Ninghe-88",
])
def test_strong_passwords_pass(password):
    assert policy_problem(password, ("zhang", "张老师")) is None


def test_a_password_longer_than_zxcvbn_takes_is_judged_on_its_start():
    assert policy_problem("Lantern-Quietly-47" + "x" * 200) is None
    assert policy_problem("a" * 300) == TOO_SIMPLE


def test_check_policy_names_the_field():
    with pytest.raises(ValidationError) as refused:
        check_policy("short", "new_password")
    assert refused.value.field == "new_password" and refused.value.message == TOO_SHORT


def test_the_demo_password_passes_for_every_demo_login():
    from core.demo import DEMO_LOGINS, DEMO_PASSWORD

    for login in DEMO_LOGINS:
        assert policy_problem(DEMO_PASSWORD, (login.username, login.display_name)) is None
