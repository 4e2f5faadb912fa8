"""Attack review of identity claims: two accounts claiming the same record
must not learn from each other whether the name matched and a phone is on file, must not burn
the person's own code, and together cannot send her more than 5 codes an hour."""

from __future__ import annotations

from datetime import timedelta

from core.identity import id_check_char
from core.tables import User
from tests.conftest import PASSWORD, api_token

FIRST17 = "12022119880909123"
ID_NUMBER = FIRST17 + id_check_char(FIRST17)
ON_FILE = "13811113333"


def _register(client, username: str, name: str = "王芳") -> dict[str, str]:
    body = {"name": name, "id_type": "居民身份证", "id_number": ID_NUMBER,
            "phone": "13999997777", "username": username, "password": PASSWORD,
            "password_confirm": PASSWORD}
    r = client.post("/api/v1/auth/register", json=body)
    assert r.status_code == 202, r.text
    return api_token(client, username)


def _codes_to_victim(outbox) -> int:
    return len([m for m in outbox.messages(to=ON_FILE) if m["topic"] == "otp.claim"])


def _second_account_sees(client, clock, name: str, prefix: str) -> tuple:
    """Account A burns its 5 tries; what account B, registered 30 s later, then sees."""
    first = _register(client, f"{prefix}first", name)
    for _ in range(5):
        client.post("/api/v1/auth/claim/verify", json={"code": "000000"}, headers=first)
    clock.set_now(clock.now() + timedelta(seconds=30))
    second = _register(client, f"{prefix}second", name)
    wrong = client.post("/api/v1/auth/claim/verify", json={"code": "000000"},
                        headers=second).json()["detail"]
    clock.set_now(clock.now() + timedelta(seconds=31))  # 61 s after A's code, 31 s after B's
    resend = client.post("/api/v1/auth/claim/code", headers=second)
    return wrong, resend.status_code, resend.json()["detail"] if resend.status_code != 202 \
        else ""


def test_a_second_account_learns_nothing_from_the_first(client, clock, make_person, outbox):
    clock.set_now(clock.now())
    make_person("王芳", ID_NUMBER, ON_FILE)
    matching = _second_account_sees(client, clock, "王芳", "m")  # (b): name and phone match
    clock.set_now(clock.now() + timedelta(hours=2))
    mismatching = _second_account_sees(client, clock, "王小芳", "x")  # (d): decoy codes
    assert matching == mismatching
    assert matching[0] == "验证码不正确，还可尝试 4 次"
    assert matching[1] == 429


def test_the_persons_own_code_survives_an_attackers_tries(client, run, make_person, outbox):
    make_person("王芳", ID_NUMBER, ON_FILE)
    attacker = _register(client, "attacker")
    victim = _register(client, "wangfang")
    code = outbox.last_code(ON_FILE)
    for _ in range(5):
        client.post("/api/v1/auth/claim/verify", json={"code": "000000"}, headers=attacker)
    r = client.post("/api/v1/auth/claim/verify", json={"code": code}, headers=victim)
    assert r.status_code == 200 and r.json()["state"] == "verified"
    assert run(User.select(User.username).where(User.person.is_not_null())) == [
        {"username": "wangfang"}]


def test_many_accounts_send_at_most_five_codes_an_hour(client, clock, make_person, outbox):
    clock.set_now(clock.now())
    make_person("王芳", ID_NUMBER, ON_FILE)
    heads = []
    for i in range(7):
        heads.append(_register(client, f"bomb{i}"))
        clock.set_now(clock.now() + timedelta(seconds=61))
    for headers in heads:
        r = client.post("/api/v1/auth/claim/code", headers=headers)
        assert r.status_code == 202, r.text  # every account is answered alike
    assert _codes_to_victim(outbox) == 5
    clock.set_now(clock.now() + timedelta(hours=1))
    assert client.post("/api/v1/auth/claim/code", headers=heads[0]).status_code == 202
    assert _codes_to_victim(outbox) == 6



def test_more_accounts_buy_no_more_guesses_at_her_code(client, clock, make_person, outbox,
                                                       monkeypatch):
    """Past the per-person limit a claim's code is unguessable: even the digits the code maker
    drew are wrong, so registering many accounts does not multiply the guesses at a real code."""
    from core import otp

    monkeypatch.setattr(otp, "new_code", lambda: "123456")
    clock.set_now(clock.now())
    make_person("王芳", ID_NUMBER, ON_FILE)
    first = _register(client, "early0")
    for i in range(1, 5):
        clock.set_now(clock.now() + timedelta(seconds=61))
        _register(client, f"early{i}")
    clock.set_now(clock.now() + timedelta(seconds=61))
    late = _register(client, "late")
    assert _codes_to_victim(outbox) == 5
    r = client.post("/api/v1/auth/claim/verify", json={"code": "123456"}, headers=late)
    assert r.status_code == 422 and r.json()["detail"] == "验证码不正确，还可尝试 4 次"
    r = client.post("/api/v1/auth/claim/verify", json={"code": "123456"}, headers=first)
    assert r.status_code == 200  # a code that was sent still works


def test_new_person_registrations_cannot_bomb_a_phone(client, clock, outbox):
    """Case (a) sends the code to the phone typed in: registering many new numbers with
    someone else's phone, and resending, reaches that phone at most 5 times an hour."""
    clock.set_now(clock.now())
    target = "13600002222"
    heads = []
    for i in range(3):
        first17 = f"12022119920201{i:03d}"
        body = {"name": "赵六", "id_type": "居民身份证",
                "id_number": first17 + id_check_char(first17), "phone": target,
                "username": f"bomber{i}", "password": PASSWORD, "password_confirm": PASSWORD}
        assert client.post("/api/v1/auth/register", json=body).status_code == 202
        heads.append(api_token(client, f"bomber{i}"))
    for _ in range(4):
        clock.set_now(clock.now() + timedelta(seconds=61))
        for headers in heads:
            assert client.post("/api/v1/auth/claim/code", headers=headers).status_code == 202
    assert len(outbox.messages(to=target)) == 5
