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
from urllib.parse import quote, urldefrag, urlencode, urljoin, urlsplit

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
# Internal ids next to a name (曹琳（s9）, 曹琳(s9)) or alone (#12): people are named, not numbered.
ID_MARK = re.compile(r"[（(]\s*s\d+\s*[）)]|(?<![&\w])#\d+")
# The audit log names each row's record by its number (证书 #31): the auditors' reference.
RECORD_NUMBER_PAGES = r"^/audit"
# Notes meant for developers: a command line, a module run or a request tool.
COMMAND = re.compile(r"python3?\s+-m\b|\bcore\.manage\b|\bcurl\s|\bpip\s+install\b|"
                     r"\.venv/bin/")

INVISIBLE = {"script", "style", "template", "noscript", "head"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


class _Page(HTMLParser):
    """Visible text (with ``<title>``) and same-site hrefs of one page; a GET form (a filter)
    adds one link per choice of each of its selects (``action?name=value``), so the crawl also
    reads the results of filtering by every status, kind or rule."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.links: list[str] = []
        self._hidden: list[str] = []
        self._title = False
        self._form: str | None = None  # the action of the GET form we are in
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._title = True
        if tag in INVISIBLE and tag != "head" and tag not in VOID:
            self._hidden.append(tag)
        a = dict(attrs)
        if tag == "a":
            href = a.get("href")
            if href:
                self.links.append(href)
        elif tag == "form" and (a.get("method") or "get").lower() == "get":
            self._form = a.get("action") or ""
        elif tag == "select" and self._form is not None:
            self._select = a.get("name")
        elif tag == "option" and self._form is not None and self._select and a.get("value"):
            self.links.append(f"{self._form}?{urlencode({self._select: a['value']})}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._title = False
        if tag == "form":
            self._form = None
        if tag == "select":
            self._select = None
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


def _crawl(client: Any, codes: dict[str, str], who: str,
           extra: tuple[str, ...] = ()) -> tuple[list[str], int]:
    found: list[str] = []
    seen = {"/", *extra}
    queue = deque(["/", *extra])
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
        for pattern, what in ((ID_MARK, "internal id"), (COMMAND, "developer note")):
            mark = pattern.search(text)
            if mark and re.search(RECORD_NUMBER_PAGES, path) and mark.group(0).startswith("#"):
                mark = pattern.search(re.sub(r"#\d+", " ", text))
            if mark:
                around = text[max(0, mark.start() - 20):mark.end() + 20]
                found.append(f"{who} {path}: {mark.group(0)} ({what}) «{around}»")
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
    from core.tables import Credential

    assert run(seed_demo) is True
    run(labels.refresh_catalogue)
    codes = _codes(run)
    assert {"DIRECTOR", "CHILDCARE_WORKER", "filing.accept", "valid", "clear"} <= set(codes)
    # what a QR code opens: the public verification result of every certificate, any status
    verified = tuple(f"/verify/{quote(r['number'])}?code={quote(r['verification_code'])}"
                     for r in run(Credential.select(Credential.number,
                                                    Credential.verification_code))
                     if r["number"] and r["verification_code"])
    assert verified
    found: list[str] = []
    for username in ROLES:
        client.cookies.clear()
        if username:
            assert login(client, username, DEMO_PASSWORD).status_code in (302, 303)
        role_found, visited = _crawl(client, codes, username or "anonymous",
                                     () if username else verified)
        assert visited > 3, (username, visited)
        found += role_found
    assert not found, "raw codes on pages:\n" + "\n".join(found)


def test_id_marks_and_command_lines_are_found():
    for text in ("保育人员 曹琳（s9）没有证书", "曹琳(s12)", "第 #12 号",
                 "运行 python -m employers.compliance", "python -m core.manage migrate",
                 "curl -H x"):
        assert ID_MARK.search(text) or COMMAND.search(text), text
    for text in ("曹琳（保育人员）", "S1 班", "第 12 号", "s1 班", "&#12;", "python 爱好者"):
        assert not (ID_MARK.search(text) or COMMAND.search(text)), text


def test_a_get_form_adds_a_link_per_choice():
    parser = _Page()
    parser.feed('<form method="get" action="/x"><select name="status"><option value="">全部'
                '</option><option value="revoked">已撤销</option></select></form>'
                '<form method="post" action="/y"><select name="s"><option value="a">A</option>'
                '</select></form>')
    assert parser.links == ["/x?status=revoked"]


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
        {"code": "CAREGIVER_QUALIFIED", "status": "fail", "subjects": ["s2", "s3"],
         "message": "保育人员 曹琳（s2）不符合要求：缺少育婴员；曹琳（s3）不符合要求：缺少育婴员"},
        {"code": "HEALTH_CHECK", "status": "pass", "message": "均在有效期内", "subjects": []}]}
    snapshot = {"as_of": "2026-11-30", "classes": [], "staff": [
        {"id": "s1", "name": "周慧", "positions": ["director"], "employment": "full_time",
         "health_check_on": None, "background_check": "clear",
         "credentials": [{"code": "CHILDCARE_WORKER", "level": 4, "number": "N1",
                          "status": "valid"}]},
        *({"id": sid, "name": "曹琳", "positions": [position], "employment": "full_time",
           "health_check_on": None, "background_check": "missing", "credentials": []}
          for sid, position in (("s2", "caregiver"), ("s3", "security")))]}
    html = pdf.staffing_form_html(
        {"name": "园", "uscc": "", "address": "", "street": "", "capacity": 1},
        snapshot, report, "", "")
    parser = _Page()
    parser.feed(html)
    text = " ".join(parser.text)
    assert "机构负责人" in text and "工作人员健康检查" in text
    assert "未通过" in text and "通过" in text and "无记录" in text and "有效" in text
    # namesakes told apart by position, never by the internal id
    assert "曹琳（保育人员）不符合要求" in text and "曹琳（保安人员）" in text, text
    assert not ID_MARK.search(text) and "missing" not in text
    assert not set(TOKEN.findall(text)) & {"DIRECTOR", "HEALTH_CHECK", "fail", "pass", "clear",
                                           "valid", "CHILDCARE_WORKER"}
    # the result column keeps its width: never one character per line
    assert "table-layout: fixed" in html and "white-space: nowrap" in html


def test_staff_are_named_for_people_and_the_engine_keeps_its_ids():
    from employers.compliance.snapshot import display_names, display_report, display_text

    staff = [{"id": "s1", "name": "曹琳", "positions": ["caregiver"]},
             {"id": "s2", "name": "曹琳", "positions": ["caregiver"]},
             {"id": "s3", "name": "曹琳", "positions": ["security"]},
             {"id": "s4", "name": "周慧", "positions": ["director"]}]
    names = display_names(staff)
    assert names == {"s1": "曹琳（保育人员，第1位）", "s2": "曹琳（保育人员，第2位）",
                     "s3": "曹琳（保安人员）", "s4": "周慧"}
    report = {"compliant": False, "rules": [{"code": "HEALTH_CHECK", "status": "fail",
                                             "subjects": ["s2", "s4"],
                                             "message": "曹琳（s2）、周慧（s4）没有健康检查记录"}]}
    shown = display_report(report, {"staff": staff})
    assert shown["rules"][0]["message"] == "曹琳（保育人员，第2位）、周慧没有健康检查记录"
    assert shown["rules"][0]["subjects"] == ["s2", "s4"]
    assert report["rules"][0]["message"] == "曹琳（s2）、周慧（s4）没有健康检查记录"
    # a stored report without its snapshot: the names stay, the ids go
    assert display_text("保育人员 王芳（s17）不符合要求") == "保育人员 王芳不符合要求"
