"""Audit-log date filters mean China days: filtering a day finds exactly the rows the log
shows on that day (times shown in Asia/Shanghai), through the API and the page."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core import audit
from core.actor import Actor
from core.clock import CHINA, to_china_date
from core.errors import ValidationError
from tests.conftest import api_token, login

# (UTC instant written, the China date and time the log shows)
WRITTEN = (
    (datetime(2026, 11, 29, 15, 59, 59, tzinfo=UTC), "2026-11-29 23:59"),
    (datetime(2026, 11, 29, 16, 0, tzinfo=UTC), "2026-11-30 00:00"),
    (datetime(2026, 11, 29, 17, 0, tzinfo=UTC), "2026-11-30 01:00"),
    (datetime(2026, 11, 30, 9, 30, tzinfo=UTC), "2026-11-30 17:30"),
    (datetime(2026, 11, 30, 15, 59, 59, tzinfo=UTC), "2026-11-30 23:59"),
    (datetime(2026, 11, 30, 16, 0, tzinfo=UTC), "2026-12-01 00:00"),
)


@pytest.fixture
def written(client, run, make_user, clock):
    for number, (instant, _) in enumerate(WRITTEN, start=1):
        clock.set_now(instant)
        run(audit.record, Actor(1, "boss", "admin"), "facility.create", "facility", number)
    clock.set_now(datetime(2026, 12, 1, 2, 0, tzinfo=UTC))
    make_user("hrss_officer", "auditor")
    return "auditor"


def _shown(day: str) -> list[str]:
    return [shown for _, shown in WRITTEN if shown.startswith(day)]


def test_api_filters_by_china_day(client, written) -> None:
    headers = api_token(client, written)

    def ids(**params: str) -> list[str]:
        r = client.get("/api/v1/audit", headers=headers,
                       params={"action": "facility.create", **params})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["total"] == len(body["items"])
        return sorted(item["entity_id"] for item in body["items"])

    assert ids(date_from="2026-11-30", date_to="2026-11-30") == ["2", "3", "4", "5"]
    assert ids(date_from="2026-11-29", date_to="2026-11-29") == ["1"]
    assert ids(date_from="2026-12-01", date_to="2026-12-01") == ["6"]
    assert ids(date_from="2026-11-30") == ["2", "3", "4", "5", "6"]
    assert ids(date_to="2026-11-30") == ["1", "2", "3", "4", "5"]
    # the instants answered are the ones written; their China date is the day filtered
    r = client.get("/api/v1/audit", headers=headers, params={
        "action": "facility.create", "date_from": "2026-11-30", "date_to": "2026-11-30"})
    for item in r.json()["items"]:
        assert to_china_date(datetime.fromisoformat(item["at"])) == date(2026, 11, 30)


def test_page_shows_exactly_the_rows_of_the_china_day_filtered(client, written) -> None:
    login(client, written)
    for day in ("2026-11-29", "2026-11-30", "2026-12-01"):
        page = client.get("/audit", params={"action": "facility.create",
                                             "date_from": day, "date_to": day})
        assert page.status_code == 200
        shown = re.findall(r'<td class="nowrap"[^>]*>(\d{4}-\d\d-\d\d \d\d:\d\d)</td>', page.text)
        assert sorted(shown) == sorted(_shown(day)), day
        assert f"共 {len(_shown(day))} 条记录" in page.text


def test_a_malformed_date_is_refused_by_field(client, written) -> None:
    headers = api_token(client, written)
    r = client.get("/api/v1/audit", headers=headers, params={"date_to": "2026-13-01"})
    assert r.status_code == 422 and r.json()["field"] == "date_to"


def test_filter_from_form_reads_texts_and_china_days() -> None:
    found = audit.filter_from_form({"actor": " boss ", "action": "", "date_from": "2026-11-30",
                                    "date_to": None})
    assert found == audit.AuditFilter(actor="boss", date_from=date(2026, 11, 30))
    assert audit.conditions(audit.AuditFilter()) == []
    assert len(audit.conditions(found)) == 2
    with pytest.raises(ValidationError):
        audit.filter_from_form({"date_from": "30/11/2026"})


def test_china_day_bounds_are_china_midnights_in_utc() -> None:
    start, end = audit.china_day_bounds(date(2026, 11, 30), date(2026, 11, 30))
    assert start == datetime(2026, 11, 29, 16, 0, tzinfo=UTC)
    assert end == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
    assert audit.china_day_bounds(None, None) == (None, None)


@given(st.datetimes(min_value=datetime(2000, 1, 1),  # noqa: DTZ001 (naive bounds)
                    max_value=datetime(2090, 1, 1),  # noqa: DTZ001
                    timezones=st.just(UTC)),
       st.integers(min_value=-2, max_value=2))
def test_an_instant_is_inside_the_bounds_of_its_china_day_only(instant: datetime,
                                                                shift: int) -> None:
    day = instant.astimezone(CHINA).date() + timedelta(days=shift)
    start, end = audit.china_day_bounds(day, day)
    assert (start <= instant < end) == (shift == 0)
