"""Signing in as each role lands on that role's work page; form errors sit by their field."""

import pytest

from core.roles import Role
from core.web import ROLE_HOME_TITLES
from tests.browser.conftest import sign_in


@pytest.mark.parametrize("role", list(Role))
def test_each_role_lands_on_its_work_page(new_page, db_user, role):
    db_user(role.value, f"b_{role.value}")
    page = new_page(phone=role is Role.TRAINEE)
    sign_in(page, f"b_{role.value}")
    assert page.locator("h1.page-title").inner_text() == ROLE_HOME_TITLES[role]
    assert role.label in page.content()


def test_registration_error_shows_next_to_the_field_on_a_phone(new_page):
    page = new_page(phone=True)
    page.goto("/register")
    page.fill("#name", "王芳")
    page.fill("#id_number", "120221198808081230")  # wrong check character
    page.fill("#phone", "13900001111")
    page.fill("#username", "wangfang_b")
    page.fill("#password", "Abcdefg123")
    page.fill("#password_confirm", "Abcdefg123")
    page.click("button[type=submit]")
    error = page.locator("#id_number-error")
    assert "校验位不正确" in error.inner_text()
    assert page.locator("#id_number").get_attribute("aria-invalid") == "true"
    assert page.input_value("#name") == "王芳"  # what the user typed is kept
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_wrong_password_message(new_page, db_user):
    db_user("hrss_officer", "b_wrongpw")
    page = new_page()
    sign_in(page, "b_wrongpw", "Wrong12345")
    assert "用户名或密码错误" in page.content()
