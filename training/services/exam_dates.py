"""No results and no certificates before the exam.

While today (China date, ``core.clock.today()``) is before an exam session's exam date, the
session's results cannot be uploaded, submitted or approved, and no certificate can be issued
from them. Every path that records a result or vouches for one calls ``require_exam_held``:
the results upload (API, page, demo), the provider's submit and the 人社局 officer's approval
(``certification.services.approval``). On the exam day itself the exam is taken to have been
held: results may be recorded from that day on.
"""

from __future__ import annotations

from datetime import date

from core import clock
from core.errors import Conflict

# What each guarded action is called in the refusal ("考试日之前不能<action>").
UPLOAD = "上传成绩"
SUBMIT = "提交成绩审核"
APPROVE = "审核通过或发证"


def refusal(exam_on: date, on: date, action: str) -> str | None:
    """The Chinese refusal naming the exam date when ``on`` is before ``exam_on``, else None.

    Pure: the day is an argument. ``action`` is one of UPLOAD, SUBMIT, APPROVE (or any short
    verb phrase the message should name).
    """
    if on < exam_on:
        return f"考试日期为 {exam_on.isoformat()}，考试日之前不能{action}"
    return None


def check_exam_held(exam_on: date, on: date, action: str) -> None:
    """Raise ``Conflict`` (409, field ``exam_on``) when ``on`` is before ``exam_on``."""
    message = refusal(exam_on, on, action)
    if message is not None:
        raise Conflict(message, "exam_on")


def require_exam_held(exam_on: date, action: str) -> None:
    """``check_exam_held`` for today's China date (the one clock)."""
    check_exam_held(exam_on, clock.today(), action)
