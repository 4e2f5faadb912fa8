"""Accepting a filing and ending a staff link ask first, concretely (core.confirm): the page's
question names the facility, the rules a failing filing failed and the person leaving; a page
form posted without ``confirm=1`` gets that question on a page of its own and changes nothing;
the API needs no such field."""

from __future__ import annotations

import html
import re

from core import clock
from tests.conftest import login, post_form
from tests.employers.conftest import FACILITY, documents


def _asked(text: str) -> str:
    """The question of a confirmation page (core.confirm.ask)."""
    found = re.search(r'<p class="confirm-question" id="confirm-question">(.*?)</p>', text, re.S)
    assert found, "no confirmation question on the page"
    return html.unescape(found.group(1))


def _data_confirm(text: str, label: str) -> str:
    button = re.search(r'<button[^>]*data-confirm="([^"]*)"[^>]*>' + re.escape(label), text)
    assert button, f"no confirming button {label}"
    return html.unescape(button.group(1))


def test_accepting_a_failing_filing_names_the_facility_and_the_failed_rules(
        client, operator, staffed, make_user):
    facility = staffed(children=9)  # two caregivers for nine infants: the ratio fails
    r = client.post(f"/api/v1/facilities/{facility['id']}/filings", headers=operator,
                    files=documents(), data={"explanation": "已在招聘保育人员"})
    assert r.status_code == 201, r.text
    filing_id = r.json()["id"]
    make_user("health_reviewer", "hrev_c")
    login(client, "hrev_c")

    page = client.get(f"/employers/filings/{filing_id}")
    question = _data_confirm(page.text, "予以备案")
    assert FACILITY["name"] in question and "保育人员配比" in question
    assert "核查未通过" in question and "CLASS_RATIO" not in question
    assert 'name="confirm" value="" data-confirm-field' in page.text

    asked = post_form(client, f"/employers/filings/{filing_id}/decision", {"decision": "accept"})
    assert asked.status_code == 200 and _asked(asked.text) == question
    assert 'name="confirm" value="1"' in asked.text
    assert 'name="decision" value="accept"' in asked.text
    assert "已予备案" not in client.get(f"/employers/filings/{filing_id}").text

    done = post_form(client, f"/employers/filings/{filing_id}/decision",
                     {"decision": "accept", "confirm": "1"}, follow_redirects=True)
    assert "已予备案，回执编号" in done.text


def test_a_compliant_filing_is_asked_without_failed_rules(client, operator, staffed, reviewer):
    facility = staffed()
    r = client.post(f"/api/v1/facilities/{facility['id']}/filings", headers=operator,
                    files=documents())
    filing_id = r.json()["id"]
    login(client, "rev1")
    question = _data_confirm(client.get(f"/employers/filings/{filing_id}").text, "予以备案")
    assert FACILITY["name"] in question and "未通过" not in question
    # The API is unchanged: no confirmation field.
    r = client.post(f"/api/v1/filings/{filing_id}/accept", headers=reviewer)
    assert r.status_code == 200, r.text


def test_ending_a_staff_link_names_the_person_and_facility(client, operator, staffed):
    facility = staffed()
    person = facility["people"]["s1"]
    login(client, "op1")
    page = client.get(f"/employers/facilities/{facility['id']}")
    question = _data_confirm(page.text.split(f'data-link="{person["id"]}"')[1], "办理离职")
    assert "王芳" in question and FACILITY["name"] in question

    path = f"/employers/facilities/{facility['id']}/staff/{person['id']}"
    today = clock.today().isoformat()
    asked = post_form(client, path, {"action": "end", "ended_on": today, "end_reason": "合同到期"})
    assert asked.status_code == 200 and _asked(asked.text) == question
    assert "合同到期" in asked.text and 'enctype="multipart/form-data"' in asked.text
    staff = client.get(f"/api/v1/facilities/{facility['id']}/staff", headers=operator).json()
    assert any(s["id"] == person["id"] for s in staff)  # still there

    done = post_form(client, path, {"action": "end", "ended_on": today, "end_reason": "合同到期",
                                     "confirm": "1"}, follow_redirects=True)
    assert "已办理离职" in done.text
    staff = client.get(f"/api/v1/facilities/{facility['id']}/staff", headers=operator).json()
    assert all(s["id"] != person["id"] for s in staff)


def test_a_refused_end_form_shows_its_errors_before_asking(client, operator, staffed):
    facility = staffed()
    person = facility["people"]["s1"]
    login(client, "op1")
    r = post_form(client, f"/employers/facilities/{facility['id']}/staff/{person['id']}",
                  {"action": "end", "ended_on": ""})
    assert r.status_code == 422 and "confirm-question" not in r.text
