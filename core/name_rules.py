"""What a person's name may contain (pure rule, no I/O).

A name is letters, optionally joined by a middle dot, a space, a hyphen or an apostrophe:

- letters: any Unicode letter (categories L*), with combining marks (M*) after a letter, so
  CJK ideographs of every extension (Extension B and later are astral, e.g. 𠮷 U+20BB7) and
  accented Latin letters (é, ü, ñ, also typed as e + U+0301) pass. Code points not yet
  assigned in this Python's Unicode tables but lying in planes 2 and 3 (U+20000–U+3FFFF, which
  Unicode reserves for ideographs: Extensions H, I … arrive there) count as ideographs;
- the middle dot of minority and foreign names (GB/T 15834-2011 标点符号用法 §4.14 间隔号):
  ·, •, ．, ・, ‧, ∙, ⋅ and . are unified to U+00B7 ·, spaces around it removed;
- a space, hyphen (- ‐ ‑ －) or apostrophe (' ’ ＇) between letters (O'Brien, Jean-Pierre).

Refused, each with its own message naming the field (``姓名``):

- control, format and other invisible characters: categories Cc, Cf (bidirectional embeddings,
  overrides and isolates U+202A–U+202E, U+2066–U+2069, marks U+200E/U+200F, zero-width
  U+200B–U+200D, word joiner U+2060, BOM U+FEFF, tags), Zl, Zp, Co, Cs, Cn (outside planes
  2–3), plus the Default_Ignorable_Code_Point characters that are not Cf (Unicode
  DerivedCoreProperties.txt: variation selectors, U+034F, Hangul fillers, Khmer U+17B4/5,
  Mongolian free variation selectors) — Python's ``unicodedata`` does not expose that property;
- digits of any script and other number characters (categories N*: 3, ３, ٣, ②, Ⅻ, ½);
- emoji and other symbols or punctuation (categories S*, P* other than the separators above);
- a separator not between two letters (leading, trailing, doubled: "·张三", "A--B");
- more than 2 combining marks on one letter (counted after canonical decomposition, NFD):
  Vietnamese needs 2 (ệ = e + U+0323 + U+0302, ự = u + U+031B + U+0323), while a stack of
  dozens ("Zalgo" text) overflows the line and garbles certificate faces;
- Han ideographs mixed with Latin letters in one name ("王Mary"): a Chinese name is written in
  Chinese characters and a foreign name in Latin letters (as on the 外国人永久居留身份证, which
  prints both separately); a mixture is almost always two fields typed into one. Other
  scripts (Cyrillic, Hangul, kana …) are letters and accepted; kana with kanji is a normal
  Japanese name.

The rule is checked on what the user typed (so ™ or ① are refused before NFKC would turn them
into letters or digits), and the stored form is NFKC with separators unified.
"""

from __future__ import annotations

import re
import unicodedata

NAME_MAX_LENGTH = 50
NAME_DOTS = "·•．・‧∙⋅.･"  # after NFKC a full-width ． is "." and half-width ･ is ・
HYPHENS = "-‐‑－"
APOSTROPHES = "'’＇"
SEPARATORS = NAME_DOTS + HYPHENS + APOSTROPHES

MSG_EMPTY = "请填写姓名"
MSG_TOO_LONG = f"姓名过长（最多 {NAME_MAX_LENGTH} 个字符）"
MSG_INVISIBLE = "姓名含有不可见字符或控制字符"
MSG_DIGIT = "姓名不能包含数字"
MSG_SYMBOL = "姓名不能包含表情符号或其他符号"
MSG_SEPARATOR = "姓名中的间隔号、空格、连字符和撇号只能用在两个字之间"
MSG_MIXED = "姓名不能混用汉字和拉丁字母（外文姓名请只填拉丁字母，中文姓名请只填汉字）"
MAX_MARKS_PER_LETTER = 2  # Vietnamese: a vowel mark and a tone mark on one letter
MSG_TOO_MANY_MARKS = f"姓名中每个字母上最多只能有 {MAX_MARKS_PER_LETTER} 个附加符号（如声调符号）"

INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Cn"})
# Default_Ignorable_Code_Point characters outside category Cf (DerivedCoreProperties.txt).
IGNORABLE_NOT_CF = frozenset(
    {0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180B, 0x180C, 0x180D, 0x180F, 0x3164, 0xFFA0}
    | set(range(0xFE00, 0xFE10))
    | set(range(0xE0100, 0xE01F0))
)


def _unassigned_ideograph(ch: str) -> bool:
    return 0x20000 <= ord(ch) <= 0x3FFFF and unicodedata.category(ch) == "Cn"


def is_invisible(ch: str) -> bool:
    """Control, format, separator-line, private, surrogate, unassigned or ignorable."""
    if _unassigned_ideograph(ch):
        return False
    return unicodedata.category(ch) in INVISIBLE_CATEGORIES or ord(ch) in IGNORABLE_NOT_CF


