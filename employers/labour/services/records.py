"""Writing labour records: operators enter them for their own staff, 人社局 officers correct
them with a reason. Every change: one transaction, one audit row, the link's stored findings
recomputed in the same transaction."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from core import audit, clock, db
from core.actor import Actor
from core.clock import today
from core.errors import NotFound, ValidationError
from core.happened import require_happened
from core.identity import normalise_uscc
from employers.labour.records import (
    Case,
    Contract,
    EmploymentForm,
    InsuranceKind,
    WageRecord,
)
from employers.labour.schemas import (
    CaseIn,
    ContractIn,
    InsuranceIn,
    LabourRecordIn,
    WageIn,
)
from employers.labour.services.access import correction_note, link_for
from employers.labour.services.findings import store_link
from employers.labour.staff import StaffRow
from employers.labour.tables import (
    InsuranceRegistration,
    LabourCase,
    LabourContract,
    LabourRecord,
    WageEntry,
)


def _now() -> datetime:
    return clock.now()


def _public(row: dict[str, Any] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {k: v for k, v in row.items() if k not in ("id", "staff_link", "created_at",
                                                       "updated_at")}


async def _audit(actor: Actor, link: StaffRow, action: str, entity: str, entity_id: int,
                 before: dict[str, Any] | None, after: dict[str, Any] | None,
                 reason: str) -> None:
    note = f"staff_link={link.link_id}" + (f"；更正原因：{reason}" if reason else "")
    await audit.record(actor, action, entity, entity_id, before=before, after=after, note=note)


async def save_record(actor: Actor, link_id: int, data: LabourRecordIn) -> int:
    link = await link_for(actor, link_id)
    form = EmploymentForm(data.form) if data.form in EmploymentForm._value2member_map_ else None
    if form is None:
        raise ValidationError("请选择用工形式", "form")
    values: dict[str, Any] = {
        "form": form.value,
        "agency_name": data.agency_name.strip() if form == EmploymentForm.DISPATCHED else "",
        "agency_uscc": "",
        "registered_address": data.registered_address.strip(),
        "current_address": data.current_address.strip(),
        "contact": data.contact.strip(),
    }
    if form == EmploymentForm.DISPATCHED:
        if not values["agency_name"]:
            raise ValidationError("劳务派遣用工应填写劳务派遣单位名称", "agency_name")
        values["agency_uscc"] = normalise_uscc(data.agency_uscc, "agency_uscc")
    async with db.transaction():
        existing = await LabourRecord.select().where(
            LabourRecord.staff_link == link.link_id).first()
        reason = correction_note(actor, data.reason) if existing else data.reason.strip()
        if existing:
            await LabourRecord.update({**values, "updated_at": _now()}).where(
                LabourRecord.id == existing["id"])
            record_id = existing["id"]
        else:
            row = LabourRecord(staff_link=link.link_id, updated_at=_now(), **values)
            await row.save()
            record_id = row.id
        await _audit(actor, link, "labour.record.save", "labour_record", record_id,
                     _masked(_public(existing)), _masked(values), reason)
        await store_link(link.link_id, today())
    return record_id


def _masked(values: dict[str, Any] | None) -> dict[str, Any] | None:
    """The contact is usually a phone number: log it under a key the audit log masks."""
    if values is None:
        return None
    out = {k: v for k, v in values.items() if k != "contact"}
    out["contact_phone"] = values.get("contact", "")
    return out


def _contract_values(data: ContractIn) -> dict[str, Any]:
    require_happened(data.signed_on, today(), "signed_on", "合同签订日期")  # start may be ahead
    Contract(type=data.type, signed_on=data.signed_on, start=data.start, end=data.end,
             probation_end=data.probation_end)  # checks the shape, naming the field
    return {"type": data.type, "signed_on": data.signed_on, "start": data.start,
            "end": data.end, "probation_end": data.probation_end}


# The records kept per staff link as rows: table, audit action stem, audited entity, name.
_CONTRACT = (LabourContract, "labour.contract", "labour_contract", "劳动合同")
_WAGE = (WageEntry, "labour.wage", "wage_entry", "工资记录")
_CASE = (LabourCase, "labour.case", "labour_case", "案件")


async def _add(actor: Actor, link_id: int, kind: tuple, values: dict[str, Any],
               reason_given: str) -> int:
    """A new row of a staff link's record, audited, and the link's findings refreshed."""
    table, action, entity, _ = kind
    link = await link_for(actor, link_id)
    reason = correction_note(actor, reason_given)
    async with db.transaction():
        row = table(staff_link=link.link_id, created_at=_now(), **values)
        await row.save()
        await _audit(actor, link, f"{action}.create", entity, row.id, None, values, reason)
        await store_link(link.link_id, today())
    return row.id


async def _update(actor: Actor, kind: tuple, row_id: int, values: dict[str, Any],
                  reason_given: str) -> None:
    """A correction of one row of a staff link's record, audited with before and after."""
    table, action, entity, what = kind
    link, before = await _owned(actor, table, row_id, what)
    reason = correction_note(actor, reason_given)
    async with db.transaction():
        await table.update(values).where(table.id == row_id)
        await _audit(actor, link, f"{action}.update", entity, row_id, _public(before), values,
                     reason)
        await store_link(link.link_id, today())


