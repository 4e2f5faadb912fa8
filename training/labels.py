"""Training's entries in the one label table (core.labels): its states and the audit events
it writes. Plugged by training/domain.py as ``(LABELS, training.labels.LABELS)``."""

from __future__ import annotations

from training import states as s

AUDIT_ACTIONS = {
    "provider.create": "登记培训机构",
    "provider.update": "修改培训机构",
    "provider.approve": "批准培训机构",
    "provider.suspend": "暂停培训机构",
    "course.create": "新建班次",
    "course.update": "修改班次",
    "course.open": "开放报名",
    "course.running": "开班",
    "course.finished": "班次结业",
    "course.cancelled": "取消班次",
    "enrolment.apply": "报名培训",
    "enrolment.accepted": "录取报名",
    "enrolment.rejected": "拒绝报名",
    "enrolment.waitlisted": "列入候补",
    "enrolment.withdraw": "退出培训",
    "enrolment.offer_from_waitlist": "候补递补",
    "enrolment.complete": "培训结业",
    "enrolment.reopen": "撤销结业",
    "class_session.record": "记录学时",
    "class_session.correct": "更正学时",
    "class_session.void": "作废学时记录",
    "exam_session.create": "新建考试场次",
    "exam_session.open": "开放考试报名",
    "exam_session.close": "截止考试报名",
    "exam_session.submit": "提交成绩审核",
    "exam_session.approve": "审核通过考试成绩",
    "exam_session.return": "退回考试成绩",
    "exam_registration.create": "报名考试",
    "exam_registration.confirm": "确认考试报名",
    "exam_registration.reject": "拒绝考试报名",
    "exam_registration.basis_replaced": "更换报名依据",
    "exam_registration.basis_withdrawn": "报名依据被撤销",
    "exam_results.upload": "上传考试成绩",
    "integrity.examine": "核查学时与成绩",
}

LABELS = {
    "exam_state": s.EXAM_STATE_LABELS,
    "provider_status": s.PROVIDER_STATUS_LABELS,
    "course_kind": s.COURSE_KIND_LABELS,
    "course_state": s.COURSE_STATE_LABELS,
    "enrolment_state": s.ENROL_STATE_LABELS,
    "registration_status": s.REG_STATUS_LABELS,
    "hours_kind": s.HOURS_KIND_LABELS,
    "hours_action": {"record": "录入", "correct": "更正", "void": "作废"},
    "audit_action": AUDIT_ACTIONS,
    "audit_entity": {"provider": "培训机构", "course": "班次", "enrolment": "报名",
                     "class_session": "学时记录", "exam_session": "考试场次",
                     "exam_registration": "考试报名"},
    "audit_field": {
        "course": "班次编号", "session": "场次编号", "title": "名称", "fee_fen": "费用（分）",
        "theory_hours": "理论学时", "practical_hours": "实操学时",
        "theory_hours_required": "理论学时要求", "practical_hours_required": "实操学时要求",
        "held_on": "上课日期", "time": "时间", "hours": "学时", "present": "出勤人数",
        "exam_on": "考试日期", "starts_on": "开始日期", "ends_on": "结束日期",
        "candidates": "考生", "absent": "缺考", "passed": "合格", "failed": "不合格",
        "missing": "缺少", "total": "合计", "sheet": "工作表", "place": "地点",
        "subsidy_eligible": "可享补贴", "is_assessment_body": "评价机构", "scopes": "范围",
        "return_reason": "退回原因",
    },
}
