"""Labour-rights entries in the one label table (core.labels): finding kinds, severities,
insurance, contract and case vocabularies, and the audit events it writes. Plugged by
employers/labour/domain.py as ``(LABELS, employers.labour.labels.LABELS)``."""

from __future__ import annotations

from employers.labour.records import (
    FINDING_LABELS,
    INSURANCE_LABELS,
    CaseKind,
    CaseStatus,
    ContractType,
    EmploymentForm,
)

SEVERITIES = {"violation": "违法", "warning": "需关注", "info": "提醒"}

AUDIT_ACTIONS = {
    "labour.record.save": "保存劳动用工信息",
    "labour.contract.create": "登记劳动合同",
    "labour.contract.update": "修改劳动合同",
    "labour.wage.create": "登记工资",
    "labour.wage.update": "修改工资记录",
    "labour.case.create": "登记劳动争议案件",
    "labour.case.update": "修改劳动争议案件",
    "labour.insurance.save": "保存社会保险登记",
    "labour.minimum_wage.save": "保存最低工资标准",
    "labour.demo.seed": "载入劳动保障演示数据",
}

LABELS = {
    "labour_finding": {str(k): v for k, v in FINDING_LABELS.items()},
    "labour_severity": SEVERITIES,
    "insurance": {str(k): v for k, v in INSURANCE_LABELS.items()},
    "case_kind": {str(k): k.label for k in CaseKind},
    "case_status": {str(k): k.label for k in CaseStatus},
    "contract_type": {str(k): k.label for k in ContractType},
    "employment_form": {str(k): k.label for k in EmploymentForm},
    "audit_action": AUDIT_ACTIONS,
    "audit_entity": {"labour": "劳动保障", "labour_record": "劳动用工信息",
                     "labour_contract": "劳动合同", "wage_entry": "工资记录",
                     "labour_case": "劳动争议案件", "insurance_registration": "社会保险登记",
                     "minimum_wage": "最低工资标准"},
}
