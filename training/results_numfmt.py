"""What an Excel number format shows for a number: the section that applies to the value, its
percentage and thousands scale, and the decimals shown. Pure; training.results_cells uses it so
a score reads as the cell shows it.

Sources: ECMA-376 Part 1 §18.8.30 (built-in formats) and §18.8.31 (format codes); Excel's help
"Review guidelines for customizing a number format" — up to four sections positive;negative;
zero;text, or conditions ``[>=1]``; a quoted string, a character after ``\\`` or ``!``, and the
character after ``_`` or ``*`` are literals, so a quoted or escaped ``%`` is no percentage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property, lru_cache
from typing import Literal

# §18.8.30, with the en-US currency signs; 14–22, 27–36, 45–47 and 50–81 are dates and times.
BUILTIN_FORMATS: dict[int, str] = {
    0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00",
    5: '"$"#,##0_);("$"#,##0)', 6: '"$"#,##0_);[Red]("$"#,##0)',
    7: '"$"#,##0.00_);("$"#,##0.00)', 8: '"$"#,##0.00_);[Red]("$"#,##0.00)',
    9: "0%", 10: "0.00%", 11: "0.00E+00", 12: "# ?/?", 13: "# ??/??",
    37: "#,##0 ;(#,##0)", 38: "#,##0 ;[Red](#,##0)", 39: "#,##0.00;(#,##0.00)",
    40: "#,##0.00;[Red](#,##0.00)",
    41: '_(* #,##0_);_(* \\(#,##0\\);_(* "-"_);_(@_)',
    42: '_("$"* #,##0_);_("$"* \\(#,##0\\);_("$"* "-"_);_(@_)',
    43: '_(* #,##0.00_);_(* \\(#,##0.00\\);_(* "-"??_);_(@_)',
    44: '_("$"* #,##0.00_);_("$"* \\(#,##0.00\\);_("$"* "-"??_);_(@_)',
    48: "##0.0E+0", 49: "@",
}
DATE_IDS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 82)])
_CONDITION = re.compile(r"^(<=|>=|<>|<|>|=)\s*(-?\d+(?:\.\d*)?)$")
_ELAPSED = re.compile(r"^[hms]+$", re.IGNORECASE)
_DATE_LETTERS = frozenset("yYmMdDhHsSeEgGbB/")  # dates, times, AM/PM, fractions, E+ scientific
_PLACEHOLDERS = frozenset("0#?")


def builtin_or_none(format_id: int) -> str | None:
    """The code of a built-in format id; a date id gives a date code; unknown ids None."""
    if format_id in DATE_IDS:
        return "yyyy-mm-dd"
    return BUILTIN_FORMATS.get(format_id)


@dataclass(frozen=True)
class Display:
    """How one section shows a number. ``kind``: ``general`` (as many digits as it holds),
    ``number`` (``decimals`` fixed), ``none`` (no digits: ``;;;``, ``"-"``) or ``other``
    (date, time, fraction, scientific, text: not read as a score). ``percent``: the number of
    ``%`` signs (each ×100); ``thousands``: scaling commas after the last digit (each ÷1000)."""

    kind: Literal["general", "number", "none", "other"]
    section: str
    percent: int = 0
    thousands: int = 0
    decimals: int = 0

    @cached_property
    def factor(self) -> Decimal:
        return Decimal(100) ** self.percent / Decimal(1000) ** self.thousands

    def shown(self, value: Decimal) -> Decimal:
        """The magnitude the cell shows for ``value`` (Excel rounds half away from zero);
        only for ``general`` and ``number``."""
        scaled = abs(value * self.factor)
        if self.kind == "general":
            return scaled
        return scaled.quantize(Decimal(1).scaleb(-self.decimals), rounding=ROUND_HALF_UP)


def split_sections(code: str) -> list[str]:
    """The ``;``-separated sections, ignoring ``;`` inside quotes, brackets or after ``\\``."""
    sections, start, i = [], 0, 0
    while i < len(code):
        ch = code[i]
        if ch == '"':
            end = code.find('"', i + 1)
            i = len(code) if end < 0 else end + 1
            continue
        if ch == "[":
            end = code.find("]", i + 1)
            i = len(code) if end < 0 else end + 1
            continue
        if ch in "\\!_*":
            i += 2
            continue
        if ch == ";":
            sections.append(code[start:i])
            start = i + 1
        i += 1
    sections.append(code[start:])
    return sections


def _scan(section: str) -> tuple[str, list[str]]:
    """The section's format characters with every literal removed, and its bracketed parts."""
    out: list[str] = []
    brackets: list[str] = []
    i = 0
    while i < len(section):
        ch = section[i]
        if ch == '"':
            end = section.find('"', i + 1)
            i = len(section) if end < 0 else end + 1
        elif ch in "\\!_*":
            i += 2
        elif ch == "[":
            end = section.find("]", i + 1)
            brackets.append(section[i + 1:] if end < 0 else section[i + 1:end])
            i = len(section) if end < 0 else end + 1
        else:
            out.append(ch)
            i += 1
    return "".join(out), brackets


