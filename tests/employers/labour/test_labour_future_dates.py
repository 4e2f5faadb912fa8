"""Labour records of past events cannot be dated after today, China date:
a contract's signing, a social-insurance registration, a complaint's filing. A contract's
start and end, and a wage's pay date (read as "not yet paid" while ahead), may lie ahead.
Through the API and the page; nothing written, nothing audited on a refusal."""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import api_token, login, post_form

TODAY = date(2026, 6, 1)


def _message(label: str) -> str:
    return f"{label}不能晚于今天（2026-06-01）：只能登记已经发生的事"


def _written(run):
    from core.tables import AuditLog
    from employers.labour.tables import InsuranceRegistration, LabourCase, LabourContract

    return tuple(run(t.count()) for t in (LabourContract, InsuranceRegistration, LabourCase,
                                          AuditLog))


CASES = [
    ("post", "contracts", {"type": "open_ended", "signed_on": "2026-06-02",
                           "start": "2026-07-01"}, "signed_on", "合同签订日期"),
    ("put", "insurance", {"kind": "pension", "registered_on": "2026-06-02"},
     "registered_on", "参保登记日期"),
    ("post", "cases", {"kind": "wage_arrears", "filed_on": "2027-01-01"},
     "filed_on", "案件受理日期"),
]


@pytest.mark.parametrize(("method", "path", "body", "field", "label"), CASES)
def test_future_dates_of_past_events_are_refused(client, run, clock, labour_world, method,
                                                 path, body, field, label):
    clock.set_today(TODAY)
    world = labour_world()
    headers = api_token(client, world.operator)
    before = _written(run)
    url = f"/api/v1/labour/staff/{world.link_id}/{path}"
    r = getattr(client, method)(url, headers=headers, json=body)
    assert r.status_code == 422, r.text
    assert r.json()["field"] == field and r.json()["detail"] == _message(label)
    assert _written(run) == before
    today = {**body, field: "2026-06-01"}
    assert getattr(client, method)(url, headers=headers, json=today).status_code in (200, 201)


def test_a_correction_cannot_move_a_signing_into_the_future(client, run, clock, labour_world):
    from employers.labour.tables import LabourContract

    clock.set_today(TODAY)
    world = labour_world()
    headers = api_token(client, world.operator)
    body = {"type": "open_ended", "signed_on": "2026-05-20", "start": "2026-09-01"}
    created = client.post(f"/api/v1/labour/staff/{world.link_id}/contracts", headers=headers,
                          json=body)
    assert created.status_code == 201, created.text  # a start ahead stays allowed
    r = client.put(f"/api/v1/labour/contracts/{created.json()['id']}", headers=headers,
                   json={**body, "signed_on": "2026-06-15"})
    assert r.status_code == 422 and r.json()["field"] == "signed_on"
    assert run(LabourContract.select(LabourContract.signed_on).first)["signed_on"] == date(
        2026, 5, 20)


def test_a_wage_pay_date_ahead_stays_allowed(client, clock, labour_world):
    clock.set_today(TODAY)
    world = labour_world()
    r = client.post(f"/api/v1/labour/staff/{world.link_id}/wages",
                    headers=api_token(client, world.operator),
                    json={"month": "2026-05", "gross_fen": 300000, "countable_fen": 280000,
                          "pay_date": "2026-06-10"})
    assert r.status_code == 201, r.text


def test_the_page_names_the_field(client, run, clock, labour_world):
    clock.set_today(TODAY)
    world = labour_world()
    login(client, world.operator)
    before = _written(run)
    r = post_form(client, f"/labour/staff/{world.link_id}/cases",
                  {"kind": "wage_arrears", "filed_on": "2027-01-01", "status": "open"})
    assert r.status_code == 422
    assert 'id="filed_on-error"' in r.text and _message("案件受理日期") in r.text
    assert _written(run) == before
