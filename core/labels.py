"""The one label table: every code users could meet (statuses, states, rule codes, event names,
roles, outcomes, qualification codes) with the Chinese words they read instead.

Pages (the ``label`` Jinja filter and global, core.templating), PDFs and exports all ask
:func:`label`. The kernel's own kinds live here (``KERNEL_LABELS``); each domain contributes its
kinds through the ``LABELS`` hook (a ``(LABELS, <package>.labels.LABELS)`` pair in its
``domain.py`` plugs). A kind may be contributed by several domains (``audit_action``): the
entries are merged, the kernel's first, then in composition order. Qualification codes are not
written here: their label is the catalogue's name (the Qualification table), kept in a small
cache that :func:`refresh_catalogue` fills (before each request when older than a minute, and
by the catalogue's own writes).
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from core.credentials import OUTCOME_LABELS, STATUS_LABELS
from core.domain import Hook
from core.levels import level_label
from core.messages.tables import MessageState
from core.people import EDUCATION_LABELS
from core.roles import ROLE_LABELS

LABELS: Hook[Mapping[str, Mapping[str, str]]] = Hook("labels")

QUALIFICATION = "qualification"  # the kind whose labels come from the catalogue
CATALOGUE_TTL_SECONDS = 60.0

# Audit events the kernel writes (accounts, identity claims, people, credentials, tokens).
KERNEL_AUDIT_ACTIONS = {
    "user.create": "新建用户",
    "user.register": "学员注册",
    "user.disable": "停用用户",
    "user.enable": "启用用户",
    "user.role_change": "变更角色",
    "user.notice_email": "设置通知邮箱",
    "user.password_change": "修改密码",
    "user.password_set": "管理员重置密码",
    "user.password_reset_start": "申请找回密码",
    "user.password_reset_sms": "短信找回密码",
    "user.password_reset_complete": "完成找回密码",
    "token.issue": "签发接口令牌",
    "token.revoke": "吊销接口令牌",
    "claim.create": "提交身份核验",
    "claim.code_sent": "发送核验验证码",
    "claim.verified": "身份核验通过",
    "claim.rejected": "身份核验未通过",
    "claim.withdrawn": "撤回身份核验",
    "claim.superseded": "身份核验被取代",
    "claim.unbound": "解除身份绑定",
    "claim.corroborated": "机构登记印证身份",
    "claim.disputed": "机构登记与身份不符",
    "claim.document_uploaded": "上传身份证件",
    "claim.document_viewed": "查看身份证件",
    "claim.document_deleted": "删除身份证件",
    "person.create": "登记人员",
    "person.correct_name": "更正姓名",
    "person.link_id_number": "关联证件号码",
    "person.reminders": "设置到期提醒",
    "credential.create": "登记证书",
    "credential.valid": "恢复证书",
    "credential.suspended": "暂停证书",
    "credential.revoked": "撤销证书",
    "credential.expired": "证书过期",
    "credential.superseded": "证书被替代",
    "qualification.create": "新增证书类别",
    "condition_edition.create": "新增申报条件版本",
    "audit.export": "导出审计日志",
}

KERNEL_LABELS: dict[str, Mapping[str, str]] = {
    "credential_status": STATUS_LABELS,
    "role": {**{r.value: text for r, text in ROLE_LABELS.items()},
             "system": "系统", "anonymous": "访客"},
    # conclusions of a recorded check: health checks pass/fail, background checks clear/flagged
    "outcome": OUTCOME_LABELS,
    "education": EDUCATION_LABELS,
    "credential_source": {"issued": "本平台颁发", "recorded": "登记的外部证件"},
    "audit_action": KERNEL_AUDIT_ACTIONS,
    "claim_state": {"pending": "待核验", "verified": "已通过", "rejected": "未通过",
                    "withdrawn": "已撤回", "disputed": "机构登记后撤销", "unlinked": "未关联"},
    "message_state": {MessageState.PENDING: "待发送", MessageState.SENDING: "发送中",
                      MessageState.SENT: "已发送", MessageState.FAILED: "发送失败"},
    "message_channel": {"sms": "短信", "email": "邮件"},
    "message_kind": {"code": "验证码", "notice": "通知", "reminder": "提醒"},
    "qualification_kind": {"skill": "职业技能等级证书", "training": "培训合格证明",
                           "external": "外部证件"},
}

_catalogue: dict[str, str] = {}
_catalogue_at: float | None = None
_merged: tuple[object, dict[str, dict[str, str]]] | None = None


def table() -> dict[str, dict[str, str]]:
    """Every kind → {code: label}: the kernel's kinds, then each plugged domain's, merged per
    kind (a later domain adds codes to a kind, it never relabels one already there), and the
    catalogue's qualification names under ``qualification``. Without an installed composition
    only the kernel's kinds."""
    global _merged
    from core import wiring

    plugged = LABELS.all() if wiring.is_installed() else ()
    key = (id(wiring.current()) if wiring.is_installed() else None, len(plugged))
    if _merged is None or _merged[0] != key:
        merged: dict[str, dict[str, str]] = {}
        for contribution in (KERNEL_LABELS, *plugged):
            for kind, entries in contribution.items():
                into = merged.setdefault(kind, {})
                for code, text in entries.items():
                    into.setdefault(code, text)
        _merged = (key, merged)
    result = dict(_merged[1])
    result[QUALIFICATION] = dict(_catalogue)
    return result


