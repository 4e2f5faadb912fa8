"""Charts read on a phone: drawn 400 units wide for a column of about 358 px (390 px less the
page's margins), every text of every chart on the public statistics is at least 10.5 px there;
a handful of category labels is written whole (in two lines when needed), never cut."""

from __future__ import annotations

from datetime import timedelta
from xml.etree import ElementTree

from core.clock import today
from core.reporting.charts import Series, bar_chart, text_width
from tests.dashboards.test_count_axes import SVG, charts_of

PHONE_COLUMN_PX = 358
SMALLEST_PX = 10.5


def _texts(svg: str) -> tuple[float, list[ElementTree.Element]]:
    root = ElementTree.fromstring(svg)
    return float(root.get("viewBox").split()[2]), list(root.iter(f"{SVG}text"))


def _label_lines(svg: str) -> list[str]:
    """The x labels of a chart, each as its lines joined by a space."""
    _, texts = _texts(svg)
    return [
        " ".join(t.text or "" for t in text.iter(f"{SVG}tspan"))
        for text in texts
        if list(text.iter(f"{SVG}tspan"))
    ]


def test_public_chart_text_is_readable_in_a_phone_column(
    client, make_person, make_credential
) -> None:
    for level, name in ((5, "甲"), (4, "乙"), (3, "丙")):
        person = make_person(name=f"张{name}")
        make_credential(
            person, "CHILDCARE_WORKER", level=level, issued_on=today() - timedelta(days=3)
        )
    charts = charts_of(client.get("/statistics").text)
    assert charts
    for title, svg in charts.items():
        width, texts = _texts(svg)
        for text in texts:
            shown = float(text.get("font-size")) * PHONE_COLUMN_PX / width
            assert shown >= SMALLEST_PX, (title, "".join(text.itertext()), shown)
    assert "保育师 四级/中级工" in _label_lines(charts["持证人数"])
    assert "…" not in charts["持证人数"]


def test_many_long_labels_are_slanted_cut_and_thinned_but_stay_in_the_chart() -> None:
    names = [f"宁河区第{i}实验幼儿园托班" for i in range(40)]
    svg = bar_chart("持证率", names, [Series("持证率", [50.0] * 40)], unit="%", max_value=100)
    _, texts = _texts(svg)
    slanted = [t for t in texts if (t.get("transform") or "").startswith("rotate")]
    assert 0 < len(slanted) < 40  # every n-th label, the table names them all
    assert all(len(t.text or "") <= 8 and (t.text or "").endswith("…") for t in slanted)
    first = slanted[0]
    # a label rotated by -40° reaches left about 0.77 of its length: still inside the chart
    assert float(first.get("x")) - 0.77 * text_width(first.text) >= 0
