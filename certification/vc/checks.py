"""Pure checks shared by the credential verifier: issuer, trusted key, validity period, status.

Each check returns a Check(name, ok, message); messages are Chinese with the plain English
in brackets, so the command's output can be read by a clerk and pasted into a bug report.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import NamedTuple

from certification.vc.credential import end_of_day, start_of_day
from certification.vc.dataintegrity import verify_proof
from certification.vc.keys import controller_of
from certification.vc.status_list import (
    ENTRY_TYPE,
    LIST_CREDENTIAL_TYPE,
    LIST_TYPE,
    MESSAGE_PURPOSE,
    STATUS_PURPOSES,
    StatusListError,
    decode_bitstring,
    read_value,
)

PURPOSE_LABELS = {"revocation": "已撤销 (revoked)", "suspension": "已暂停 (suspended)"}
MESSAGE_LABELS = {
    "valid": "有效 (valid)",
    "revoked": "已撤销 (revoked)",
    "superseded": "已被替代 (superseded)",
    "suspended": "已暂停 (suspended)",
}
CLEAR_LABELS = {"revocation": "未撤销 (not revoked)", "suspension": "未暂停 (not suspended)"}

NOT_CHECKED = "未检查：未提供状态列表 (not checked: no status list given)"
UNCHECKED, UNCONFIRMED = "unchecked", "unconfirmed"

StatusListSource = Callable[[str], dict | None]


class Check(NamedTuple):
    name: str
    ok: bool
    message: str
    detail: str | None = None  # status checks: what the list said (see check_status_entry)


def issuer_id(document: dict) -> str | None:
    issuer = document.get("issuer")
    return issuer.get("id") if isinstance(issuer, dict) else issuer


def proof_method(document: dict) -> str | None:
    proof = document.get("proof")
    if isinstance(proof, list) and len(proof) == 1:
        proof = proof[0]
    return proof.get("verificationMethod") if isinstance(proof, dict) else None


def check_issuer_controls_key(document: dict, name: str = "issuer") -> Check:
    method, issuer = proof_method(document), issuer_id(document)
    if method is None or issuer is None or controller_of(method) != issuer:
        message = f"签名密钥不属于发证者 {issuer} (signing key {method} is not the issuer's)"
        return Check(name, False, message)
    return Check(name, True, f"发证者 (issuer) {issuer}")


def check_trusted_key(document: dict, trusted_keys: set[str], name: str = "trusted_key") -> Check:
    method = proof_method(document) or ""
    if method in trusted_keys or controller_of(method) in trusted_keys:
        return Check(name, True, "签名密钥在发证机关公布的密钥清单中 (key is published)")
    message = "签名密钥不在发证机关公布的密钥清单中 (signing key is not a published bureau key)"
    return Check(name, False, f"{message}: {method}")


def _parse_datetime(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def check_validity_period(document: dict, today: date, name: str = "validity") -> Check:
    """validFrom must not be after today, validUntil not before today (certificate days)."""
    parsed = {}
    for field in ("validFrom", "validUntil"):
        if field in document:
            parsed[field] = _parse_datetime(document[field])
            if parsed[field] is None:
                message = f"{field} 不是带时区的日期时间 (not a dateTime with offset)"
                return Check(name, False, f"{message}: {document[field]!r}")
    valid_from, valid_until = parsed.get("validFrom"), parsed.get("validUntil")
    if valid_from is not None and valid_from > end_of_day(today):
        return Check(name, False, f"尚未生效 (not valid yet): validFrom {document['validFrom']}")
    if valid_until is not None and valid_until < start_of_day(today):
        return Check(name, False, f"已过有效期 (expired): validUntil {document['validUntil']}")
    until = document.get("validUntil", "长期 (no end date)")
    return Check(name, True, f"在有效期内 (within validity period) 至 until {until}")


def check_not_after_retirement(doc: dict, retired_on: datetime) -> Check:
    """A retired key vouches only for credentials whose proof ``created`` and ``validFrom`` are
    not after its retirement instant (a credential signed later could be a forgery made with a
    key the issuer no longer guards)."""
    proof = doc.get("proof")
    proof = proof[0] if isinstance(proof, list) and len(proof) == 1 else proof
    created = proof.get("created") if isinstance(proof, dict) else None
    retired = retired_on.isoformat()
    message = (f"签名密钥已于 {retired} 停用，之后签发的凭证不可信 (the signing key was retired "
               f"on {retired}; credentials signed after it are not trusted)")
    for field_name, value in (("proof.created", created), ("validFrom", doc.get("validFrom"))):
        moment = _parse_datetime(value)
        if moment is None and field_name == "proof.created":
            return Check("retirement", False, f"{message}: 凭证缺少可读的 proof.created")
        if moment is not None and moment > retired_on:
            return Check("retirement", False, f"{message}: {field_name} {value}")
    return Check("retirement", True, f"签名时密钥尚未停用 (signed before the key was retired "
                                     f"on {retired})")


def _entry_problem(entry: dict) -> str | None:
    """What is wrong with an entry's shape (purpose, URL, index, size, messages), or None."""
    purpose, url = entry.get("statusPurpose"), entry.get("statusListCredential")
    index = _index_of(entry)
    if purpose not in (*STATUS_PURPOSES, MESSAGE_PURPOSE) or not isinstance(url, str) or index < 0:
        return f"状态条目不完整或有误 (malformed status entry): {entry!r}"
    size = entry.get("statusSize", 1)
    if purpose in STATUS_PURPOSES and size != 1:
        return f"{purpose} 条目应为 1 位 (a {purpose} entry has statusSize 1)"
    if purpose == MESSAGE_PURPOSE and (
        not isinstance(size, int) or not 1 <= size <= 8 or not _messages_of(entry)
    ):
        return f"message 条目缺少 statusSize 或 statusMessage (malformed message entry): {entry!r}"
    return None


