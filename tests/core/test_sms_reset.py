"""A trainee who forgot the password resets it by an SMS code to the phone on file; the answer
never reveals whether the account or the phone exists."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from core.messages.tables import Message
from core.tables import AuditLog, User
from tests.conftest import PASSWORD, api_token, login, post_form

PHONE = "13900002222"
NEW_PASSWORD = "Lantern-Quietly-47"
ANSWER = "如果该账号与手机号码匹配，验证码已发送至该手机"


@pytest.fixture(autouse=True)
def _frozen_clock(clock: Any) -> None:
    clock.set_now(clock.now())


@pytest.fixture
def trainee(run, make_person) -> dict:
    from core.accounts.services import NewUser, create_user
    from core.actor import Actor

    person = make_person(name="李娜", phone=PHONE)
    user_id = run(create_user, NewUser("lina", PASSWORD, "trainee", "李娜", None, person.id),
                  Actor.system("test"))
    return {"id": user_id, "id_number": person.id_number}


def _ask(client, identifier, phone=PHONE):
    return post_form(client, "/account/forgot", {"identifier": identifier, "phone": phone})


def test_trainee_resets_by_sms_code_with_username_or_id_number(client, run, outbox, trainee):
    assert "/account/forgot" in client.get("/login").text
    token = api_token(client, "lina")
    for identifier in ("lina", trainee["id_number"]):
        r = _ask(client, identifier)
        assert r.status_code == 200 and ANSWER in r.text
        code = outbox.last_code(PHONE)
        assert code is not None
        r = post_form(client, "/account/forgot/code",
                      {"identifier": identifier, "phone": PHONE, "code": code},
                      follow_redirects=False)
        assert r.status_code in (302, 303)
        assert r.headers["location"].startswith("/account/reset/")
        link = r.headers["location"]
        if identifier == "lina":  # the policy applies on the link's page
            r = post_form(client, link, {"password": "lina12345678", "password_confirm":
                                         "lina12345678"})
            assert r.status_code == 422 and "用户名" in r.text
        r = post_form(client, link, {"password": NEW_PASSWORD, "password_confirm":
                                     NEW_PASSWORD}, follow_redirects=False)
        assert r.status_code in (302, 303) and r.headers["location"] == "/login"
        assert login(client, "lina", NEW_PASSWORD).status_code in (302, 303)
        post_form(client, "/logout", {})
        _reset_throttle(run)
    assert client.get("/api/v1/auth/me", headers=token).status_code == 401  # tokens ended
    rows = run(AuditLog.select().where(AuditLog.action == "user.password_reset_sms"))
    assert len(rows) == 2 and PHONE not in json.dumps(rows, default=str)


def _reset_throttle(run):
    """Let the next code be asked for at once (core.otp allows one a minute)."""
    from datetime import timedelta

    from core import clock

    clock.advance(timedelta(minutes=2))


@pytest.mark.parametrize(("identifier", "phone"), [
    ("lina", "13900009999"),  # the account, another phone
    ("nobody", PHONE),  # no such account, the phone on file
    ("nobody", "13900009999"),
])
def test_the_answer_is_the_same_and_no_sms_is_sent_when_they_do_not_match(
    client, run, outbox, trainee, identifier, phone
):
    r = _ask(client, identifier, phone)
    assert r.status_code == 200 and ANSWER in r.text
    assert run(Message.count) == 0
    # a guessed code is refused with the message a real account gets
    r = post_form(client, "/account/forgot/code",
                  {"identifier": identifier, "phone": phone, "code": "123456"})
    assert r.status_code == 422 and "验证码不正确" in r.text
    # and resending too soon is throttled alike
    r = _ask(client, identifier, phone)
    assert r.status_code == 429 and "秒后" in r.text


def test_a_real_pair_is_throttled_and_refused_the_same_way(client, run, outbox, trainee):
    _ask(client, "lina")
    r = post_form(client, "/account/forgot/code",
                  {"identifier": "lina", "phone": PHONE, "code": "000000"
                   if outbox.last_code(PHONE) != "000000" else "111111"})
    assert r.status_code == 422 and "验证码不正确" in r.text
    r = _ask(client, "lina")
    assert r.status_code == 429 and "秒后" in r.text and r.headers["retry-after"]


def test_a_disabled_trainee_gets_no_code(client, run, outbox, trainee):
    run(User.update({User.is_active: False}).where(User.id == trainee["id"]))
    assert ANSWER in _ask(client, "lina").text
    assert run(Message.count) == 0


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"identifier": "", "phone": PHONE}, "identifier", "请填写用户名或证件号码"),
    ({"identifier": "lina", "phone": "12345"}, "phone", "手机号码"),
])
def test_malformed_requests_name_the_field(client, run, outbox, trainee, data, field, message):
    r = post_form(client, "/account/forgot", data)
    assert r.status_code == 422 and message in r.text and f'id="{field}-error"' in r.text
    assert run(Message.count) == 0


def test_the_forgot_page_keeps_what_was_typed(client, trainee):
    page = client.get("/account/forgot")
    assert page.status_code == 200 and 'name="identifier"' in page.text
    r = _ask(client, "lina")
    assert re.search(r'name="identifier" value="lina"', r.text)