def is_han(ch: str) -> bool:
    """A CJK ideograph (unified, any extension, or compatibility)."""
    return _unassigned_ideograph(ch) or unicodedata.name(ch, "").startswith(
        ("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH")
    )


def is_latin(ch: str) -> bool:
    return unicodedata.category(ch).startswith("L") and "LATIN" in unicodedata.name(ch, "")


def _is_letter(ch: str) -> bool:
    return unicodedata.category(ch).startswith("L") or _unassigned_ideograph(ch)


def _char_problem(ch: str) -> str | None:
    if is_invisible(ch):
        return MSG_INVISIBLE
    category = unicodedata.category(ch)
    if category.startswith("N"):
        return MSG_DIGIT
    if category == "Me":  # enclosing marks: keycaps (1️⃣), circles around letters
        return MSG_SYMBOL
    if category.startswith(("S", "P")) and ch not in SEPARATORS:
        return MSG_SYMBOL
    return None


def _clean(value: str) -> str:
    """NFKC, trimmed, separators unified (spaces around dots and hyphens removed)."""
    name = unicodedata.normalize("NFKC", value).strip()
    name = re.sub(f"\\s*[{re.escape(NAME_DOTS)}]\\s*", "·", name)
    name = re.sub(f"\\s*[{re.escape(HYPHENS)}]\\s*", "-", name)
    name = re.sub(f"[{re.escape(APOSTROPHES)}]", "'", name)
    return re.sub(r"\s+", " ", name)


# The common cases, known good without a per-character look-up: ideographs of the BMP blocks
# (URO U+4E00–U+9FFF and Extension A, every code point assigned) joined by the middle dot, and
# ASCII Latin words joined by one space, hyphen or apostrophe.
_PLAIN_HAN = re.compile(r"[\u3400-\u4DBF\u4E00-\u9FFF]+(?:·[\u3400-\u4DBF\u4E00-\u9FFF]+)*")
_PLAIN_LATIN = re.compile(r"[A-Za-z]+(?:[ '\-·][A-Za-z]+)*")


def name_problem(value: str | None) -> str | None:
    """The first reason ``value`` is not a person's name (a Chinese message), or None."""
    raw = (value or "").strip()
    if not raw:
        return MSG_EMPTY
    if len(raw) <= NAME_MAX_LENGTH and (_PLAIN_HAN.fullmatch(raw) or _PLAIN_LATIN.fullmatch(raw)):
        return None
    for ch in raw:
        if ch.isspace() and unicodedata.category(ch) not in INVISIBLE_CATEGORIES:
            continue
        problem = _char_problem(ch)
        if problem:
            return problem
    name = _clean(raw)
    if _most_marks_on_one_letter(name) > MAX_MARKS_PER_LETTER:
        return MSG_TOO_MANY_MARKS
    if len(name) > NAME_MAX_LENGTH:
        return MSG_TOO_LONG
    for i, ch in enumerate(name):
        if ch in " ·-'":
            before = name[i - 1] if i else ""
            after = name[i + 1] if i + 1 < len(name) else ""
            if not (before and after and (_is_letter(before) or _is_mark(before))
                    and _is_letter(after)):
                return MSG_SEPARATOR
        elif _is_mark(ch) and not (i and (_is_letter(name[i - 1]) or _is_mark(name[i - 1]))):
            return MSG_SYMBOL
    if any(is_han(ch) for ch in name) and any(is_latin(ch) for ch in name):
        return MSG_MIXED
    return None


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch) in ("Mn", "Mc")


# Scripts whose letters carry combining marks only as diacritics (accents, tones). In Brahmic
# and Southeast Asian scripts (Devanagari, Thai, Myanmar …) vowel signs and medials are marks
# of combining class 0 and a syllable has several (Burmese ကြိုး has 4): there only the
# stacking diacritics (class > 0) count.
_DIACRITIC_SCRIPTS = ("LATIN", "GREEK", "CYRILLIC", "CJK", "HIRAGANA", "KATAKANA", "HANGUL")


def _most_marks_on_one_letter(name: str) -> int:
    """The most combining marks on one letter in the canonical decomposition (NFD) of
    ``name``, so a precomposed letter (ệ) counts its own marks and cannot carry 2 more."""
    most = run = 0
    diacritic_base = False
    for ch in unicodedata.normalize("NFD", name):
        if not _is_mark(ch):
            run = 0
            diacritic_base = unicodedata.name(ch, "").startswith(_DIACRITIC_SCRIPTS)
        elif diacritic_base or unicodedata.combining(ch) > 0:
            run += 1
            most = max(most, run)
    return most


def clean_name(value: str | None) -> tuple[str, str | None]:
    """(stored form, problem): the NFKC, separator-unified name and why it is refused, if it is."""
    problem = name_problem(value)
    return (_clean((value or "").strip()), problem)
