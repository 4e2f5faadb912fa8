"""Certification's entries in the one label table (core.labels): review, reissue and job states
and the audit events it writes. Plugged by certification/domain.py as
``(LABELS, certification.labels.LABELS)``."""

from __future__ import annotations

from certification.services import reviews
from certification.services.lifecycle import REISSUE_KINDS

AUDIT_ACTIONS = {
    "certificate.photo": "更换证书照片",
    "certificate.reissue.lost": "遗失补发证书",
    "certificate.reissue.name_change": "更名换发证书",
    "certificate.reissue.review": "核查换发证书",
    "certificate_job.create": "生成证书文件",
    "certificate_review.queue": "列入证书核查",
    "certificate_review.confirm": "核查确认有效",
    "certificate_review.suspend": "核查暂停证书",
    "certificate_review.revoke": "核查撤销证书",
    "certificate_review.reissue": "核查换发证书",
    "signing_key.create": "生成签名密钥",
    "signing_key.retire": "停用签名密钥",
    "signing_key.seal": "封存签名密钥",
}

LABELS = {
    "review_kind": reviews.KINDS,
    "review_state": reviews.STATES,
    "review_action": reviews.ACTIONS,
    "reissue_kind": REISSUE_KINDS,
    "document_reason": {"issue": "颁发", "reissue": "补发换发", "photo": "更换照片"},
    "job_state": {"queued": "排队中", "running": "生成中", "done": "已完成", "failed": "有失败"},
    "audit_action": AUDIT_ACTIONS,
    "audit_entity": {"certificate_job": "证书生成任务", "signing_key": "签名密钥"},
    "audit_field": {"did": "签名标识", "packet_sha256": "文件摘要", "body_code": "机构代码",
                    "body_type": "机构类型", "site_serial": "站点序号",
                    "new_credential": "新证书编号", "issued": "已发证"},
}
