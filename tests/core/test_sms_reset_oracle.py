"""Attack review: asking for a reset code with an account's username and
then with its ID number (same phone) must answer like two unrelated pairs. With one throttle
per account, the second ask got 429 and shared the first one's tries only when username, ID
number and phone belonged together, which told exactly that. Codes to one phone stay at 5 an
hour however the account is named."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.conftest import PASSWORD, post_form

PHONE = "13900004444"


@pytest.fixture(autouse=True)
def _frozen_clock(clock: Any) -> None:
    clock.set_now(clock.now())


@pytest.fixture
def trainee(run, make_person) -> dict:
    from core.accounts.services import NewUser, create_user
    from core.actor import Actor

    person = make_person(name="李娜", phone=PHONE)
    run(create_user, NewUser("lina", PASSWORD, "trainee", "李娜", None, person.id),
        Actor.system("test"))
    return {"id_number": person.id_number}


def _pair_answers(client, first: str, second: str) -> tuple:
    r1 = post_form(client, "/account/forgot", {"identifier": first, "phone": PHONE})
    wrong = post_form(client, "/account/forgot/code",
                      {"identifier": first, "phone": PHONE, "code": "000000"})
    r2 = post_form(client, "/account/forgot", {"identifier": second, "phone": PHONE})
    wrong2 = post_form(client, "/account/forgot/code",
                       {"identifier": second, "phone": PHONE, "code": "000000"})
    return (r1.status_code, wrong.status_code, r2.status_code, wrong2.status_code,
            "还可尝试 4 次" in wrong2.text)


def test_username_then_id_number_answers_like_unrelated_pairs(client, clock, outbox, trainee):
    together = _pair_answers(client, "lina", trainee["id_number"])
    clock.set_now(clock.now() + timedelta(hours=2))
    unrelated = _pair_answers(client, "nobody", "120221199001011234")
    assert together == unrelated == (200, 422, 200, 422, True)


def test_at_most_five_codes_an_hour_to_the_phone(client, clock, outbox, trainee):
    for i in range(8):
        identifier = "lina" if i % 2 else trainee["id_number"]
        r = post_form(client, "/account/forgot", {"identifier": identifier, "phone": PHONE})
        assert r.status_code in (200, 429)
        clock.set_now(clock.now() + timedelta(seconds=61))
    assert len([m for m in outbox.messages(to=PHONE)
                if m["topic"] == "otp.password_reset"]) == 5


def test_past_the_limit_the_code_cannot_be_guessed(client, clock, outbox, trainee, monkeypatch):
    from core import otp

    monkeypatch.setattr(otp, "new_code", lambda: "123456")
    for _ in range(5):
        post_form(client, "/account/forgot", {"identifier": trainee["id_number"], "phone": PHONE})
        clock.set_now(clock.now() + timedelta(seconds=61))
    r = post_form(client, "/account/forgot", {"identifier": "lina", "phone": PHONE})
    assert r.status_code == 200  # answered alike, nothing sent
    r = post_form(client, "/account/forgot/code",
                  {"identifier": "lina", "phone": PHONE, "code": "123456"},
                  follow_redirects=False)
    assert r.status_code == 422 and "验证码不正确，还可尝试 4 次" in r.text
