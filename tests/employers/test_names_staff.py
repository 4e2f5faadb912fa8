"""Names are names at an operator's entry point: linking staff refuses a name with invisible
characters, digits or emoji (422 naming the field) and writes nothing."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.name_rules import MSG_DIGIT, MSG_INVISIBLE, MSG_SYMBOL
from core.tables import AuditLog, Person
from employers.tables import StaffLink
from tests.core.test_names import digits, emoji, invisible, with_inserted
from tests.employers.conftest import id_number, register


def _body(name: str) -> dict:
    return {"id_type": "居民身份证", "id_number": id_number(), "name": name,
            "education": "associate", "positions": ["caregiver"], "employment": "full_time",
            "started_on": "2026-01-05", "management_years": 0}


@pytest.mark.parametrize(("name", "message"), [
    ("\u200b", MSG_INVISIBLE), ("王\u202e芳", MSG_INVISIBLE), ("王芳\u200d", MSG_INVISIBLE),
    ("王芳🙂", MSG_SYMBOL), ("王芳2", MSG_DIGIT)])
def test_linking_staff_with_a_bad_name_is_refused_and_writes_nothing(
        client, run, operator, name, message):
    facility_id = register(client, operator)
    audits = run(AuditLog.count)
    r = client.post(f"/api/v1/facilities/{facility_id}/staff", json=_body(name), headers=operator)
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "name" and r.json()["detail"] == message
    assert run(Person.count) == 0 and run(StaffLink.count) == 0
    assert run(AuditLog.count) == audits


def test_linking_staff_with_a_minority_or_extension_b_name_works(client, run, operator):
    facility_id = register(client, operator)
    for name, stored in (("阿依古丽•买买提", "阿依古丽·买买提"), ("𠮷田花子", "𠮷田花子")):
        r = client.post(f"/api/v1/facilities/{facility_id}/staff", json=_body(name),
                        headers=operator)
        assert r.status_code == 201, r.text
        assert run(Person.count().where(Person.name == stored)) == 1


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.one_of(with_inserted(invisible), with_inserted(digits), with_inserted(emoji)))
def test_any_bad_character_is_refused_through_the_api(client, run, operator, name):
    """The property of tests/core/test_names.py, through the operator's API: every such name
    is 422 naming the field, and nothing is written (so the database stays empty between
    examples)."""
    facility_id = register(client, operator)
    r = client.post(f"/api/v1/facilities/{facility_id}/staff", json=_body(name), headers=operator)
    assert r.status_code == 422, (name, r.text)
    assert r.json()["field"] == "name"
    assert r.json()["detail"] in (MSG_INVISIBLE, MSG_DIGIT, MSG_SYMBOL)
    assert run(Person.count) == 0 and run(StaffLink.count) == 0
