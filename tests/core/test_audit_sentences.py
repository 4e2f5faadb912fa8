"""The audit log says what changed in plain sentences an officer reads at a glance: a change
reads 状态由“有效”改为“已暂停”, a new record lists its fields, blank values and a note that
repeats the public reason are left out, codes and amounts in fen are written in words, and a
date stays on one line."""

from __future__ import annotations

import html
import re

from core import audit
from core.actor import Actor
from tests.conftest import login


def _summaries(page: str) -> list[str]:
    """The 变更摘要 cells of the log page, as text."""
    cells = re.findall(r'data-label="变更摘要">(.*?)</td>', page, re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells]


def test_the_log_page_reads_changes_as_sentences(client, run, make_user) -> None:
    make_user("hrss_officer", "hrss")
    officer = Actor(1, "hrss", "hrss_officer")
    run(
        audit.record,
        officer,
        "credential.suspended",
        "credential",
        5,
        before={"status": "valid"},
        after={
            "status": "suspended",
            "public_reason": "收到投诉，核查期间暂停",
            "internal_note": "",
        },
        note="收到投诉，核查期间暂停",
    )
    run(
        audit.record,
        officer,
        "course.create",
        "course",
        1,
        after={"title": "保育师四级培训班", "fee_fen": 180000, "subsidy_eligible": True},
    )
    run(
        audit.record,
        officer,
        "exam_session.open",
        "exam_session",
        2,
        before={"state": "draft", "return_reason": ""},
        after={"state": "open"},
    )
    run(audit.record, officer, "claim.code_sent", "identity_claim", 3, after={"to": "entered"})
    run(audit.record, officer, "course.open", "course", 4, after={"starts_on": "2026-09-01"})

    login(client, "hrss")
    page = client.get("/audit").text
    summaries = _summaries(page)
    assert "状态由“有效”改为“已暂停”；公开原因：“收到投诉，核查期间暂停”。" in summaries
    assert "名称：“保育师四级培训班”；费用：1,800.00 元；可享补贴：是。" in summaries
    assert "状态由“草稿”改为“报名中”。" in summaries  # the blank return reason is left out
    assert "发送至：本人填写的手机号。" in summaries
    assert "开始日期：2026-09-01。" in summaries
    assert '<span class="nowrap">2026-09-01</span>' in page  # a date never breaks in two
    assert not any(
        word in text
        for text in summaries
        for word in ("变更前", "变更后", "entered", "（分）", "内部备注")
    )
