"""The 人社局's reminders page lists what every facility's operator sees, district-wide, each
item naming its facility; an operator still sees only their own facilities."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

from tests.conftest import api_token, login

ROW = re.compile(r'<tr data-facility="(\d+)">(.*?)</tr>', re.S)
CELL = re.compile(r"<td[^>]*>(.*?)</td>", re.S)


def rows(html: str) -> set[tuple[str, ...]]:
    """Each reminder row's facility id and visible cells."""
    out = set()
    for facility, body in ROW.findall(html):
        cells = [unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in CELL.findall(body)]
        out.add((facility, *cells))
    return out


def share_person(run, person_id: int, facility_id: int, start) -> None:
    """A second, active staff link of the person, at another facility."""
    from datetime import UTC, datetime

    from employers.tables import StaffLink

    now = datetime.now(UTC)
    run(StaffLink(facility=facility_id, person=person_id, positions=["caregiver"],
                  employment="full_time", employment_form="full_time", started_on=start,
                  status="active", created_at=now, updated_at=now).save())


def test_officer_sees_every_operators_reminders_naming_the_facility(
        client, run, make_user, make_credential, labour_world) -> None:
    from core.clock import today

    day = today()
    first = labour_world(start=day - timedelta(days=200), operator="op_rem1", street="芦台街道")
    second = labour_world(start=day - timedelta(days=200), operator="op_rem2", street="丰台镇")
    quiet = labour_world(start=day - timedelta(days=200), operator="op_rem3")  # nothing due
    make_credential(first.person_id, "SECURITY_LICENSE", issued_on=day - timedelta(days=300),
                    expires_on=day + timedelta(days=20))
    make_credential(second.person_id, "HEALTH_CERT", issued_on=day - timedelta(days=330),
                    outcome="pass", source="recorded")
    headers = api_token(client, second.operator)
    r = client.post(f"/api/v1/labour/staff/{second.link_id}/contracts", headers=headers, json={
        "type": "fixed", "signed_on": (day - timedelta(days=200)).isoformat(),
        "start": (day - timedelta(days=200)).isoformat(),
        "end": (day + timedelta(days=45)).isoformat()})
    assert r.status_code == 201, r.text

    share_person(run, first.person_id, second.facility_id, day - timedelta(days=100))

    seen: dict[str, set[tuple[str, ...]]] = {}
    for world in (first, second, quiet):
        login(client, world.operator)
        page = client.get("/labour/reminders")
        assert page.status_code == 200
        seen[world.operator] = rows(page.text)
        assert {r[0] for r in seen[world.operator]} <= {str(world.facility_id)}
    # the person on both staffs: their licence is due for both facilities
    assert len(seen["op_rem1"]) == 1 and len(seen["op_rem2"]) == 3 and not seen["op_rem3"]

    make_user("hrss_officer", "hrss_rem")
    login(client, "hrss_rem")
    page = client.get("/labour/reminders")
    assert page.status_code == 200 and "全区到期提醒" in page.text
    district = rows(page.text)
    assert district == seen["op_rem1"] | seen["op_rem2"]
    from employers.tables import Facility

    named = {str(r["id"]): r["name"] for r in run(Facility.select(Facility.id, Facility.name))}
    for row in district:  # (facility id, 期限, 类别, 托育机构, 人员, 事项, 到期日, 剩余天数)
        assert row[3] == named[row[0]]
    assert f'href="/labour/facilities/{first.facility_id}"' in page.text
    assert first.name in page.text and second.name in page.text
    assert "共 4 条" in page.text
    home = client.get("/")
    assert 'href="/labour/reminders"' in home.text
    findings = client.get("/labour/findings")
    assert 'href="/labour/reminders"' in findings.text


def test_api_answers_the_same_reminders(client, run, make_user, make_credential,
                                        labour_world) -> None:
    from core.clock import today

    day = today()
    first = labour_world(start=day - timedelta(days=200), operator="op_api1")
    second = labour_world(start=day - timedelta(days=200), operator="op_api2")
    share_person(run, first.person_id, second.facility_id, day - timedelta(days=100))
    make_credential(first.person_id, "SECURITY_LICENSE", issued_on=day - timedelta(days=300),
                    expires_on=day + timedelta(days=20))
    make_credential(second.person_id, "HEALTH_CERT", issued_on=day - timedelta(days=330),
                    outcome="pass", source="recorded")

    def answered(username: str) -> list[tuple]:
        r = client.get("/api/v1/labour/reminders", headers=api_token(client, username))
        assert r.status_code == 200, r.text
        return sorted((i["facility_id"], i["kind"], i["person_name"], i["due_on"])
                      for i in r.json())

    one, two = answered("op_api1"), answered("op_api2")
    assert one == [(first.facility_id, "credential", first.name,
                    (day + timedelta(days=20)).isoformat())]
    assert {(f, k, p) for f, k, p, _ in two} == {
        (second.facility_id, "credential", first.name),
        (second.facility_id, "health_check", second.name)}
    make_user("hrss_officer", "hrss_api")
    assert answered("hrss_api") == sorted(one + two)
    from employers.tables import Facility

    named = {r["id"]: r["name"] for r in run(Facility.select(Facility.id, Facility.name))}
    r = client.get("/api/v1/labour/reminders", headers=api_token(client, "hrss_api"))
    assert all(i["facility_name"] == named[i["facility_id"]] for i in r.json())
    make_user("edu_officer", "edu_api")
    assert client.get("/api/v1/labour/reminders",
                      headers=api_token(client, "edu_api")).status_code == 403
