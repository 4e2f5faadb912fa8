"""Count axes use whole numbers: the tick choice (1, 2, 5 × 10^n steps, at most four), and the
axes the dashboards and the public statistics draw for small counts."""

from __future__ import annotations

import math
from datetime import timedelta
from xml.etree import ElementTree

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.reporting.charts import Series, axis_ticks, bar_chart, line_chart, whole_step
from tests.conftest import login

SVG = "{http://www.w3.org/2000/svg}"


def ticks_of(svg: str) -> list[str]:
    """The y-axis labels of one chart, bottom to top."""
    root = ElementTree.fromstring(svg)
    return [t.text or "" for t in root.iter(f"{SVG}text") if t.get("class") == "tick"]


def charts_of(html: str) -> dict[str, str]:
    """Every chart of a page by its title (aria-label)."""
    out = {}
    for part in html.split("<svg ")[1:]:
        svg = "<svg " + part.split("</svg>", 1)[0] + "</svg>"
        out[ElementTree.fromstring(svg).get("aria-label")] = svg
    return out


@pytest.mark.parametrize(("value", "ticks"), [
    (0, [0, 1]), (1, [0, 1]), (2, [0, 1, 2]), (3, [0, 1, 2, 3]), (4, [0, 1, 2, 3, 4]),
    (5, [0, 2, 4, 6]), (8, [0, 2, 4, 6, 8]), (9, [0, 5, 10]), (20, [0, 5, 10, 15, 20]),
    (21, [0, 10, 20, 30]), (41, [0, 20, 40, 60]), (230, [0, 100, 200, 300]),
])
def test_whole_ticks(value: int, ticks: list[int]) -> None:
    assert axis_ticks(value, whole=True) == ticks


def test_shares_keep_their_axis() -> None:
    assert axis_ticks(3, whole=False, top=100) == [0, 25, 50, 75, 100]
    assert axis_ticks(0.7, whole=False)[-1] == pytest.approx(0.8)
    assert axis_ticks(3, whole=True, top=10) == [0, 5, 10]  # quarters of 10 are not whole


@given(st.integers(min_value=0, max_value=10**12))
def test_count_ticks_are_round_whole_numbers_covering_the_maximum(value: int) -> None:
    ticks = axis_ticks(value, whole=True)
    step = ticks[1]
    assert all(isinstance(t, int) for t in ticks)
    assert ticks == [i * step for i in range(len(ticks))]
    assert 2 <= len(ticks) <= 5  # 1 to 4 intervals
    assert ticks[-1] >= value and (value == 0 or ticks[-2] < value)
    magnitude = 10 ** int(math.log10(step))
    assert step // magnitude in (1, 2, 5) and step % magnitude == 0
    assert step == whole_step(value)
    smaller = [s for s in (1, 2, 5, 10, 20, 50) if s < step]
    assert all(math.ceil(value / s) > 4 for s in smaller)  # the finest round step that fits


@given(st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=6))
def test_charts_of_counts_label_whole_ticks(values: list[int]) -> None:
    for svg in (bar_chart("人数", [str(i) for i in range(len(values))], [Series("人数", values)]),
                line_chart("人数", [str(i) for i in range(len(values))],
                           [Series("人数", values)])):
        labels = ticks_of(svg)
        assert labels and all(label.isdigit() for label in labels), labels
        assert int(labels[-1]) >= max(values)


def test_dashboards_draw_whole_count_axes(client, make_user, make_credential,
                                          labour_world) -> None:
    from core.clock import today

    world = labour_world(accepted=True)
    make_credential(world.person_id, "CHILDCARE_WORKER", level=5,
                    issued_on=today() - timedelta(days=3))
    make_user("health_reviewer", "health_axes")
    login(client, "health_axes")
    health = charts_of(client.get("/dashboards/health").text)
    assert ticks_of(health["机构数（按当前备案状态）"]) == ["0", "1"]
    assert ticks_of(health["已备案机构当前达标比例"]) == ["0%", "25%", "50%", "75%", "100%"]
    public = charts_of(client.get("/statistics").text)
    assert ticks_of(public["持证人数"]) == ["0", "1"]
    counts = ticks_of(public["已备案机构与托位"])  # 1 facility, 60 places
    assert counts == ["0", "20", "40", "60"]
    make_user("hrss_officer", "hrss_axes")
    login(client, "hrss_axes")
    hrss = charts_of(client.get("/dashboards/hrss").text)
    for title in ("每月颁发证书数", "可申领补贴证书数", "每月报名与结业"):
        if title in hrss:
            assert all(label.isdigit() for label in ticks_of(hrss[title])), title
    assert all(label.isdigit() for label in ticks_of(hrss["每月颁发证书数"]))
