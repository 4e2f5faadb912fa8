"""Accounts: registration, sign-in, tokens, throttling, CSRF."""

from datetime import UTC

from core.identity import id_check_char
from core.tables import AuditLog, Person, User
from tests.conftest import PASSWORD, api_token, csrf_token, hold_clock, login, post_form

FIRST17 = "12022119880808123"
ID_NUMBER = FIRST17 + id_check_char(FIRST17)


def registration(**overrides):
    data = {
        "name": "王芳",
        "id_type": "居民身份证",
        "id_number": ID_NUMBER,
        "phone": "13900001111",
        "username": "wangfang",
        "password": PASSWORD,
        "password_confirm": PASSWORD,
    }
    data.update(overrides)
    return data


def test_trainee_registers_on_the_page_and_is_signed_in(client, run, outbox):
    r = post_form(
        client, "/register", registration(id_number=ID_NUMBER.lower()), follow_redirects=False
    )
    assert r.status_code in (302, 303) and r.headers["location"] == "/account/verify"
    assert run(Person.count) == 0  # a new person is recorded once her phone is proved
    assert client.get("/me", follow_redirects=False).headers["location"] == "/account/verify"
    r = post_form(client, "/account/verify", {"code": outbox.last_code("13900001111")},
                  follow_redirects=False)
    assert r.status_code in (302, 303)
    person = run(Person.objects().where(Person.id_number == ID_NUMBER).first)
    assert person.sex == "男" and str(person.birth_date) == "1988-08-08"
    me = client.get("/me")
    assert me.status_code == 200 and ID_NUMBER in me.text


def test_bad_id_number_shows_chinese_message_next_to_field_and_writes_nothing(client, run):
    r = post_form(client, "/register", registration(id_number=FIRST17 + "0"))
    assert r.status_code == 422
    assert "校验位不正确" in r.text
    assert 'id="id_number-error"' in r.text
    assert run(User.count) == 0 and run(Person.count) == 0
    assert run(AuditLog.count) == 0


def test_api_registration_errors_name_the_field(client, run):
    r = client.post("/api/v1/auth/register", json=registration(phone="12345"))
    assert r.status_code == 422
    assert r.json()["field"] == "phone" and "手机号码" in r.json()["detail"]
    assert run(User.count) == 0


def test_duplicate_username_is_refused_with_a_clear_message(client, make_user, run):
    make_user("hrss_officer", "wangfang")
    r = client.post("/api/v1/auth/register", json=registration())
    assert r.status_code == 409
    assert r.json() == {"status_code": 409, "detail": "该用户名已被使用", "field": "username"}
    assert run(Person.count) == 0


def test_same_person_registering_twice_is_answered_alike_and_gets_no_code(client, outbox):
    first = client.post("/api/v1/auth/register", json=registration())
    assert first.status_code == 202
    headers = api_token(client, "wangfang")
    code = outbox.last_code("13900001111")
    assert client.post("/api/v1/auth/claim/verify", json={"code": code},
                       headers=headers).status_code == 200
    sent = len(outbox.messages())
    r = client.post("/api/v1/auth/register", json=registration(username="other"))
    assert r.status_code == 202 and r.json() == first.json()
    assert len(outbox.messages()) == sent  # the record already has a verified account


def test_wrong_password_gives_chinese_message(client, make_user):
    make_user("trainee", "zhang")
    r = login(client, "zhang", "wrong-password1")
    assert r.status_code == 422 and "用户名或密码错误" in r.text
    r = client.post("/api/v1/auth/token", json={"username": "zhang", "password": "nope"})
    assert r.status_code == 422 and r.json()["detail"] == "用户名或密码错误"


def test_password_hash_is_argon2_and_never_the_password(client, make_user, run):
    make_user("admin", "boss")
    row = run(User.select(User.password_hash).where(User.username == "boss").first)
    assert row["password_hash"].startswith("$argon2id$") and PASSWORD not in row["password_hash"]


def test_repeated_failures_lock_the_account_for_a_while(client, make_user):
    make_user("trainee", "target")
    hold_clock()
    for _ in range(5):
        assert login(client, "target", "bad-password1").status_code == 422
    r = login(client, "target", PASSWORD)  # even the right password waits
    assert r.status_code == 429 and "登录失败次数过多" in r.text
    api = client.post("/api/v1/auth/token", json={"username": "target", "password": PASSWORD})
    assert api.status_code == 429


def test_me_answers_the_signed_in_user(client, make_user):
    from core.roles import Role

    user_id = make_user("hrss_officer", "me.officer", display_name="人社局王科长")
    r = client.get("/api/v1/auth/me", headers=api_token(client, "me.officer"))
    assert r.status_code == 200
    assert r.json() == {"id": user_id, "username": "me.officer", "display_name": "人社局王科长",
                        "role": "hrss_officer", "role_label": Role.HRSS_OFFICER.label,
                        "organisation_id": None}


def test_token_expires_and_can_be_revoked(client, make_user, run):
    from datetime import datetime, timedelta

    from core.tables import ApiToken

    make_user("hrss_officer", "officer")
    headers = api_token(client, "officer")
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    assert client.post("/api/v1/auth/token/revoke", headers=headers).status_code == 204
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401
    headers = api_token(client, "officer")
    run(
        ApiToken.update({ApiToken.expires_at: datetime.now(UTC) - timedelta(seconds=1)}).where(
            ApiToken.revoked_at.is_null()
        )
    )
    r = client.get("/api/v1/auth/me", headers=headers)
    assert r.status_code == 401 and "令牌" in r.json()["detail"]


def test_form_post_without_csrf_token_is_refused(client, make_user):
    make_user("trainee", "li.na")
    csrf_token(client)
    r = client.post("/login", data={"username": "li.na", "password": PASSWORD})
    assert r.status_code == 403
    assert "登录" not in client.get("/", follow_redirects=False).headers.get("location", "")


def test_session_cookie_is_httponly_and_samesite(client, make_user):
    make_user("trainee", "cookie")
    r = login(client, "cookie")
    cookie = r.headers.get("set-cookie", "")
    assert "registry_session" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie


def test_logout_ends_the_session(client, make_user):
    make_user("hrss_officer", "bye")
    login(client, "bye")
    assert client.get("/audit").status_code == 200
    post_form(client, "/logout", {})
    r = client.get("/audit", follow_redirects=False)
    assert r.status_code in (302, 303) and r.headers["location"].startswith("/login")


def test_open_redirect_after_login_is_refused(client, make_user):
    make_user("trainee", "redir")
    r = post_form(
        client,
        "/login",
        {"username": "redir", "password": PASSWORD, "next": "//evil.example/x"},
        follow_redirects=False,
    )
    assert r.headers["location"] == "/"


def test_session_id_is_renewed_at_sign_in(client, make_user):
    make_user("trainee", "fixation")
    client.cookies.set("registry_session", "a" * 64, domain="testserver.local")  # planted
    response = login(client, "fixation")
    issued = response.cookies.get("registry_session")
    assert issued and issued != "a" * 64


def test_anonymous_visits_leave_no_session_behind(client, make_user, run):
    sessions = client.app.stores.get("sessions")
    for path in ("/", "/courses", "/verify", "/login"):
        response = client.get(path)
        assert response.status_code == 200
        assert "registry_session" not in response.headers.get("set-cookie", "")
    assert "registry_session" not in client.cookies
    make_user("trainee", "anon.then.signed")
    login(client, "anon.then.signed")
    session_id = client.cookies.get("registry_session")
    assert session_id and run(sessions.exists(session_id))
