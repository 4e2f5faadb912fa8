"""The one wording of 职业技能等级 (skill levels 1–5), for pages, PDFs, exports and the API.

《国家职业技能标准编制技术规程（2018 年版）》 names the five levels by number and by the
traditional title together: 五级/初级工, 四级/中级工,
三级/高级工, 二级/技师, 一级/高级技师. Every place that writes a level asks :func:`level_label`
(the catalogue stores the same words; certification's catalogue form refuses any other).
"""

from __future__ import annotations

LEVEL_LABELS: dict[int, str] = {
    5: "五级/初级工",
    4: "四级/中级工",
    3: "三级/高级工",
    2: "二级/技师",
    1: "一级/高级技师",
}


def level_label(level: object) -> str:
    """The standard wording of a level: ``5`` or ``"5"`` → ``"五级/初级工"``; None or "" → "".

    A value outside 1–5 (never stored: the catalogue and the certificate numbers allow 1–5 only)
    is written as given followed by 级, so nothing vanishes from a page."""
    if level is None or level == "":
        return ""
    try:
        number = int(str(level))
    except ValueError:
        return str(level)
    return LEVEL_LABELS.get(number, f"{level}级")


def level_choices() -> list[tuple[str, str]]:
    """(value, label) options for a level filter, lowest level first: ("5", "五级/初级工") …"""
    return [(str(level), text) for level, text in LEVEL_LABELS.items()]
