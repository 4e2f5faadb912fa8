"""A recorded external credential (health check, background check, training, licence) is a
past event: its issue (check) date cannot be after today, China date.
Through the API and the page; nothing is written on a refusal."""

from __future__ import annotations

from datetime import date

import pytest

from core.identity import id_check_char
from tests.certification.test_holder_and_external import _external, pdf_scan
from tests.conftest import api_token, login, post_form

TODAY = date(2026, 6, 1)
MESSAGE = "发证（检查）日期不能晚于今天（2026-06-01）：只能登记已经发生的事"
NEW_ID = "12022119900101001" + id_check_char("12022119900101001")


def _counts(run):
    from core.tables import AuditLog, Credential, Person, StoredFile

    return run(Credential.count()), run(Person.count()), run(StoredFile.count()), run(
        AuditLog.count())


@pytest.mark.parametrize(("code", "outcome", "issued_on"), [
    ("HEALTH_CERT", "pass", "2027-05-01"),
    ("HEALTH_CERT", "pass", "2026-06-02"),
    ("BACKGROUND_CHECK", "clear", "2026-06-02"),
    ("SECURITY_LICENSE", None, "2026-12-31"),
])
def test_future_dated_external_credential_is_refused(client, run, clock, make_user, code,
                                                     outcome, issued_on):
    clock.set_today(TODAY)
    make_user("facility_operator", "operator1")
    headers = api_token(client, "operator1")
    before = _counts(run)
    extra = {"outcome": outcome} if outcome else {}
    r = _external(client, headers, id_number=NEW_ID, code=code, number="HC-F1",
                  issued_on=issued_on, **extra)
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "issued_on" and r.json()["detail"] == MESSAGE
    assert _counts(run) == before


def test_an_external_credential_dated_today_is_recorded(client, run, clock, make_user):
    clock.set_today(TODAY)
    make_user("facility_operator", "operator1")
    r = _external(client, api_token(client, "operator1"), id_number=NEW_ID, code="HEALTH_CERT",
                  number="HC-T1", issued_on="2026-06-01", outcome="pass")
    assert r.status_code == 201, r.text


def test_the_page_refuses_a_future_date_naming_the_field(client, run, clock, make_user):
    clock.set_today(TODAY)
    make_user("hrss_officer", "officer")
    login(client, "officer")
    before = _counts(run)
    r = post_form(client, "/certification/external/", {
        "id_type": "居民身份证", "id_number": NEW_ID, "name": "周强", "code": "HEALTH_CERT",
        "number": "HC-P1", "issuer_name": "宁河区医院", "issued_on": "2027-05-01",
        "outcome": "pass"}, files={"scan": ("scan.pdf", pdf_scan(), "application/pdf")})
    assert r.status_code == 422
    assert 'id="issued_on-error"' in r.text and MESSAGE in r.text
    assert _counts(run) == before


def test_core_refuses_a_future_recorded_credential_whatever_the_entry(run, clock,
                                                                       make_person):
    from core.actor import Actor
    from core.credentials import CredentialInput, create_credential
    from core.db import transaction
    from core.errors import ValidationError
    from core.tables import Credential

    clock.set_today(TODAY)
    person = make_person("周强")

    async def record():
        async with transaction():
            await create_credential(CredentialInput(
                person_id=person.id, code="HEALTH_CERT", number="HC-C1",
                issued_on=date(2026, 6, 2), source="recorded", outcome="pass"),
                Actor.system("test"))

    with pytest.raises(ValidationError) as err:
        run(record)
    assert err.value.field == "issued_on" and err.value.message == MESSAGE
    assert run(Credential.count()) == 0


def test_an_external_number_is_stored_folded_and_foreign_digits_refused(client, run, clock,
                                                                        make_user):
    from core.tables import Credential

    clock.set_today(TODAY)
    make_user("facility_operator", "operator1")
    headers = api_token(client, "operator1")
    before = _counts(run)
    r = _external(client, headers, id_number=NEW_ID, number="津保١٢٣٤٥٦٧")
    assert r.status_code == 422 and r.json()["field"] == "number"
    assert "证书（证明）编号只能使用数字 0–9" in r.json()["detail"]
    assert _counts(run) == before
    first = _external(client, headers, id_number=NEW_ID, number="津保１２３ ４５６７")
    assert first.status_code == 201, first.text
    again = _external(client, headers, id_number=NEW_ID, number="津保1234567")
    assert again.status_code == 409 and again.json()["field"] == "number"
    assert run(Credential.select(Credential.number)) == [{"number": "津保1234567"}]
    listed = client.get("/api/v1/certification/external/", headers=headers,
                        params={"q": "津保１２３４５６７"}).json()
    assert [i["number"] for i in listed] == ["津保1234567"]
