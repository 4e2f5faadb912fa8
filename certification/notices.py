"""Notices to a certificate's holder, through the outbox (core.messages), in the transaction of
the change: issued, suspended, reinstated, revoked. Sent by SMS to the phone on file (none
without one). A suspension or revocation carries only the PUBLIC reason (certification.reasons),
never the internal note. Notices are not reminders: a person's opt-out does not stop them.
"""

from __future__ import annotations

from core.credentials import public_status
from core.messages.outbox import enqueue
from core.tables import Credential, CredentialStatusChange, Person, Qualification

SIGN = "【托育从业人员平台】"


def notice_text(status: str, name: str, number: str, public_reason: str = "") -> str | None:
    """The SMS of a status change (None when the status is not announced). Pure."""
    what = f"您的{name}证书（编号 {number}）"
    reason = f"，原因：{public_reason}" if public_reason else ""
    if status == "issued":
        return f"{SIGN}{what}已颁发，可登录平台“我的证书”查看和下载。"
    if status == "suspended":
        return f"{SIGN}{what}已暂停使用{reason}。如有疑问请联系发证机构。"
    if status == "revoked":
        return f"{SIGN}{what}已撤销{reason}。如有疑问请联系发证机构。"
    if status == "reinstated":
        return f"{SIGN}{what}已恢复有效。"
    return None


async def on_credential_changed(credential_id: int, person_id: int, kind: str) -> None:
    """core.credentials listener: a certificate issued here (``source == "issued"``) was created
    or changed status; write the notice, keyed ``certificate:{id}:issued`` /
    ``certificate:{id}:revoked`` / ``certificate:{id}:suspended:{change id}`` (a certificate
    may be suspended more than once)."""
    row = await Credential.select(Credential.source, Credential.code).where(
        Credential.id == credential_id).first()
    if row is None or row["source"] != "issued":
        return
    status = await public_status(credential_id)
    if kind == "created":
        event, key = "issued", f"certificate:{credential_id}:issued"
    elif status.status == "revoked":
        event, key = "revoked", f"certificate:{credential_id}:revoked"
    elif status.status in ("suspended", "valid"):
        change = await CredentialStatusChange.select(
            CredentialStatusChange.id, CredentialStatusChange.from_status,
        ).where(CredentialStatusChange.credential == credential_id).order_by(
            CredentialStatusChange.id, ascending=False).first()
        if change is None:
            return
        if status.status == "valid" and change["from_status"] != "suspended":
            return
        event = "suspended" if status.status == "suspended" else "reinstated"
        key = f"certificate:{credential_id}:{event}:{change['id']}"
    else:
        return
    person = await Person.select(Person.phone).where(Person.id == person_id).first()
    if not person or not person["phone"]:
        return
    qualification = await Qualification.select(Qualification.name).where(
        Qualification.code == row["code"]).first()
    name = qualification["name"] if qualification else ""
    text = notice_text(event, name, status.number, status.public_reason)
    if text:
        await enqueue("sms", person["phone"], text, kind="notice",
                      topic=f"certificate.{event}", person_id=person_id,
                      idempotency_key=key)
