"""Employers' entries in the one label table (core.labels): the staffing rules' names and
results, facility, staff-link and filing vocabularies, and the audit events it writes. Plugged
by employers/domain.py as ``(LABELS, employers.labels.LABELS)``."""

from __future__ import annotations

from employers import facilities as vocab
from employers.services.calendar import KINDS as CALENDAR_KINDS

# The eight staffing rules (employers.compliance.engine.RULES), as 《托育机构人员配备情况表》
# and the pages name them.
COMPLIANCE_RULES = {
    "DIRECTOR": "机构负责人",
    "CLASS_SIZE": "班级规模",
    "CLASS_RATIO": "保育人员配比",
    "CAREGIVER_QUALIFIED": "保育人员资质",
    "HEALTH_STAFF": "卫生保健人员",
    "SECURITY": "保安人员",
    "HEALTH_CHECK": "工作人员健康检查",
    "BACKGROUND": "工作人员背景审查",
}

AUDIT_ACTIONS = {
    "facility.register": "登记托育机构",
    "facility.update": "修改托育机构",
    "facility.add_operator": "添加机构经办人",
    "class.create": "新建班级",
    "class.update": "修改班级人数",
    "class.close": "撤销班级",
    "class.assign": "分配保育人员",
    "class.unassign": "取消分配保育人员",
    "staff_link.create": "登记工作人员",
    "staff_link.update": "修改工作人员",
    "staff_link.end": "工作人员离职",
    "staff_link.consent": "本人同意关联",
    "staff_link.consent_refuse": "本人拒绝授权",
    "staff_link.consent_withdraw": "本人撤回授权",
    "staff_link.consent_request": "重新请求授权",
    "filing.submit": "提交备案",
    "filing.return": "退回备案",
    "filing.accept": "予以备案",
    "work_calendar.save": "保存工作日历",
    "work_calendar.delete": "删除工作日历",
    "credential_check.export": "下载批量核查结果",
}

LABELS = {
    "compliance_rule": COMPLIANCE_RULES,
    "rule_result": {"pass": "通过", "fail": "未通过"},
    "service_type": vocab.SERVICE_TYPES,
    "authority": vocab.AUTHORITIES,
    "class_type": vocab.CLASS_TYPES,
    "position": vocab.POSITIONS,
    "employment": vocab.EMPLOYMENT,
    "employment_form": vocab.EMPLOYMENT_FORMS,
    "link_status": vocab.LINK_STATUS,
    "consent": vocab.CONSENT,
    "filing_status": vocab.FILING_STATUS,
    "filing_state": vocab.FILING_STATES,
    "filing_event": vocab.FILING_EVENTS,
    "calendar_kind": CALENDAR_KINDS,
    "audit_action": AUDIT_ACTIONS,
    "audit_entity": {"facility": "托育机构", "facility_class": "班级", "filing": "备案",
                     "staff_link": "工作人员", "work_calendar": "工作日历",
                     "credential_check": "资质核查"},
    "audit_field": {
        "facility": "机构编号", "address": "地址", "street": "街道", "uscc": "统一社会信用代码",
        "capacity": "托位数", "children": "婴幼儿数", "compliant": "达标", "consent": "授权方式",
        "employment": "用工", "employment_form": "用工形式", "for_profit": "营利性",
        "from_class": "原班级", "is_kindergarten_with_toddler_class": "幼儿园开设托班",
        "management_years": "管理工作年限", "positions": "岗位", "receipt_number": "备案回执号",
        "registering_authority": "登记机关", "service_types": "服务类型",
        "staff_link": "工作人员编号", "staff_links": "工作人员数", "started_on": "入职日期",
        "accepted": "已接受",
    },
}
