"""Dates outside 1900-01-01 … 2099-12-31 are refused at every door a credential comes in by,
not only where the API's own models bound them: the multipart check upload and the
credential rules themselves."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from core.credentials import CredentialInput, check_input
from core.errors import ValidationError
from core.tables import Credential
from tests.employers.conftest import link, record_check, register


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31", "2100-01-01", "9999-12-31"])
def test_a_check_dated_outside_the_range_is_refused_and_not_written(
        client: Any, operator: dict, run: Any, day: str) -> None:
    facility = register(client, operator)
    person = link(client, operator, facility, "王芳", ["caregiver"])
    before = run(Credential.count())
    r = record_check(client, operator, person["id"], "HEALTH_CERT", "pass", checked_on=day)
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "checked_on" and "1900-01-01" in r.json()["detail"]
    assert run(Credential.count()) == before


@pytest.mark.parametrize(("field", "issued", "expires"), [
    ("issued_on", date(1, 1, 1), None),
    ("expires_on", date(2020, 1, 1), date(9999, 12, 31)),
])
def test_credential_rules_refuse_dates_outside_the_range(field: str, issued: date,
                                                         expires: date | None) -> None:
    data = CredentialInput(person_id=1, code="HEALTH_CERT", number="J1", issued_on=issued,
                           expires_on=expires, outcome="pass", source="recorded")
    with pytest.raises(ValidationError) as raised:
        check_input(data, date(2026, 11, 30))
    assert raised.value.field == field