def _index_of(entry: dict) -> int:
    try:
        return int(entry.get("statusListIndex"))
    except (TypeError, ValueError):
        return -1


def _messages_of(entry: dict) -> dict[int, str]:
    """statusMessage as value → message (``{"status": "0x2", "message": "superseded"}``)."""
    messages = {}
    for item in entry.get("statusMessage") or []:
        try:
            messages[int(item["status"], 16)] = str(item["message"])
        except (KeyError, TypeError, ValueError):
            return {}
    return messages


def check_status_entry(
    entry: object,
    credential_issuer: str | None,
    source: StatusListSource | None,
    trusted_keys: set[str] | None,
    today: date,
    now: datetime,
) -> Check:
    """One credentialStatus entry: the list's own proof, issuer, key and freshness (at the
    instant ``now``), its purpose, the value.

    ``detail`` says what was learnt: ``"unchecked"`` (no list given), ``"unconfirmed"`` (a
    malformed entry, or a list that cannot be fetched or trusted), ``"set"`` / ``"clear"``
    (revocation, suspension) or the message a ``message`` entry names (``"valid"``,
    ``"superseded"``, …). ``ok`` is True only for ``"clear"`` and ``"valid"``.
    """
    if not isinstance(entry, dict) or entry.get("type") != ENTRY_TYPE:
        message = f"不支持的状态类型 (unsupported credentialStatus): {entry!r}"
        return Check("status", False, message, UNCONFIRMED)
    purpose, url = entry.get("statusPurpose"), entry.get("statusListCredential")
    name = f"status:{purpose}"
    problem = _entry_problem(entry)
    if problem:
        return Check(name, False, problem, UNCONFIRMED)
    if source is None:
        return Check(name, False, f"{NOT_CHECKED} {url}", UNCHECKED)
    try:
        status_list = source(url)
    except Exception as error:  # any failure to fetch or parse means status unknown
        message = f"无法获取状态列表 (cannot fetch status list {url}): {error}"
        return Check(name, False, message, UNCONFIRMED)
    if status_list is None:
        return Check(name, False, f"{NOT_CHECKED} {url}", UNCHECKED)
    problem = _status_list_problem(
        status_list, url, purpose, credential_issuer, trusted_keys, today, now
    )
    index, size = _index_of(entry), entry.get("statusSize", 1)
    if not problem:
        try:
            bits = decode_bitstring(status_list["credentialSubject"]["encodedList"])
            value = read_value(bits, index, size)
        except (StatusListError, KeyError, TypeError) as error:
            problem = str(error)
    if problem:
        message = f"状态列表无法采信 (status list not usable): {problem}"
        return Check(name, False, message, UNCONFIRMED)
    if purpose == MESSAGE_PURPOSE:
        said = _messages_of(entry).get(value, hex(value))
        label = MESSAGE_LABELS.get(said, said)
        return Check(name, said == "valid", f"状态信息 (status message): {label}", said)
    if value:
        message = f"证书{PURPOSE_LABELS[purpose]}，状态列表 list {url} 第 {index} 位"
        return Check(name, False, message, "set")
    return Check(name, True, CLEAR_LABELS[purpose], "clear")


