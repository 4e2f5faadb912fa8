"""The old 15-character 外国人永久居留身份证 as a second format, and one Person holding both
numbers, linked by a 人社局 officer."""

from __future__ import annotations

from datetime import date

import pytest

from core.actor import Actor
from core.errors import ValidationError
from core.identity import (
    birth_date_of,
    id_check_char,
    mask_id_number,
    normalise_id_number,
    sex_of,
)
from core.people import PersonInput, find_or_create_person, find_person
from core.tables import AuditLog, Person, PersonIdNumber
from tests.conftest import api_token, login, post_form

FOREIGN = "外国人永久居留身份证"
OLD = "USA120501011234"  # USA, office 12, born 2005-01-01, serial 123, check 4
NEW17 = "91184020050101012"  # 9, province 11, nationality 840, born 2005-01-01, serial 012
NEW = NEW17 + id_check_char(NEW17)
NAME = "John Smith"


# --- the 15-character format (pure) ---------------------------------------------------------


@pytest.mark.parametrize("typed", [OLD, "usa120501011234", " USA 1205 0101 1234 ",
                                   "ｕｓａ１２０５０１０１１２３４"])
def test_old_card_is_normalised(typed):
    assert normalise_id_number(typed, FOREIGN) == OLD


def test_old_card_birth_date_sex_and_mask(clock):
    clock.set_today(date(2026, 11, 30))
    assert birth_date_of(OLD) == date(2005, 1, 1)
    assert birth_date_of("GBR128707151234") == date(1987, 7, 15)  # 2087 would be in the future
    assert sex_of(OLD) is None
    masked = mask_id_number(OLD)
    assert masked == "USA1*******1234" and "050101" not in masked


def test_century_follows_the_clock(clock):
    clock.set_today(date(2026, 11, 30))
    assert birth_date_of("USA122611291234") == date(2026, 11, 29)
    assert birth_date_of("USA122612011234") == date(1926, 12, 1)


@pytest.mark.parametrize(("typed", "message"), [
    ("USA129913011234", "证件号码中的出生日期无效"),
    ("USA121902291234", "证件号码中的出生日期无效"),  # neither 2019 nor 1919 is a leap year
    ("US1120501011234", "旧版 15 位（3 位国籍字母加 12 位数字）"),
    ("USA12050101123", "旧版 15 位（3 位国籍字母加 12 位数字）"),
    ("USA12050101123X", "旧版 15 位（3 位国籍字母加 12 位数字）"),
])
def test_bad_old_cards_name_the_field(typed, message):
    with pytest.raises(ValidationError) as err:
        normalise_id_number(typed, FOREIGN, field="id_number")
    assert err.value.field == "id_number" and message in err.value.message


def test_fifteen_characters_are_only_a_foreign_card():
    with pytest.raises(ValidationError):
        normalise_id_number(OLD, "居民身份证")


def test_a_person_under_the_old_card_has_a_birth_date(make_person):
    person = make_person(NAME, id_number=OLD.lower(), id_type=FOREIGN)
    assert person.id_number == OLD
    assert person.birth_date == date(2005, 1, 1) and person.sex is None


# --- linking: one Person, both numbers ------------------------------------------------------


@pytest.fixture
def officer(client, make_user):
    make_user("hrss_officer", "hrss1")
    login(client, "hrss1")
    return client


def test_officer_links_the_old_card_and_both_numbers_find_one_person(officer, run, make_person):
    person = make_person(NAME, id_number=NEW, id_type=FOREIGN)
    page = officer.get(f"/officer/people/{person.id}")
    assert page.status_code == 200 and 'action="/officer/people/' in page.text
    r = post_form(officer, f"/officer/people/{person.id}/id-numbers",
                  {"id_type": FOREIGN, "id_number": "ｕｓａ１２０５０１０１１２３４",
                   "note": "核对新旧证件原件"}, follow_redirects=False)
    assert r.status_code in (302, 303), r.text
    page = officer.get(f"/officer/people/{person.id}")
    assert OLD in page.text and "核对新旧证件原件" in page.text
    audit = run(AuditLog.select().where(AuditLog.action == "person.link_id_number").first)
    assert audit["entity_id"] == str(person.id) and OLD not in str(audit["summary"])
    # found by either number, from the officer's search and in every find_or_create_person
    found = officer.get("/officer/people/", params={"id_type": FOREIGN, "id_number": OLD},
                        follow_redirects=False)
    assert found.status_code in (302, 303) and found.headers["location"].endswith(
        f"/officer/people/{person.id}")
    again = run(find_or_create_person, PersonInput(FOREIGN, OLD, NAME), Actor.system("test"))
    assert again.id == person.id
    assert run(find_person, FOREIGN, OLD).id == person.id
    assert run(Person.count) == 1


