"""Every irreversible step on a page asks first (data-confirm, static/js/app.js).

A static check over the templates: a button whose label is an irreversible action (revoke,
void, approve, return, suspend, re-issue, leave, file, refuse) must carry a confirmation, so a
new page cannot forget it.
"""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
IRREVERSIBLE = re.compile(
    r"撤销|作废|审核通过|退回|暂停|补发|离职|提交备案|予以备案|不予通过|不录取|提交人社局审核"
    r"|停用|重置密码")
BUTTON = re.compile(r"<button\b[^>]*>.*?</button>|forms\.submit\((?:[^()]|\([^()]*\))*\)", re.S)


def _unconfirmed(root: Path = TEMPLATES) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for match in BUTTON.finditer(text):
            button = match.group(0)
            label = re.sub(r"<[^>]+>|\{\{.*?\}\}", "", button) if button.startswith("<") \
                else button
            if IRREVERSIBLE.search(label) and "confirm" not in button:
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(root)}:{line}: {button[:80]}")
    return found


def test_every_irreversible_button_asks_first():
    assert _unconfirmed() == []


def test_the_check_sees_an_unconfirmed_button(tmp_path):
    (tmp_path / "x.html").write_text(
        '<button type="submit">撤销证书</button>{{ forms.submit("作废该次课", "danger") }}'
        '{{ forms.submit("退回", "danger", confirm="确定退回吗？") }}', encoding="utf-8")
    assert len(_unconfirmed(tmp_path)) == 2