def _status_list_problem(
    status_list: dict,
    url: str,
    purpose: str,
    credential_issuer: str | None,
    trusted_keys: set[str] | None,
    today: date,
    now: datetime,
) -> str | None:
    if not isinstance(status_list, dict):
        return "不是 JSON 对象 (not a JSON object)"
    if status_list.get("id") != url:
        return f"标识与引用不符 (id {status_list.get('id')!r} is not {url})"
    if LIST_CREDENTIAL_TYPE not in (status_list.get("type") or []):
        return f"类型应含 {LIST_CREDENTIAL_TYPE} (type must include it)"
    subject = status_list.get("credentialSubject")
    if not isinstance(subject, dict) or subject.get("type") != LIST_TYPE:
        return f"credentialSubject 类型应为 {LIST_TYPE} (subject type must be {LIST_TYPE})"
    if subject.get("statusPurpose") != purpose:
        return f"用途不符 (purpose {subject.get('statusPurpose')!r} is not {purpose!r})"
    ok, reason = verify_proof(status_list)
    if not ok:
        return reason
    checks = [check_issuer_controls_key(status_list), check_list_fresh(status_list, url, now),
              check_validity_period(status_list, today)]
    if issuer_id(status_list) != credential_issuer:
        checks.append(
            Check("issuer", False, "与证书的发证者不同 (issuer differs from the credential's)")
        )
    if trusted_keys is not None:
        checks.append(check_trusted_key(status_list, trusted_keys))
    return next((check.message for check in checks if not check.ok), None)


def check_list_fresh(status_list: dict, url: str, now: datetime) -> Check:
    """A status list is believed only within its freshness window: ``validUntil`` present and
    not before the instant ``now``. An older copy (e.g. saved before a revocation) or a list
    without validUntil could be a replay. The message names the list and its age."""
    generated = _parse_datetime(status_list.get("validFrom"))
    age = ""
    if generated is not None:
        hours = (now - generated).total_seconds() / 3600
        age = f"，生成于 {status_list['validFrom']}（距核验时 {hours:.1f} 小时 / h old）"
    if "validUntil" not in status_list:
        return Check("fresh", False, f"状态列表 {url} 没有 validUntil，无法判断是否为最新，"
                                     f"可能是旧副本{age} (list has no validUntil: it may be a "
                                     "replayed old copy)")
    until = _parse_datetime(status_list["validUntil"])
    if until is None or until < now:
        return Check("fresh", False, f"状态列表 {url} 已过期（有效至 {status_list['validUntil']}）"
                                     f"{age}，可能是旧副本，请获取最新的状态列表 (status list is "
                                     "stale: fetch the current one)")
    return Check("fresh", True, f"状态列表 {url} 有效至 {status_list['validUntil']}")
