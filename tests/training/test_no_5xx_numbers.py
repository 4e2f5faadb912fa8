"""A course's fee and dates, by API and by page form,
refuse huge, non-finite, non-numeric and out-of-range values with 422 naming the field."""

from __future__ import annotations

import pytest

from tests.conftest import api_token, login, post_form
from training.tables import Course

BODY = {"kind": "skill", "title": "边界班", "qualification_code": "CHILDCARE_WORKER",
        "level": 4, "theory_hours_required": 40, "practical_hours_required": 20,
        "capacity": 30, "starts_on": "2030-03-01", "ends_on": "2030-04-01", "fee_fen": 120000}
FORM = {"title": "边界班", "qualification": "CHILDCARE_WORKER:4", "theory_hours_required": "10",
        "practical_hours_required": "5", "capacity": "20", "starts_on": "2030-01-01",
        "ends_on": "2030-02-01", "fee_yuan": "1500"}


@pytest.mark.parametrize(("field", "value", "form_field", "form_value"), [
    ("fee_fen", 2**63, "fee_yuan", "inf"),
    ("fee_fen", 10_000_000_001, "fee_yuan", "NaN"),
    ("fee_fen", "Infinity", "fee_yuan", "100000001"),
    ("fee_fen", "abc", "fee_yuan", "abc"),
    ("capacity", 2**64, "capacity", "99999999999999999999"),
    ("starts_on", "1899-12-31", "starts_on", "1899-12-31"),
    ("ends_on", "2100-01-01", "ends_on", "2100-01-01"),
])
def test_course_numbers_and_dates_out_of_range_are_422_naming_the_field(
        client, run, make_provider, field, value, form_field, form_value):
    world = make_provider()
    headers = api_token(client, world.staff)
    r = client.post("/api/v1/courses", json={**BODY, field: value}, headers=headers)
    assert r.status_code == 422, r.text
    assert field in r.text and r.json()["detail"]
    login(client, world.staff)
    r = post_form(client, "/training/provider/courses/new", {**FORM, form_field: form_value})
    assert r.status_code == 422, r.text[:300]
    assert f'id="{form_field}-error"' in r.text
    assert run(Course.count().where(Course.title == "边界班")) == 0