def label(kind: str, code: object) -> str:
    """The Chinese label of ``code`` of ``kind`` (e.g. ``label("credential_status", "valid")``
    → 有效, ``label("compliance_rule", "DIRECTOR")`` → 负责人). None and "" give "". An unknown
    code of a known kind gives the code itself, so nothing vanishes from a page; the crawl test
    (tests/core/test_no_raw_codes.py) finds such leaks. KeyError for an unknown kind (a typo
    in a template must not pass silently)."""
    if code is None or code == "":
        return ""
    text = str(code)
    kinds = table()
    if kind not in kinds:
        raise KeyError(f"unknown label kind {kind!r}")
    return kinds[kind].get(text, text)


def labels_of(kind: str) -> dict[str, str]:
    """All ``{code: label}`` of one kind (select options, filters); KeyError when unknown."""
    kinds = table()
    if kind not in kinds:
        raise KeyError(f"unknown label kind {kind!r}")
    return dict(kinds[kind])


def qualification_name(code: str) -> str:
    """The catalogue's name of a qualification code (the code itself when not in the cache)."""
    return _catalogue.get(code, code)


async def refresh_catalogue(force: bool = True) -> None:
    """Read the qualification names from the catalogue (code → name) into the cache; with
    ``force=False`` only when the cache is older than CATALOGUE_TTL_SECONDS."""
    global _catalogue, _catalogue_at
    now = time.monotonic()
    if not force and _catalogue_at is not None and now - _catalogue_at < CATALOGUE_TTL_SECONDS:
        return
    from core.tables import Qualification

    rows = await Qualification.select(Qualification.code, Qualification.name)
    _catalogue = {r["code"]: r["name"] for r in rows}
    _catalogue_at = now



# What an audit row's summary keys mean (core.audit.record: before/after/note), for the audit
# log page. Domains add their own under the same kinds.
KERNEL_LABELS["audit_part"] = {"before": "变更前", "after": "变更后", "note": "说明"}
KERNEL_LABELS["audit_entity"] = {
    "user": "用户", "person": "人员", "credential": "证书", "identity_claim": "身份核验",
    "audit_log": "审计日志",
}
KERNEL_LABELS["audit_field"] = {
    "name": "姓名", "username": "用户名", "role": "角色", "status": "状态", "state": "状态",
    "code": "类别", "qualification_code": "证书类别", "number": "编号", "level": "等级",
    "id_type": "证件类型", "id_number": "证件号码", "phone": "手机号", "email": "邮箱",
    "issued_on": "发证日期", "expires_on": "有效期至", "source": "来源", "outcome": "结论",
    "person": "人员编号", "person_id": "人员编号", "user_id": "用户编号", "kind": "类型",
    "type": "类型", "how": "方式", "method": "方式", "to": "变为", "reason": "原因",
    "public_reason": "公开原因", "internal_note": "内部备注", "note": "说明",
    "education": "学历", "digest": "摘要值", "file": "文件",
    "filters": "筛选条件", "rows": "行数", "persons": "人数", "format": "格式",
}
# How an identity claim was proved and where its code went (identity_claim rows: method, how, to).
KERNEL_LABELS["identity_claim_way"] = {
    "new": "新登记人员", "sms": "短信验证码", "code": "短信验证码", "officer": "人社局人工核验",
    "none": "无", "entered": "本人填写的手机号", "on_file": "登记在册的手机号",
}
# A provider's scope entries (scopes: [{qualification_code, level, scope}]).
KERNEL_LABELS["provider_scope"] = {"train": "培训", "examine": "考核"}
KERNEL_LABELS["audit_field"] = {**KERNEL_LABELS["audit_field"], "scope": "范围类型"}
# A field that means something else on a given record: (entity, key) → name.
_ENTITY_FIELDS = {
    ("identity_claim", "to"): "发送至", ("identity_claim", "how"): "核验方式",
    ("identity_claim", "method"): "核验途径", ("facility_class", "code"): "班级代码",
    ("course", "absent"): "缺勤人数",
}
# Records whose ``name`` is an organisation's or a thing's, not a person's.
_NAMED_THINGS = ("provider", "facility", "course", "exam_session", "certificate_job",
                 "qualification")
