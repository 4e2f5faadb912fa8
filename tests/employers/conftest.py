"""Factories for the employers tests: operators, facilities, staff with consent and credentials."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from core.identity import id_check_char, uscc_check_char
from tests.conftest import api_token

PDF = b"%PDF-1.7\n1 0 obj\n<< >>\nendobj\ntrailer\n<< >>\n%%EOF\n"
FACILITY = {
    "name": "宁河区芦台街测试托育园", "for_profit": True,
    "registering_authority": "market_regulation", "address": "宁河区芦台街道光明路1号",
    "street": "芦台街道", "service_types": ["full_day", "half_day"], "capacity": 60,
    "is_kindergarten_with_toddler_class": False,
}
_serial = iter(range(1, 1_000_000))


def uscc(n: int | None = None) -> str:
    first17 = f"91120221MA{(n if n is not None else next(_serial)):07d}"
    return first17 + uscc_check_char(first17)


def id_number(n: int | None = None) -> str:
    n = n if n is not None else next(_serial)
    first17 = f"1202211990{1 + n // 28 % 12:02d}{1 + n % 28:02d}{n // 336 % 1000:03d}"
    return first17 + id_check_char(first17)


@pytest.fixture
def operator(client: Any, make_user: Callable[..., int]) -> dict[str, str]:
    make_user("facility_operator", "op1")
    return api_token(client, "op1")


@pytest.fixture
def reviewer(client: Any, make_user: Callable[..., int]) -> dict[str, str]:
    make_user("health_reviewer", "rev1")
    return api_token(client, "rev1")


def register(client: Any, headers: dict, **overrides: Any) -> int:
    body = {**FACILITY, "uscc": uscc(), **overrides}
    response = client.post("/api/v1/facilities", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def link(client: Any, headers: dict, facility_id: int, name: str, positions: list[str], *,
         employment: str = "full_time", education: str = "associate", years: int = 0,
         consent: bool = True, number: str | None = None, phone: str | None = None) -> dict:
    body = {"id_type": "居民身份证", "id_number": number or id_number(), "name": name,
            "education": education, "positions": positions, "employment": employment,
            "started_on": "2026-01-05", "management_years": years}
    if phone:  # the phone the employer knows; it corroborates a self-registration
        body["phone"] = phone
    response = client.post(f"/api/v1/facilities/{facility_id}/staff", json=body, headers=headers)
    assert response.status_code == 201, response.text
    link_id = response.json()["id"]
    if consent:
        r = client.post(f"/api/v1/staff-links/{link_id}/consent-form", headers=headers,
                        files={"consent_form": ("consent.pdf", PDF, "application/pdf")})
        assert r.status_code == 200, r.text
    staff = client.get(f"/api/v1/facilities/{facility_id}/staff", headers=headers).json()
    return next(s for s in staff if s["id"] == link_id)


def record_check(client: Any, headers: dict, link_id: int, code: str, outcome: str,
                 checked_on: str = "2026-03-01") -> Any:
    return client.post(f"/api/v1/staff-links/{link_id}/checks", headers=headers,
                       data={"code": code, "outcome": outcome, "checked_on": checked_on,
                             "issuer_name": "宁河区医院"},
                       files={"scan": ("scan.pdf", PDF, "application/pdf")})


def qualify(make_credential: Callable, person_id: int, codes: list[tuple[str, int | None]],
            issued_on: date = date(2025, 6, 1), expires_on: date | None = None) -> list[Any]:
    return [make_credential(person_id, code, level=level, issued_on=issued_on,
                            expires_on=expires_on) for code, level in codes]


@pytest.fixture
def staffed(client: Any, operator: dict, make_credential: Callable) -> Callable[..., dict]:
    """A facility with one infant class of 6 and a full, qualified staff (compliant)."""

    def build(children: int = 6) -> dict:
        fid = register(client, operator)
        r = client.post(f"/api/v1/facilities/{fid}/classes", headers=operator,
                        json={"code": "A1", "type": "infant", "children": children})
        assert r.status_code == 201, r.text
        class_id = r.json()["id"]
        people = {
            "d1": link(client, operator, fid, "赵敏", ["director"], education="bachelor", years=5),
            "s1": link(client, operator, fid, "王芳", ["caregiver"]),
            "s2": link(client, operator, fid, "李娜", ["caregiver"], education="secondary"),
            "h1": link(client, operator, fid, "孙丽", ["health"], employment="part_time",
                       education="secondary"),
            "g1": link(client, operator, fid, "周强", ["security"], education="secondary"),
        }
        qualify(make_credential, people["d1"]["person_id"], [("DIRECTOR_TRAINING", None)])
        qualify(make_credential, people["s1"]["person_id"],
                [("CAREGIVER_TRAINING", None), ("MENTAL_HEALTH_TRAINING", None)])
        qualify(make_credential, people["s2"]["person_id"],
                [("CHILDCARE_WORKER", 4), ("MENTAL_HEALTH_TRAINING", None)])
        qualify(make_credential, people["h1"]["person_id"], [("HEALTH_CARE_TRAINING", None)])
        qualify(make_credential, people["g1"]["person_id"], [("SECURITY_LICENSE", None)])
        for person in people.values():
            r = record_check(client, operator, person["id"], "HEALTH_CERT", "pass")
            assert r.status_code == 201, r.text
            assert record_check(client, operator, person["id"], "BACKGROUND_CHECK",
                                "clear").status_code == 201
        for key in ("s1", "s2"):
            r = client.post(f"/api/v1/classes/{class_id}/caregivers", headers=operator,
                            json={"staff_link_id": people[key]["id"]})
            assert r.status_code == 200, r.text
        return {"id": fid, "class_id": class_id, "people": people}

    return build


def documents() -> dict[str, tuple[str, bytes, str]]:
    return {kind: (f"{kind}.pdf", PDF, "application/pdf")
            for kind in ("licence", "premises", "health_evaluation", "fire_safety")}
