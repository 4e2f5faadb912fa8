"""Each finding rule at its boundary, through the API (operators enter, the service computes).

Dates are fixed through `as_of` on the facility findings endpoint, so the boundaries do not
depend on the day the suite runs.
"""

from __future__ import annotations

from datetime import date

from tests.conftest import api_token


def _codes(client, headers, facility_id: int, as_of: date) -> list[str]:
    response = client.get(f"/api/v1/labour/facilities/{facility_id}/findings",
                          params={"as_of": as_of.isoformat()}, headers=headers)
    assert response.status_code == 200, response.text
    return [f["code"] for f in response.json()]


def _contract(client, headers, link_id: int, signed: str, start: str, end: str | None = None,
              probation_end: str | None = None, type_: str = "fixed") -> None:
    response = client.post(f"/api/v1/labour/staff/{link_id}/contracts", headers=headers, json={
        "type": type_, "signed_on": signed, "start": start, "end": end,
        "probation_end": probation_end})
    assert response.status_code == 201, response.text


def test_written_contract_deadline_is_the_corresponding_day_a_month_later(
        client, labour_world) -> None:
    world = labour_world(start=date(2026, 1, 31))
    headers = api_token(client, world.operator)
    # 2026-01-31 + one month = 2026-02-28 (no 31st): the last day to sign.
    assert "NO_WRITTEN_CONTRACT" not in _codes(client, headers, world.facility_id,
                                               date(2026, 2, 28))
    assert "NO_WRITTEN_CONTRACT" in _codes(client, headers, world.facility_id, date(2026, 3, 1))


def test_contract_signed_on_the_last_day_of_the_first_month_is_in_time(
        client, labour_world) -> None:
    world = labour_world(start=date(2026, 1, 15))
    headers = api_token(client, world.operator)
    _contract(client, headers, world.link_id, "2026-02-15", "2026-01-15", "2029-01-14")
    assert not {"NO_WRITTEN_CONTRACT", "CONTRACT_SIGNED_LATE"} & set(
        _codes(client, headers, world.facility_id, date(2026, 6, 1)))


def test_contract_signed_the_day_after_is_late(client, labour_world) -> None:
    world = labour_world(start=date(2026, 1, 15))
    headers = api_token(client, world.operator)
    _contract(client, headers, world.link_id, "2026-02-16", "2026-01-15", "2029-01-14")
    assert "CONTRACT_SIGNED_LATE" in _codes(client, headers, world.facility_id, date(2026, 6, 1))


def test_part_time_worker_without_written_contract_is_no_finding(client, labour_world) -> None:
    world = labour_world(start=date(2026, 1, 5), employment="part_time")
    headers = api_token(client, world.operator)
    response = client.put(f"/api/v1/labour/staff/{world.link_id}/record", headers=headers,
                          json={"form": "part_time"})
    assert response.status_code == 200, response.text
    codes = _codes(client, headers, world.facility_id, date(2026, 12, 1))
    assert "NO_WRITTEN_CONTRACT" not in codes and "DEEMED_OPEN_ENDED" not in codes


def test_dispatched_worker_needs_a_contract_with_the_agency(client, labour_world) -> None:
    world = labour_world(start=date(2026, 1, 5))
    headers = api_token(client, world.operator)
    response = client.put(f"/api/v1/labour/staff/{world.link_id}/record", headers=headers,
                          json={"form": "dispatched", "agency_name": "宁河人力派遣公司",
                                "agency_uscc": "91350100M000100Y43"})
    assert response.status_code == 200, response.text
    assert "NO_WRITTEN_CONTRACT" in _codes(client, headers, world.facility_id, date(2026, 3, 1))
    bad = client.put(f"/api/v1/labour/staff/{world.link_id}/record", headers=headers,
                     json={"form": "dispatched", "agency_name": "某公司",
                           "agency_uscc": "91350100M000100Y44"})
    assert bad.status_code == 422 and bad.json()["field"] == "agency_uscc"


def _insure(client, headers, link_id: int, day: str) -> None:
    for kind in ("pension", "medical", "unemployment", "injury", "maternity"):
        response = client.put(f"/api/v1/labour/staff/{link_id}/insurance", headers=headers,
                              json={"kind": kind, "registered_on": day})
        assert response.status_code == 200, response.text


def test_insurance_registered_on_day_30_is_in_time(client, labour_world) -> None:
    world = labour_world(start=date(2026, 1, 1))
    headers = api_token(client, world.operator)
    _insure(client, headers, world.link_id, "2026-01-31")  # start + 30 days
    codes = _codes(client, headers, world.facility_id, date(2026, 6, 1))
    assert "INSURANCE_REGISTERED_LATE" not in codes
    assert "INSURANCE_NOT_REGISTERED" not in codes


def test_insurance_registered_on_day_31_is_late(client, labour_world) -> None:
    world = labour_world(start=date(2026, 1, 1))
    headers = api_token(client, world.operator)
    _insure(client, headers, world.link_id, "2026-02-01")  # start + 31 days
    codes = _codes(client, headers, world.facility_id, date(2026, 6, 1))
    assert codes.count("INSURANCE_REGISTERED_LATE") == 5