_ENTRY_VALUES = {True: "是", False: "否", None: "—"}
# Words people wrote (reasons, notes, titles), quoted in a sentence: they may hold its commas.
_QUOTED = ("reason", "note", "title")
# Keys whose values are people's own words or numbers, never codes (a user named "health").
_FREE_TEXT = ("name", "number", "title", "reason", "note", "address", "place", "street", "file")


def _value_text(key: str, value: object, entity_type: str) -> str:
    if isinstance(value, bool) or value is None:
        return _ENTRY_VALUES[value]
    if isinstance(value, (list, tuple)):
        return "、".join(_value_text(key, v, entity_type) for v in value) or "—"
    if isinstance(value, Mapping):
        return "，".join(f"{label('audit_field', k)} {_value_text(k, v, entity_type)}"
                        for k, v in value.items())
    text = str(value)
    if key.endswith(_FREE_TEXT):
        return text
    if key.endswith("level") and text in {"1", "2", "3", "4", "5"}:
        return level_label(text)  # 4 → 四级/中级工, as everywhere else
    if text in _catalogue:
        return _catalogue[text]
    kinds = table()
    prefix = entity_type.split("_")[0]
    ordered = sorted(kinds.items(), key=lambda kv: not kv[0].startswith(prefix))
    for kind, entries in ordered:
        if kind.startswith("audit_") or kind == QUALIFICATION:
            continue
        if text in entries:
            return entries[text]
    return text


def _field_name(key: str, entity_type: str) -> str:
    if (entity_type, key) in _ENTITY_FIELDS:
        return _ENTITY_FIELDS[(entity_type, key)]
    if key == "name" and entity_type in _NAMED_THINGS:
        return "名称"
    name = label("audit_field", key)
    return name.removesuffix("（分）") if key.endswith("_fen") else name


def _shown(key: str, value: object, entity_type: str) -> str:
    """A value as a sentence carries it: amounts in fen as yuan, free text in quotes."""
    if key.endswith("_fen") and isinstance(value, int) and not isinstance(value, bool):
        return f"{value / 100:,.2f} 元"
    text = _value_text(key, value, entity_type)
    withheld = text.startswith("（") and text.endswith("）")  # core.audit.WITHHELD
    if isinstance(value, str) and key.endswith(_QUOTED) and not withheld:
        return f"“{text}”"
    return text


def _blank(value: object) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _sentence(text: str) -> str:
    return text if text.endswith(("。", "！", "？", ".", "!", "?")) else text + "。"


def audit_sentences(summary: Mapping[str, object] | None, entity_type: str = "") -> list[str]:
    """An audit row's summary in plain sentences, for the log page and its export. A field in
    both ``before`` and ``after`` reads ``状态由“待审核”改为“已批准”``; one set anew reads
    ``角色：系统管理员``; one only in ``before`` reads ``原班级：…``; blank values and unchanged
    fields are left out. They make one sentence (``；`` between, ``。`` at the end); a ``note``
    is its own ``说明：…`` (as written) unless the same words are already shown (a public
    reason). Field names from the ``audit_field`` kind and every coded value
    labelled (qualification codes by the catalogue; other codes by the kinds named after the
    row's entity first, e.g. ``state`` of an ``enrolment`` by ``enrolment_state``; booleans
    是/否); amounts in
    fen (``*_fen``) in yuan; reasons, notes and titles (people's own words) in quotes. Any
    other part (a plain string) is its own sentence."""
    summary = summary or {}
    raw_before, raw_after = summary.get("before"), summary.get("after")
    before: Mapping[str, object] = raw_before if isinstance(raw_before, Mapping) else {}
    after: Mapping[str, object] = raw_after if isinstance(raw_after, Mapping) else {}
    clauses: list[str] = []
    for key, value in after.items():
        name = _field_name(key, entity_type)
        if key in before and not _blank(before[key]):
            if before[key] != value:
                clauses.append(f"{name}由“{_value_text(key, before[key], entity_type)}”改为"
                               f"“{_value_text(key, value, entity_type)}”")
        elif not _blank(value):
            clauses.append(f"{name}：{_shown(key, value, entity_type)}")
    for key, value in before.items():
        if key not in after and not _blank(value):
            name = _field_name(key, entity_type)
            clauses.append(f"{name if name.startswith('原') else '原' + name}："
                           f"{_shown(key, value, entity_type)}")
    sentences = [_sentence("；".join(clauses))] if clauses else []
    shown = {str(v) for v in after.values()}
    for part, content in summary.items():
        if part in ("before", "after") and isinstance(content, Mapping):
            continue
        if _blank(content) or (part == "note" and str(content) in shown):
            continue
        # a note is someone's own words: shown as written, no full stop added
        sentences.append(f"{label('audit_part', part)}：{_value_text(part, content, entity_type)}")
    return sentences