async def add_contract(actor: Actor, link_id: int, data: ContractIn) -> int:
    return await _add(actor, link_id, _CONTRACT, _contract_values(data), data.reason)


async def _owned(actor: Actor, table: Any, row_id: int, what: str) -> tuple[StaffRow, dict]:
    row = await table.select().where(table.id == row_id).first()
    if row is None:
        raise NotFound(f"未找到该{what}")
    try:
        link = await link_for(actor, row["staff_link"])
    except NotFound:
        raise NotFound(f"未找到该{what}") from None
    return link, row


async def update_contract(actor: Actor, contract_id: int, data: ContractIn) -> None:
    await _update(actor, _CONTRACT, contract_id, _contract_values(data), data.reason)


async def set_insurance(actor: Actor, link_id: int, data: InsuranceIn) -> int:
    link = await link_for(actor, link_id)
    kind = InsuranceKind.parse(data.kind)
    require_happened(data.registered_on, today(), "registered_on", "参保登记日期")
    reason = correction_note(actor, data.reason)
    async with db.transaction():
        existing = await InsuranceRegistration.select().where(
            (InsuranceRegistration.staff_link == link.link_id)
            & (InsuranceRegistration.kind == kind.value)).first()
        values = {"kind": kind.value, "registered_on": data.registered_on}
        if existing:
            await InsuranceRegistration.update(values).where(
                InsuranceRegistration.id == existing["id"])
            row_id = existing["id"]
        else:
            row = InsuranceRegistration(staff_link=link.link_id, created_at=_now(), **values)
            await row.save()
            row_id = row.id
        await _audit(actor, link, "labour.insurance.save", "insurance_registration", row_id,
                     _public(existing), values, reason)
        await store_link(link.link_id, today())
    return row_id


def _wage_values(data: WageIn) -> dict[str, Any]:
    hours = None if data.hours is None else Decimal(data.hours)
    WageRecord(month=data.month, gross_fen=data.gross_fen, countable_fen=data.countable_fen,
               pay_date=data.pay_date, hours=hours)
    return {"month": data.month, "gross_fen": data.gross_fen,
            "countable_fen": data.countable_fen, "pay_date": data.pay_date,
            "hours_centi": None if hours is None else int((hours * 100).to_integral_value())}


async def add_wage(actor: Actor, link_id: int, data: WageIn) -> int:
    return await _add(actor, link_id, _WAGE, _wage_values(data), data.reason)


async def update_wage(actor: Actor, wage_id: int, data: WageIn) -> None:
    await _update(actor, _WAGE, wage_id, _wage_values(data), data.reason)


def _case_values(data: CaseIn) -> dict[str, Any]:
    require_happened(data.filed_on, today(), "filed_on", "案件受理日期")
    Case(kind=data.kind, filed_on=data.filed_on, status=data.status, resolution=data.resolution)
    if data.status == "closed" and not data.resolution.strip():
        raise ValidationError("结案时请填写处理结果", "resolution")
    return {"kind": data.kind, "filed_on": data.filed_on, "status": data.status,
            "resolution": data.resolution.strip()}


async def add_case(actor: Actor, link_id: int, data: CaseIn) -> int:
    return await _add(actor, link_id, _CASE, _case_values(data), data.reason)


async def update_case(actor: Actor, case_id: int, data: CaseIn) -> None:
    await _update(actor, _CASE, case_id, _case_values(data), data.reason)