def test_insurance_not_registered_shows_from_day_31(client, labour_world) -> None:
    world = labour_world(start=date(2026, 1, 1))
    headers = api_token(client, world.operator)
    assert "INSURANCE_NOT_REGISTERED" not in _codes(client, headers, world.facility_id,
                                                    date(2026, 1, 31))
    assert "INSURANCE_NOT_REGISTERED" in _codes(client, headers, world.facility_id,
                                                date(2026, 2, 1))


def _wage(client, headers, link_id: int, month: str, countable: int, hours: str | None = None,
          pay_date: str | None = None) -> None:
    response = client.post(f"/api/v1/labour/staff/{link_id}/wages", headers=headers, json={
        "month": month, "gross_fen": countable + 10000, "countable_fen": countable,
        "pay_date": pay_date, "hours": hours})
    assert response.status_code == 201, response.text


def test_wage_equal_to_the_minimum_passes_one_fen_less_does_not(client, labour_world) -> None:
    world = labour_world(start=date(2025, 10, 1))
    headers = api_token(client, world.operator)
    _wage(client, headers, world.link_id, "2025-11", 251000, pay_date="2025-12-10")
    assert "WAGE_BELOW_MINIMUM" not in _codes(client, headers, world.facility_id,
                                              date(2026, 1, 1))
    _wage(client, headers, world.link_id, "2025-12", 250999, pay_date="2026-01-10")
    response = client.get(f"/api/v1/labour/facilities/{world.facility_id}/findings",
                          params={"as_of": "2026-02-01"}, headers=headers)
    below = [f for f in response.json() if f["code"] == "WAGE_BELOW_MINIMUM"]
    assert len(below) == 1 and below[0]["amount_fen"] == 1
    assert "2025年12月" in below[0]["message"]


def test_partial_first_month_is_prorated(client, labour_world) -> None:
    world = labour_world(start=date(2025, 11, 16))  # 15 of 30 days employed in November
    headers = api_token(client, world.operator)
    _wage(client, headers, world.link_id, "2025-11", 125500)  # 2510 × 15 / 30 = 1255.00
    assert "WAGE_BELOW_MINIMUM" not in _codes(client, headers, world.facility_id,
                                              date(2026, 1, 1))


def test_part_time_hourly_minimum(client, labour_world) -> None:
    world = labour_world(start=date(2025, 10, 1), employment="part_time")
    headers = api_token(client, world.operator)
    client.put(f"/api/v1/labour/staff/{world.link_id}/record", headers=headers,
               json={"form": "part_time"})
    _wage(client, headers, world.link_id, "2025-11", 2660 * 40, hours="40", pay_date="2025-11-15")
    assert "WAGE_BELOW_MINIMUM" not in _codes(client, headers, world.facility_id,
                                              date(2025, 11, 20))
    _wage(client, headers, world.link_id, "2025-11", 2659 * 40, hours="40", pay_date="2025-11-30")
    assert "WAGE_BELOW_MINIMUM" in _codes(client, headers, world.facility_id, date(2025, 12, 1))


def test_probation_longer_than_the_contract_allows(client, labour_world) -> None:
    world = labour_world(start=date(2026, 1, 1))
    headers = api_token(client, world.operator)
    # A one-year contract allows at most 2 months: through 2026-02-28.
    _contract(client, headers, world.link_id, "2026-01-01", "2026-01-01", "2026-12-31",
              probation_end="2026-02-28")
    assert "PROBATION_TOO_LONG" not in _codes(client, headers, world.facility_id,
                                              date(2026, 3, 1))
    _contract(client, headers, world.link_id, "2026-01-01", "2026-01-01", "2026-12-31",
              probation_end="2026-03-01")
    assert "PROBATION_TOO_LONG" in _codes(client, headers, world.facility_id, date(2026, 3, 1))


def test_contract_ending_within_60_days_and_open_case(client, labour_world) -> None:
    world = labour_world(start=date(2025, 1, 1))
    headers = api_token(client, world.operator)
    _contract(client, headers, world.link_id, "2025-01-01", "2025-01-01", "2026-03-01")
    # The last day 2026-03-01 is 61 days after 2025-12-30 and 60 days after 2025-12-31.
    assert "CONTRACT_ENDING_SOON" not in _codes(client, headers, world.facility_id,
                                                date(2025, 12, 30))
    assert "CONTRACT_ENDING_SOON" in _codes(client, headers, world.facility_id,
                                            date(2025, 12, 31))
    response = client.post(f"/api/v1/labour/staff/{world.link_id}/cases", headers=headers,
                           json={"kind": "wage_arrears", "filed_on": "2025-06-01"})
    assert response.status_code == 201
    assert "OPEN_CASE" in _codes(client, headers, world.facility_id, date(2025, 7, 1))
    closed = client.put(f"/api/v1/labour/cases/{response.json()['id']}", headers=headers,
                        json={"kind": "wage_arrears", "filed_on": "2025-06-01",
                              "status": "closed"})
    assert closed.status_code == 422 and closed.json()["field"] == "resolution"
    closed = client.put(f"/api/v1/labour/cases/{response.json()['id']}", headers=headers,
                        json={"kind": "wage_arrears", "filed_on": "2025-06-01",
                              "status": "closed", "resolution": "已补发工资"})
    assert closed.status_code == 200
    assert "OPEN_CASE" not in _codes(client, headers, world.facility_id, date(2025, 7, 1))
