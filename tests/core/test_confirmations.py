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


# The irreversible steps the server itself holds to an answered question (core.confirm): their
# forms carry the confirm field, and the question is built from the record (names, numbers,
# counts), not a fixed text.
HELD = {
    "certification/detail.html": ("暂停证书", "撤销证书"),
    "certification/session.html": ("审核通过并发证",),
    "employers/filing.html": ("予以备案",),
    "employers/facility.html": ("办理离职",),
}


def test_the_held_steps_carry_the_confirm_field_and_a_concrete_question():
    found = []
    for name, labels in HELD.items():
        forms = re.findall(r"<form\b.*?</form>", (TEMPLATES / name).read_text("utf-8"), re.S)
        for label in labels:
            [form] = [f for f in forms if f'forms.submit("{label}' in f]
            submit = re.search(r'forms\.submit\("' + label + r'[^)]*\)', form).group(0)
            if "forms.confirm_field()" not in form or 'confirm="' in submit:
                found.append(f"{name}: {label}")
    assert found == []
