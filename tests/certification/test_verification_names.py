"""Public verification with a name that is not a name (invisible characters, bidi overrides,
emoji, digits, astral ideographs): the same "no match" as a wrong name, never a 5xx, nothing
written."""

from __future__ import annotations

import pytest

from core.tables import AuditLog, Person
from tests.conftest import post_form


@pytest.mark.parametrize("name", ["\u200b", "王\u200b芳", "王\u202e芳", "\u2066王芳\u2069",
                                  "王芳😀", "王芳3", "𠮷", "\ufeff", "王芳\u0007"])
def test_a_bad_name_is_no_match(client, run, make_person, issue_skill, name):
    cert = issue_skill(make_person("王芳").id)
    wrong = client.get(f"/api/v1/public/certificates/{cert.number}", params={"name": "李娜"})
    audits, people = run(AuditLog.count), run(Person.count)
    r = client.get(f"/api/v1/public/certificates/{cert.number}", params={"name": name})
    assert r.status_code == 404 and r.json() == wrong.json()
    page = post_form(client, "/verify", {"number": cert.number, "name": name})
    assert page.status_code == 404 and "未查到匹配的证书" in page.text
    assert run(AuditLog.count) == audits and run(Person.count) == people


def test_an_extension_b_name_is_matched(client, make_person, issue_skill):
    cert = issue_skill(make_person("𠮷田").id)
    r = client.get(f"/api/v1/public/certificates/{cert.number}", params={"name": "𠮷田"})
    assert r.status_code == 200 and r.json()["holder_name"] == "𠮷*"
