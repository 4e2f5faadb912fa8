"""Every labour page renders for the roles that use it (zh-CN, forms with CSRF)."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import api_token, login, post_form


def test_pages_render_for_operator_and_officer(client, make_user, labour_world) -> None:
    from core.clock import today

    world = labour_world(start=today() - timedelta(days=40))
    headers = api_token(client, world.operator)
    contract_id = client.post(f"/api/v1/labour/staff/{world.link_id}/contracts", headers=headers,
                              json={"type": "open_ended", "signed_on": "2025-01-01",
                                    "start": "2025-01-01"}).json()["id"]
    wage_id = client.post(f"/api/v1/labour/staff/{world.link_id}/wages", headers=headers,
                          json={"month": "2025-12", "gross_fen": 300000,
                                "countable_fen": 300000}).json()["id"]
    case_id = client.post(f"/api/v1/labour/staff/{world.link_id}/cases", headers=headers,
                          json={"kind": "other", "filed_on": "2025-12-01"}).json()["id"]
    login(client, world.operator)
    for path in ("/labour", f"/labour/facilities/{world.facility_id}/register",
                 f"/labour/staff/{world.link_id}", f"/labour/contracts/{contract_id}/edit",
                 f"/labour/wages/{wage_id}/edit", f"/labour/cases/{case_id}/edit",
                 "/labour/reminders", "/labour/minimum-wage"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert 'lang="zh-CN"' in response.text
    assert client.get("/labour/findings").status_code == 403
    assert client.get("/labour/nothing/1/edit").status_code == 404
    saved = post_form(client, f"/labour/cases/{case_id}/edit",
                      {"kind": "other", "filed_on": "2025-12-01", "status": "closed",
                       "resolution": "调解结案"}, follow_redirects=False)
    assert saved.status_code in (302, 303)

    make_user("hrss_officer", "hrss1")
    login(client, "hrss1")
    assert client.get("/labour", follow_redirects=False).status_code in (302, 303)
    page = client.get("/labour/minimum-wage")
    assert page.status_code == 200 and "2510.00" in page.text.replace(",", "")
    refused = post_form(client, f"/labour/wages/{wage_id}/edit",
                        {"month": "2025-12", "gross": "3000", "countable": "2000"})
    assert refused.status_code == 422 and 'id="reason-error"' in refused.text
    bad_rate = post_form(client, "/labour/minimum-wage",
                         {"effective_from": "2027-01-01", "monthly": "abc", "hourly": "27",
                          "source": "测试"})
    assert bad_rate.status_code == 422 and 'id="monthly-error"' in bad_rate.text
    home = client.get("/")
    assert "劳动保障问题" in home.text


def test_finding_dates_stand_apart_from_the_words_around_them(client, labour_world) -> None:
    """On a worker's page a date in a finding is set off by spaces like every other number
    (最迟应于 2026年1月5日（…）, 截至 … 仍未登记), never run into the words around it, and kept
    on one line."""
    import re

    from core.clock import today
    from employers.labour.periods import cn_date

    start = today() - timedelta(days=40)
    world = labour_world(start=start)
    login(client, world.operator)
    html = client.get(f"/labour/staff/{world.link_id}").text
    page = re.sub(r"<[^>]+>", "", html)
    deadline = cn_date(start + timedelta(days=30))
    assert f"养老保险最迟应于 {deadline}（用工之日起 30 日内）办理社会保险登记" in page
    assert f"截至 {cn_date(today())} 仍未登记" in page
    assert not re.search(r"[\u4e00-\u9fff]\d{4}年\d{1,2}月\d{1,2}日|\d日[\u4e00-\u9fff]", page)
    # and a date is never broken across two lines of a narrow column
    assert f'<span class="nowrap">{deadline}</span>' in html