def test_a_trainee_enrolled_under_the_old_card_then_the_new_one_is_one_person(
        client, run, make_user, make_person):
    old = make_person(NAME, id_number=OLD, id_type=FOREIGN)
    make_user("hrss_officer", "hrss1")
    headers = api_token(client, "hrss1")
    r = client.post(f"/api/v1/people/{old.id}/id-numbers", headers=headers,
                    json={"id_type": FOREIGN, "id_number": NEW, "note": "换发新证"})
    assert r.status_code == 201, r.text
    assert r.json()["id_number"] == NEW
    later = run(find_or_create_person, PersonInput(FOREIGN, NEW, "John  Smith"),
                Actor.system("test"))
    assert later.id == old.id and run(Person.count) == 1
    listed = client.get(f"/api/v1/people/{old.id}/id-numbers", headers=headers).json()
    assert [n["id_number"] for n in listed] == [NEW]


def test_a_number_of_another_person_is_refused_with_409(officer, run, make_person):
    person = make_person(NAME, id_number=NEW, id_type=FOREIGN)
    other = make_person("Jane Doe", id_number=OLD, id_type=FOREIGN)
    r = post_form(officer, f"/officer/people/{person.id}/id-numbers",
                  {"id_type": FOREIGN, "id_number": OLD, "note": ""})
    assert r.status_code == 409
    assert "该证件号码已登记在其他人员名下" in r.text
    assert run(PersonIdNumber.count) == 0
    assert run(AuditLog.count().where(AuditLog.action == "person.link_id_number")) == 0
    assert run(find_person, FOREIGN, OLD).id == other.id


def test_a_number_linked_to_another_person_is_refused_through_the_api(
        client, run, make_user, make_person):
    first = make_person("李娜")
    second = make_person("王芳")
    make_user("hrss_officer", "hrss1")
    headers = api_token(client, "hrss1")
    body = {"id_type": FOREIGN, "id_number": OLD}
    assert client.post(f"/api/v1/people/{first.id}/id-numbers", headers=headers,
                       json=body).status_code == 201
    again = client.post(f"/api/v1/people/{first.id}/id-numbers", headers=headers, json=body)
    assert again.status_code == 409 and again.json()["detail"] == "该证件号码已是此人的证件号码"
    taken = client.post(f"/api/v1/people/{second.id}/id-numbers", headers=headers, json=body)
    assert taken.status_code == 409 and taken.json()["field"] == "id_number"
    own = client.post(f"/api/v1/people/{second.id}/id-numbers", headers=headers,
                      json={"id_type": "居民身份证", "id_number": first.id_number})
    assert own.status_code == 409
    assert run(PersonIdNumber.count) == 1


def test_a_malformed_number_is_422_and_writes_nothing(officer, run, make_person):
    person = make_person(NAME, id_number=NEW, id_type=FOREIGN)
    r = post_form(officer, f"/officer/people/{person.id}/id-numbers",
                  {"id_type": FOREIGN, "id_number": "USA129913011234"})
    assert r.status_code == 422 and "证件号码中的出生日期无效" in r.text
    assert run(PersonIdNumber.count) == 0


def test_only_hrss_officers_link_numbers(client, make_user, make_person):
    person = make_person()
    make_user("facility_operator", "op1")
    headers = api_token(client, "op1")
    r = client.post(f"/api/v1/people/{person.id}/id-numbers", headers=headers,
                    json={"id_type": FOREIGN, "id_number": OLD})
    assert r.status_code in (403, 404)
    assert client.post("/api/v1/people/999999/id-numbers",
                       json={"id_type": FOREIGN, "id_number": OLD}).status_code == 401
