"""Every page form of core is read by one forms layer (core.forms.FormReader) and shows every
field at fault at once, each message beside its own field: a form posted
with several bad fields answers 422 with all their messages and writes nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from markupsafe import escape

from core.actor import Actor
from core.identity import id_check_char
from core.tables import AuditLog, PersonIdNumber, User
from tests.conftest import PASSWORD, login, post_form

BAD_ID = "120221199001010010"  # wrong check character
FIRST17 = "12022119900101001"
GOOD_ID = FIRST17 + id_check_char(FIRST17)
FOREIGN = "外国人永久居留身份证"


def beside(html: str, field: str) -> str:
    """The message shown under ``field`` (<p class="field-error" id="FIELD-error">)."""
    match = re.search(rf'<p class="field-error" id="{re.escape(field)}-error">([^<]*)</p>', html)
    assert match, f"no error shown beside {field}"
    return match.group(1)


def assert_beside(html: str, expected: dict[str, str]) -> None:
    for field, message in expected.items():
        assert beside(html, field) == str(escape(message)), field


def _counts(run: Any) -> tuple[int, int, int]:
    return run(User.count()), run(AuditLog.count()), run(PersonIdNumber.count())


def _register_form(**over: str) -> dict[str, str]:
    return {"name": "张3", "id_type": "居民身份证", "id_number": BAD_ID, "phone": "12345",
            "username": "ab", "password": "abc", "password_confirm": "abd", **over}


REGISTER_ERRORS = {
    "name": "姓名不能包含数字",
    "id_number": "身份证号校验位不正确，请核对后重新输入",
    "phone": "手机号码应为 11 位数字，以 1 开头",
    "username": "用户名应为 3–50 位字母、数字、下划线、点或连字符",
    "password": "密码至少 10 位",
    "password_confirm": "两次输入的密码不一致",
}


def _setup_anonymous(client: Any, run: Any, make_user: Any, make_person: Any) -> dict:
    return {}


def _setup_trainee_claim(client: Any, run: Any, make_user: Any, make_person: Any) -> dict:
    response = post_form(client, "/register", _register_form(
        name="王芳", id_number=GOOD_ID, phone="13900000001", username="wangfang",
        password=PASSWORD, password_confirm=PASSWORD), follow_redirects=False)
    assert response.status_code in (302, 303), response.text
    return {}


def _setup_signed_in(client: Any, run: Any, make_user: Any, make_person: Any) -> dict:
    make_user("hrss_officer", "officer1")
    assert login(client, "officer1").status_code in (302, 303)
    return {}


def _setup_admin(client: Any, run: Any, make_user: Any, make_person: Any) -> dict:
    make_user("admin", "admin1")
    assert login(client, "admin1").status_code in (302, 303)
    return {}


def _setup_person(client: Any, run: Any, make_user: Any, make_person: Any) -> dict:
    person = make_person("John Smith", id_type=FOREIGN,
                         id_number="91184020050101012" + id_check_char("91184020050101012"))
    _setup_signed_in(client, run, make_user, make_person)
    return {"person_id": person.id}


def _setup_reset(client: Any, run: Any, make_user: Any, make_person: Any) -> dict:
    from core.accounts import lifecycle

    user_id = make_user("provider_staff", "staff1")
    link = run(lifecycle.start_reset, user_id, Actor.system("test"))
    return {"path": link.path}


# (name, setup, path (may name {person_id} / {path}), form, {field: message}, status)
FORMS = [
    ("register", _setup_anonymous, "/register", _register_form(), REGISTER_ERRORS, 422),
    ("login", _setup_anonymous, "/login", {"username": " ", "password": ""},
     {"username": "请填写用户名", "password": "请填写密码"}, 422),
    ("forgot password", _setup_anonymous, "/account/forgot/", {"identifier": "", "phone": "123"},
     {"identifier": "请填写用户名或证件号码", "phone": "手机号码应为 11 位数字，以 1 开头"}, 422),
    ("claim restart", _setup_trainee_claim, "/account/verify/restart",
     {"name": "张3", "id_type": "驾驶证", "id_number": BAD_ID, "phone": "12345"},
     {"name": "姓名不能包含数字", "id_type": "证件类型取值无效",
      "phone": "手机号码应为 11 位数字，以 1 开头"}, 422),
    ("change password", _setup_signed_in, "/account/password",
     {"current_password": "", "password": "abc", "password_confirm": "abd"},
     {"current_password": "请填写当前密码", "password": "密码至少 10 位",
      "password_confirm": "两次输入的新密码不一致"}, 422),
    ("reset password", _setup_reset, "{path}", {"password": "abc", "password_confirm": "abd"},
     {"password": "密码至少 10 位", "password_confirm": "两次输入的新密码不一致"}, 422),
    ("admin creates user", _setup_admin, "/admin/users/",
     {"username": "a", "display_name": "", "role": "king", "organisation_id": "abc",
      "password": "abc"},
     {"username": "用户名应为 3–50 位字母、数字、下划线、点或连字符",
      "display_name": "请填写姓名或显示名称", "role": "角色取值无效",
      "organisation_id": "所属机构编号应为数字", "password": "密码至少 10 位"}, 422),
    ("officer links an ID number", _setup_person, "/officer/people/{person_id}/id-numbers",
     {"id_type": FOREIGN, "id_number": "USA12050101123", "note": "依" * 201},
     {"id_number": "外国人永久居留身份证号码应为 18 位（以 9 开头），"
                   "或旧版 15 位（3 位国籍字母加 12 位数字）",
      "note": "备注最多 200 个字符"}, 422),
]


@pytest.mark.parametrize(("setup", "path", "form", "expected", "status"),
                         [pytest.param(*case[1:], id=case[0]) for case in FORMS])
def test_every_field_error_is_shown_at_once(client, run, make_user, make_person, setup, path,
                                            form, expected, status):
    context = setup(client, run, make_user, make_person)
    before = _counts(run)
    response = post_form(client, path.format(**context), form, follow_redirects=False)
    assert response.status_code == status, response.text
    html = response.text
    assert_beside(html, expected)
    assert len(re.findall(r'class="field-error"', html)) == len(expected)
    assert _counts(run) == before


def test_registration_form_errors_do_not_depend_on_the_registry(client, run, make_person):
    """The same bad fields beside a number the registry holds (under another name, with a phone)
    and beside one it does not: the same answer, only the form's own errors."""
    make_person("李四", id_number=GOOD_ID, phone="13900000009")
    other17 = "12022119900101002"
    answers = []
    for number in (GOOD_ID, other17 + id_check_char(other17)):
        response = post_form(client, "/register", _register_form(id_number=number))
        assert response.status_code == 422
        answers.append({field: beside(response.text, field)
                        for field in REGISTER_ERRORS if field != "id_number"})
        assert 'id="id_number-error"' not in response.text
    assert answers[0] == answers[1]
    assert run(User.count()) == 0


def test_registration_still_judges_the_password_against_the_person(client, run):
    """A password built from the phone entered is refused beside the password field."""
    response = post_form(client, "/register", _register_form(
        name="王芳", id_number=GOOD_ID, phone="13912345678", username="wangfang",
        password="13912345678abc", password_confirm="13912345678abc"))
    assert response.status_code == 422
    assert 'id="password-error"' in response.text
    assert run(User.count()) == 0
