"""Messages of the employers package, through the outbox (core.messages), each in the
transaction of the change it reports:

- notices (kind ``notice``): a facility's filing returned or accepted → its operators (e-mail to
  ``app_user.email`` when set, else SMS to the phone of the operator's own person record);
  a staff link created → SMS to the person asking for consent; a signed consent form
  uploaded by an operator → SMS to the person (who can withdraw a form they did not sign).

The daily reminders (certificates, health checks and labour contracts coming due) are the labour
package's task (``employers.labour.notices``), which uses ``SIGN`` from here.
"""

from __future__ import annotations

import logging
from datetime import datetime

from core.messages.outbox import enqueue
from employers.facilities import FilingState
from employers.services.consents import MY_PAGE_TITLE
from employers.tables import Facility, FacilityOperator, StaffLink

log = logging.getLogger("registry.messages")
SIGN = "【托育从业人员平台】"


async def _operator_addresses(facility_id: int) -> list[tuple[str, str, int | None]]:
    """(channel, recipient, person id) for each active operator of the facility who can be
    reached: e-mail when the account has one, else the SMS phone of its person record."""
    rows = await FacilityOperator.select(
        FacilityOperator.user.email, FacilityOperator.user.is_active,
        FacilityOperator.user.person.id, FacilityOperator.user.person.phone,
    ).where(FacilityOperator.facility == facility_id)
    out = []
    for row in rows:
        if not row["user.is_active"]:
            continue
        if row["user.email"]:
            out.append(("email", row["user.email"], None))
        elif row["user.person.phone"]:
            out.append(("sms", row["user.person.phone"], row["user.person.id"]))
    return out


def filing_text(decision: str, facility_name: str, receipt_number: str = "",
                reasons: str = "") -> tuple[str, str]:
    """(subject, body) of a filing decision's notice. Pure."""
    if decision == FilingState.ACCEPTED:
        return (f"备案已受理：{facility_name}",
                f"{facility_name}的托育机构备案已通过审核，备案回执编号：{receipt_number}。"
                "请登录平台下载备案回执。")
    return (f"备案被退回：{facility_name}",
            f"{facility_name}的托育机构备案已被退回，退回原因：{reasons}。"
            "请登录平台按要求修改后重新提交。")


async def filing_decided(filing_id: int, facility_id: int, decision: str, *,
                         receipt_number: str = "", reasons: str = "") -> int:
    """Notice of a filing ``accepted`` or ``returned`` to the facility's operators (call in the
    decision's transaction); key ``filing:{id}:{decision}:{n}``. Returns how many were written."""
    facility = await Facility.select(Facility.name).where(Facility.id == facility_id).first()
    subject, body = filing_text(decision, facility["name"] if facility else "",
                                receipt_number, reasons)
    written = 0
    for n, (channel, recipient, person_id) in enumerate(await _operator_addresses(facility_id)):
        text = body if channel == "email" else SIGN + body
        written += bool(await enqueue(
            channel, recipient, text, kind="notice", topic=f"filing.{decision}",
            subject=subject if channel == "email" else "", person_id=person_id,
            idempotency_key=f"filing:{filing_id}:{decision}:{n}"))
    return written


def consent_text(facility_name: str) -> str:
    """The SMS asking a person for consent. Pure."""
    return (f"{SIGN}机构“{facility_name}”请求查看您的从业资质（证书、健康检查、背景审查等）。"
            f"请登录平台在“{MY_PAGE_TITLE}”中同意或拒绝；"
            "未经您同意，该机构只能看到公开的证书查验结果。")


async def consent_requested(link_id: int) -> int | None:
    """SMS to the linked person asking for consent (call in the link's transaction); none when
    no phone is on file. Key ``consent:{link id}:requested``."""
    row = await StaffLink.select(
        StaffLink.person.id, StaffLink.person.phone, StaffLink.facility.name,
    ).where(StaffLink.id == link_id).first()
    if row is None or not row["person.phone"]:
        return None
    return await enqueue("sms", row["person.phone"], consent_text(row["facility.name"]),
                         kind="notice", topic="consent.requested",
                         person_id=row["person.id"],
                         idempotency_key=f"consent:{link_id}:requested")


def consent_form_text(facility_name: str) -> str:
    """The SMS telling a person that an operator recorded a signed consent form for them, so
    that a form they did not sign can be withdrawn at once. Pure."""
    return (f"{SIGN}机构“{facility_name}”已登记您签字的授权同意书，可查看您的从业资质。"
            f"如非本人签署或不再同意，请登录平台在“{MY_PAGE_TITLE}”中撤回授权。")


async def consent_form_recorded(link_id: int, at: datetime) -> int | None:
    """SMS to the person whose signed consent form an operator uploaded at ``at`` (call in the
    upload's transaction); none when no phone is on file. Key ``consent:{link id}:form:{at}``."""
    row = await StaffLink.select(
        StaffLink.person.id, StaffLink.person.phone, StaffLink.facility.name,
    ).where(StaffLink.id == link_id).first()
    if row is None or not row["person.phone"]:
        return None
    return await enqueue("sms", row["person.phone"], consent_form_text(row["facility.name"]),
                         kind="notice", topic="consent.form_recorded",
                         person_id=row["person.id"],
                         idempotency_key=f"consent:{link_id}:form:{at.isoformat()}")