def _condition(section: str) -> tuple[str, Decimal] | None:
    for part in _scan(section)[1]:
        match = _CONDITION.match(part.strip())
        if match:
            return match.group(1), Decimal(match.group(2))
    return None


def _holds(value: Decimal, condition: tuple[str, Decimal] | None) -> bool:
    if condition is None:
        return False
    op, bound = condition
    return {"<": value < bound, ">": value > bound, "=": value == bound, "<=": value <= bound,
            ">=": value >= bound, "<>": value != bound}[op]


Condition = tuple[str, Decimal] | None


def section_for(code: str, value: Decimal) -> str:
    """The section of ``code`` that shows the number ``value``: positive;negative;zero (one
    section serves all, two give positive-and-zero;negative), or by conditions — the first
    whose condition holds, else the third when both first sections carry one, else the second.
    A text section (``@``) never shows a number."""
    first, second, third, conditions = _layout(code)
    if conditions != (None, None):
        if _holds(value, conditions[0]):
            return first
        if _holds(value, conditions[1]):
            return second
        return third if None not in conditions else second
    if value > 0:
        return first
    return second if value < 0 else third


@lru_cache(maxsize=1024)  # format codes come from users: bounded
def _layout(code: str) -> tuple[str, str, str, tuple[Condition, Condition]]:
    """(positive, negative, zero sections, conditions of the first two) of a format code."""
    sections = split_sections(code)[:4]
    text_last = "@" in _scan(sections[-1])[0]
    if len(sections) == 1:
        first = second = third = "General" if text_last else sections[0]
    elif len(sections) == 2:
        first, second, third = ((sections[0],) * 3 if text_last
                                else (sections[0], sections[1], sections[0]))
    elif len(sections) == 3 and text_last:
        first, second, third = sections[0], sections[1], sections[0]
    else:
        first, second, third = sections[:3]
    return first, second, third, (_condition(first), _condition(second))


@lru_cache(maxsize=1024)  # format codes come from users: bounded
def display_of(section: str) -> Display:
    """How ``section`` (one section of a format code) shows a number."""
    bare, brackets = _scan(section)
    if any(_ELAPSED.match(part.strip()) for part in brackets):
        return Display("other", section)
    percent = bare.count("%")
    if "general" in bare.lower():
        return Display("general", section, percent=percent)
    if any(ch in _DATE_LETTERS for ch in bare) or "@" in bare:
        return Display("other", section)
    if not any(ch in _PLACEHOLDERS for ch in bare):
        return Display("none", section)
    last = max(i for i, ch in enumerate(bare) if ch in _PLACEHOLDERS)
    point = bare.find(".")
    scaling, j = 0, last + 1
    while j < len(bare) and bare[j] == ",":  # "0," and "0.0,": each comma divides by 1000
        scaling, j = scaling + 1, j + 1
    decimals = 0
    if 0 <= point < last:
        k = point - 1
        while k >= 0 and bare[k] == ",":  # "0,.0"
            scaling, k = scaling + 1, k - 1
        decimals = sum(ch in _PLACEHOLDERS for ch in bare[point + 1:])
    return Display("number", section, percent=percent, thousands=scaling, decimals=decimals)


def display_for(code: str | None, value: Decimal) -> Display:
    """How a cell with number format ``code`` shows ``value`` (None: an unknown format id)."""
    if code is None:
        return Display("other", "")
    return display_of(section_for(code, value))
