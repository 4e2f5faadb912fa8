"""A staff member's health check is valid through the day before its anniversary, whatever the
screen: the consent credential check (API), the person's page and the operator's reminders. A
check on 29 Feb 2024 ends on 28 Feb 2025 like one on 1 Mar 2024 (docs/domain.md); a
background check has no validity."""

from __future__ import annotations

import re
from datetime import date

from tests.conftest import login, post_form
from tests.employers.conftest import id_number, link, record_check, register


def _checked(client, operator, fid: int, name: str, checked_on: str) -> dict:
    number = id_number()
    staff = link(client, operator, fid, name, ["caregiver"], number=number)
    for code, outcome in (("HEALTH_CERT", "pass"), ("BACKGROUND_CHECK", "clear")):
        response = record_check(client, operator, staff["id"], code, outcome, checked_on)
        assert response.status_code == 201, response.text
    return {**staff, "number": number, "name": name}


def _api_view(client, operator, staff: dict) -> dict[str, dict]:
    body = {"id_number": staff["number"], "name": staff["name"], "reason": "健康检查核验"}
    response = client.post("/api/v1/credential-checks", json=body, headers=operator)
    assert response.status_code == 200, response.text
    assert response.json()["basis"] == "consent"
    return {c["code"]: c for c in response.json()["credentials"]}


def test_feb_29_check_is_valid_through_feb_28_like_one_on_mar_1(client, operator, clock):
    fid = register(client, operator)
    leap = _checked(client, operator, fid, "赵敏", "2024-02-29")
    march = _checked(client, operator, fid, "王芳", "2024-03-01")

    clock.set_today(date(2025, 2, 28))
    for staff in (leap, march):
        view = _api_view(client, operator, staff)
        assert view["HEALTH_CERT"]["valid_through"] == "2025-02-28"
        assert view["HEALTH_CERT"]["counts_today"] is True
        assert view["BACKGROUND_CHECK"]["valid_through"] is None
        assert view["BACKGROUND_CHECK"]["expires_on"] is None
    login(client, "op1")
    page = client.get(f"/employers/facilities/{fid}/staff/{leap['id']}")
    assert page.status_code == 200
    assert "<td>2024-02-29</td><td>2025-02-28</td>" in page.text
    assert "<td>2024-02-29</td><td>无有效期</td>" in page.text
    checked = post_form(client, "/employers/checks/", {
        "id_type": "居民身份证", "id_number": leap["number"], "name": "赵敏", "reason": "核验"})
    assert checked.status_code == 200
    assert "健康合格证（年度健康检查）" in checked.text
    assert "有效期至 2025-02-28 · 今日有效" in checked.text
    # the page keeps each date on one line (<span class="nowrap">): read its text
    reminders = re.sub(r"<[^>]+>", "", client.get("/labour/reminders").text)
    assert "健康检查（2024-02-29 检查）有效期至 2025-02-28" in reminders
    assert "健康检查（2024-03-01 检查）有效期至 2025-02-28" in reminders

    clock.set_today(date(2025, 3, 1))  # the anniversary: both lapsed the same day
    for staff in (leap, march):
        view = _api_view(client, operator, staff)
        assert view["HEALTH_CERT"]["counts_today"] is False
        assert view["BACKGROUND_CHECK"]["counts_today"] is True
