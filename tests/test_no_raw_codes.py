"""No page shows a raw code: every role (and a visitor) follows every same-site link from the
home page over the demo data, and no visible text carries a code that users should read as
Chinese words.

The codes are not a hand-made list: every code of every kind of the label table
(core.labels, the kernel's and each domain's), the catalogue's qualification codes, the
staffing rule codes and every audit event name (labelled or written by the demo) are looked
for. A code counts only as a whole token (``valid`` in ``invalidated`` or ``OpenAPI`` does
not), case-sensitively; visible text is what a browser shows: tags, attributes, scripts and
styles stripped.
"""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

from tests.conftest import login

MAX_PAGES_PER_ROLE = 300
DEMO_PASSWORD = "Demo2026pass"
ROLES = (None, "trainee", "provider", "hrss", "edu", "health", "operator", "admin")
# Downloads and actions are not pages: files are checked by their own tests.
SKIPPED = re.compile(r"^/(logout|static/|schema)|\.(pdf|json|csv|xlsx|png|jpe?g|zip|txt|xml)$"
                     r"|/(download|export|scan|file|files|photo|documents?)(/|$)")
TOKEN = re.compile(r"(?<![A-Za-z0-9_.])[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*(?![A-Za-z0-9_])")

# Places where the code IS what the reader needs, as (path pattern, code): the user lists and
# the audit log show usernames, what people type to sign in, and the demo accounts are named
# like roles and positions (admin, trainee, health, provider).
USERNAME_PAGES = r"^/(admin/users|audit)"
EXEMPT: tuple[tuple[str, str], ...] = tuple(
    (USERNAME_PAGES, name) for name in ("admin", "trainee", "health", "provider", "hrss", "edu",
                                        "operator"))
# Kinds whose keys are field names of an audit summary (shown labelled), not codes of values.
NOT_CODES = {"audit_field", "audit_part"}
# A link shown to be copied or shared is the content itself (``…/verify/N?code=…``).
URL = re.compile(r"https?://\S+")

INVISIBLE = {"script", "style", "template", "noscript", "head"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


class _Page(HTMLParser):
    """Visible text (with ``<title>``) and same-site hrefs of one page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.links: list[str] = []
        self._hidden: list[str] = []
        self._title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._title = True
        if tag in INVISIBLE and tag != "head" and tag not in VOID:
            self._hidden.append(tag)
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._title = False
        if self._hidden and self._hidden[-1] == tag:
            self._hidden.pop()

    def handle_data(self, data: str) -> None:
        if self._title or not self._hidden:
            self.text.append(data)


def _codes(run: Any) -> dict[str, str]:
    """Every code users must not read → where it comes from."""
    from core import labels
    from core.tables import AuditLog, Qualification
    from employers.compliance.engine import RULE_CODES

    codes: dict[str, str] = {}
    for kind, entries in labels.table().items():
        if kind in NOT_CODES:
            continue
        for code in entries:
            codes.setdefault(code, f"label table: {kind}")
    for row in run(Qualification.select(Qualification.code)):
        codes.setdefault(row["code"], "catalogue")
    for code in RULE_CODES:
        codes.setdefault(code, "compliance rule")
    for row in run(AuditLog.select(AuditLog.action).distinct()):
        codes.setdefault(row["action"], "audit event")
    return codes


def _crawl(client: Any, codes: dict[str, str], who: str) -> tuple[list[str], int]:
    found: list[str] = []
    seen = {"/"}
    queue = deque(["/"])
    visited = 0
    while queue and visited < MAX_PAGES_PER_ROLE:
        path = queue.popleft()
        response = client.get(path, follow_redirects=True)
        visited += 1
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        parser = _Page()
        parser.feed(response.text)
        text = " ".join(parser.text)
        text = URL.sub(" ", re.sub(r"\s+", " ", text))
        for match in TOKEN.finditer(text):
            token = match.group(0)
            if token in codes and not any(re.search(p, path) and token == c for p, c in EXEMPT):
                around = text[max(0, match.start() - 20):match.end() + 20]
                found.append(f"{who} {path}: {token} ({codes[token]}) «{around}»")
                break  # one report per page is enough to find the template
        for href in parser.links:
            url, _ = urldefrag(urljoin("http://testserver.local" + path, href))
            parts = urlsplit(url)
            if parts.netloc != "testserver.local" or SKIPPED.search(parts.path):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return found, visited


def test_no_page_shows_a_raw_code(client, run):
    from core import labels
    from core.demo import seed_demo

    assert run(seed_demo) is True
    run(labels.refresh_catalogue)
    codes = _codes(run)
    assert {"DIRECTOR", "CHILDCARE_WORKER", "filing.accept", "valid", "clear"} <= set(codes)
    found: list[str] = []
    for username in ROLES:
        client.cookies.clear()
        if username:
            assert login(client, username, DEMO_PASSWORD).status_code in (302, 303)
        role_found, visited = _crawl(client, codes, username or "anonymous")
        assert visited > 3, (username, visited)
        found += role_found
    assert not found, "raw codes on pages:\n" + "\n".join(found)


def test_the_token_rule_finds_whole_codes_only():
    parser = _Page()
    parser.feed('<p title="DIRECTOR">状态：valid；<b>filing.accept</b> OpenAPI invalidated</p>'
                '<script>var x = "CLASS_SIZE";</script>')
    tokens = set(TOKEN.findall(" ".join(parser.text)))
    assert {"valid", "filing.accept"} <= tokens
    assert not tokens & {"DIRECTOR", "CLASS_SIZE", "open", "Open", "filing", "accept"}


def test_the_staffing_form_names_rules_and_results_in_chinese(run):
    from core import labels
    from employers import pdf

    run(labels.refresh_catalogue)  # qualification names come from the migrated catalogue

    report = {"compliant": False, "as_of": "2026-11-30", "rules": [
        {"code": "DIRECTOR", "status": "fail", "message": "没有负责人", "subjects": []},
        {"code": "HEALTH_CHECK", "status": "pass", "message": "均在有效期内", "subjects": []}]}
    snapshot = {"as_of": "2026-11-30", "classes": [], "staff": [
        {"id": "s1", "name": "周慧", "positions": ["director"], "employment": "full_time",
         "health_check_on": None, "background_check": "clear",
         "credentials": [{"code": "CHILDCARE_WORKER", "level": 4, "number": "N1",
                          "status": "valid"}]}]}
    html = pdf._env.get_template("employers/pdf/staffing_form.html").render(
        facility={"name": "园", "uscc": "", "address": "", "street": "", "capacity": 1},
        snapshot=snapshot, report=report, explanation="", submitted_at="", labels=pdf.LABELS)
    parser = _Page()
    parser.feed(html)
    text = " ".join(parser.text)
    assert "机构负责人" in text and "工作人员健康检查" in text
    assert "未通过" in text and "通过" in text and "无记录" in text and "有效" in text
    assert not set(TOKEN.findall(text)) & {"DIRECTOR", "HEALTH_CHECK", "fail", "pass", "clear",
                                           "valid", "CHILDCARE_WORKER"}
    # the result column keeps its width: never one character per line
    assert "table-layout: fixed" in html and "white-space: nowrap" in html
