"""Revoke, suspend and approve-and-issue ask first, concretely (core.confirm): the question
names the certificate number and holder, or the session and how many certificates it issues;
a page form posted without ``confirm=1`` gets the question on a page of its own and changes
nothing; the API needs no such field."""

from __future__ import annotations

import html
import re

import pytest

from tests.conftest import api_token, login, post_form

SCORES = [("王芳", 85, 90), ("李娜", 59, 95), ("张伟", 60, 60)]


@pytest.fixture
def officer(make_user):
    make_user("hrss_officer", "officer_c")
    return "officer_c"


def _asked(text: str) -> str:
    found = re.search(r'<p class="confirm-question" id="confirm-question">(.*?)</p>', text, re.S)
    assert found, "no confirmation question on the page"
    return html.unescape(found.group(1))


def _data_confirm(text: str, label: str) -> str:
    button = re.search(r'<button[^>]*data-confirm="([^"]*)"[^>]*>' + re.escape(label), text)
    assert button, f"no confirming button {label}"
    return html.unescape(button.group(1))


def _status(run, cert) -> str:
    from core.tables import Credential

    return run(Credential.select(Credential.status).where(Credential.id == cert.id).first)[
        "status"]


def test_revoke_and_suspend_name_the_certificate_and_holder(client, run, make_person,
                                                            issue_skill, officer):
    cert = issue_skill(make_person("王芳").id)
    login(client, officer)
    page = client.get(f"/certification/certificates/{cert.id}")
    for action, label in (("suspend", "暂停证书"), ("revoke", "撤销证书")):
        question = _data_confirm(page.text, label)
        assert cert.number in question and "王芳" in question

        path = f"/certification/certificates/{cert.id}/{action}"
        reason = {f"{action}_public_reason": "投诉调查中", f"{action}_internal_note": "内部"}
        asked = post_form(client, path, reason)
        assert asked.status_code == 200 and _asked(asked.text) == question
        assert "投诉调查中" in asked.text and 'name="confirm" value="1"' in asked.text
        assert f'name="{action}_public_reason" value="投诉调查中"' in asked.text
        assert _status(run, cert) == "valid"  # nothing changed yet
    revoke_question = _data_confirm(page.text, "撤销证书")
    assert "不可恢复" in revoke_question

    # A refused form shows its errors first; it is not asked about.
    bad = post_form(client, f"/certification/certificates/{cert.id}/revoke",
                    {"revoke_public_reason": ""})
    assert bad.status_code == 422 and "请填写公开原因" in bad.text
    assert "confirm-question" not in bad.text

    done = post_form(client, f"/certification/certificates/{cert.id}/revoke",
                     {"revoke_public_reason": "考试舞弊", "confirm": "1"},
                     follow_redirects=True)
    assert "证书已撤销" in done.text and _status(run, cert) == "revoked"


def test_the_api_needs_no_confirmation(client, run, make_person, issue_skill, officer):
    cert = issue_skill(make_person("王芳").id)
    r = client.post(f"/api/v1/certification/certificates/{cert.id}/suspend",
                    headers=api_token(client, officer), json={"public_reason": "投诉调查中"})
    assert r.status_code == 200, r.text
    assert _status(run, cert) == "suspended"


def test_approve_names_the_session_and_the_certificates_to_issue(client, run, officer,
                                                                 submitted_session):
    from core.tables import Credential

    session_id = submitted_session(SCORES)
    login(client, officer)
    page = client.get(f"/certification/sessions/{session_id}")
    question = _data_confirm(page.text, "审核通过并发证")
    assert "保育师" in question and "宁河职业技能评价中心" in question
    assert "将为 2 名合格考生发放 2 本证书" in question and "不合格 1 人" in question

    asked = post_form(client, f"/certification/sessions/{session_id}/approve", {})
    assert asked.status_code == 200 and _asked(asked.text) == question
    assert run(Credential.count()) == 0

    done = post_form(client, f"/certification/sessions/{session_id}/approve", {"confirm": "1"},
                     follow_redirects=True)
    assert "向 2 名合格考生发证" in done.text and run(Credential.count()) == 2
    # Approved already: no question, the refusal.
    twice = post_form(client, f"/certification/sessions/{session_id}/approve", {})
    assert twice.status_code == 409 and "confirm-question" not in twice.text
