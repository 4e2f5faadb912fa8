"""Filing numbers that are right: "已退回" counts facilities whose filing is returned now (not
ones resubmitted and accepted since), and "已备案但当前不达标" lists accepted facilities only,
on the reviewer's queue page, its API and the 卫健委 dashboard (page and export)."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook

from tests.conftest import login
from tests.employers.conftest import documents


def _name(run, facility_id: int, name: str) -> None:
    from employers.tables import Facility

    run(Facility.update({Facility.name: name}).where(Facility.id == facility_id))


def _submit(client, operator, facility_id: int, **extra) -> int:
    r = client.post(f"/api/v1/facilities/{facility_id}/filings", headers=operator,
                    files=documents(), data=extra or None)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def _overfill(client, operator, facility: dict) -> None:
    """Nine infants for two caregivers: the facility no longer complies."""
    r = client.put(f"/api/v1/classes/{facility['class_id']}", headers=operator,
                   json={"code": "A1", "type": "infant", "children": 9})
    assert r.status_code == 200, r.text


def _world(client, operator, reviewer, staffed, run) -> dict[str, int]:
    """甲: returned, resubmitted, accepted, then overfilled (accepted, non-compliant).
    乙: returned (now). 丙: submitted, then overfilled (under review, non-compliant)."""
    again, returned, pending = staffed(), staffed(), staffed()
    for facility, name in ((again, "甲托育园"), (returned, "乙托育园"), (pending, "丙托育园")):
        _name(run, facility["id"], name)
    for facility in (again, returned):
        filing = _submit(client, operator, facility["id"])
        r = client.post(f"/api/v1/filings/{filing}/return", headers=reviewer,
                        json={"reasons": "材料不全，请补充"})
        assert r.status_code == 200, r.text
    second = _submit(client, operator, again["id"])
    assert client.post(f"/api/v1/filings/{second}/accept", headers=reviewer).status_code == 200
    _submit(client, operator, pending["id"])
    _overfill(client, operator, again)
    _overfill(client, operator, pending)
    return {"again": again["id"], "returned": returned["id"], "pending": pending["id"]}


def test_alerts_list_accepted_facilities_only(client, operator, reviewer, staffed, run,
                                              make_user) -> None:
    ids = _world(client, operator, reviewer, staffed, run)
    pending = client.get(f"/api/v1/facilities/{ids['pending']}/compliance",
                         headers=operator).json()
    assert pending["compliant"] is False  # under review and failing: still not 已备案

    alerts = client.get("/api/v1/filings/alerts", headers=reviewer)
    assert alerts.status_code == 200
    assert [(a["facility_id"], a["filing_status"]) for a in alerts.json()] == [
        (ids["again"], "accepted")]
    assert alerts.json()[0]["reasons"]

    make_user("health_reviewer", "rev_page")
    login(client, "rev_page")
    queue = client.get("/employers/filings/")
    assert queue.status_code == 200
    section = queue.text.split('id="alerts"', 1)[1]
    assert "已备案但当前不达标的机构" in section
    assert re.findall(r'data-facility="(\d+)"', section) == [str(ids["again"])]
    assert "甲托育园" in section and "丙托育园" not in section


def test_health_dashboard_counts_facilities_by_current_filing_state(
        client, operator, reviewer, staffed, run, make_user) -> None:
    _world(client, operator, reviewer, staffed, run)
    make_user("health_reviewer", "health_dash")
    login(client, "health_dash")
    page = client.get("/dashboards/health")
    assert page.status_code == 200
    section = page.text.split('id="filings"', 1)[1].split("</section>", 1)[0]
    rows = dict(re.findall(r"<tr><td>([^<]+)</td><td class=\"num\">(\d+)</td></tr>", section))
    # filings made: 2 returned, 1 accepted, 1 submitted; facilities now: one of each
    assert rows == {"已提交待审核": "1", "已退回": "1", "已备案": "1"}
    assert "当前备案状态" in section and "尚未重新提交" in section
    assert 'data-figure="提交过备案的机构">3<' in page.text
    assert 'data-figure="已备案机构">1<' in page.text
    # the accepted facilities' listing: 甲 (accepted, failing now); 丙 is under review
    listing = page.text.split('id="facilities"', 1)[1].split("</section>", 1)[0]
    assert "甲托育园" in listing and "不达标" in listing
    assert "乙托育园" not in listing and "丙托育园" not in listing

    book = load_workbook(io.BytesIO(client.get("/dashboards/health.xlsx").content))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == ["当前备案状态", "机构数"]
    assert {r[0].value: r[1].value for r in sheet.iter_rows(min_row=2)} == {
        "已提交待审核": 1, "已退回": 1, "已备案": 1}


def test_the_returned_queue_lists_filings_returned_now(
        client, operator, reviewer, staffed, run) -> None:
    ids = _world(client, operator, reviewer, staffed, run)
    r = client.get("/api/v1/filings", headers=reviewer, params={"filing_state": "returned"})
    assert r.status_code == 200, r.text
    body = r.json()
    facilities = [row["facility_id"] for row in (body["items"] if isinstance(body, dict)
                                                  else body)]
    # 甲's first filing was returned, then resubmitted and accepted: history, not returned
    assert facilities == [ids["returned"]]
