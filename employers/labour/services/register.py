"""The employee register (职工名册) of a facility: the fields the law makes the employer keep."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel

from core.identity import mask_id_number, mask_phone
from employers.labour import staff
from employers.labour.records import ContractType
from employers.labour.services.loading import form_of, load_files

REGISTER_HEADERS = ("姓名", "性别", "证件号码", "户籍地址", "现居住地址", "联系方式", "用工形式",
                    "入职日期", "离职日期", "劳动合同期限")


def contract_term(contracts: list[dict[str, Any]]) -> str:
    if not contracts:
        return "未订立书面劳动合同"
    current = max(contracts, key=lambda c: c["start"])
    label = ContractType(current["type"]).label
    if current["end"] is None:
        return f"{label}（{current['start']} 起）"
    return f"{label}（{current['start']} 至 {current['end']}）"


class RegisterEntry(BaseModel, frozen=True):
    """One line of the register: a staff link's person, addresses, contact, form of employment
    (its label), dates of employment and the current contract's term in words. The API's
    RegisterRow is this shape."""

    staff_link_id: int
    name: str
    sex: str
    id_number: str
    registered_address: str
    current_address: str
    contact: str
    form_label: str
    start: date
    end: date | None
    contract_term: str


async def register_rows(facility_id: int, *, full: bool) -> list[RegisterEntry]:
    """One entry per staff link; ID numbers and contacts masked unless `full`."""
    links = await staff.links_of_facility(facility_id)
    files = await load_files([link.link_id for link in links])
    rows = []
    for link in links:
        file = files[link.link_id]
        record = file.record or {}
        contact = record.get("contact") or link.phone or ""
        rows.append(RegisterEntry(
            staff_link_id=link.link_id,
            name=link.name,
            sex=link.sex or "",
            id_number=link.id_number if full else mask_id_number(link.id_number),
            registered_address=record.get("registered_address", ""),
            current_address=record.get("current_address", ""),
            contact=contact if full else (mask_phone(contact) if contact else ""),
            form_label=form_of(link, file.record).label,
            start=link.start,
            end=link.end,
            contract_term=contract_term(file.contracts),
        ))
    return rows


def register_cells(row: RegisterEntry) -> list[Any]:
    """The entry's cells in the order of ``REGISTER_HEADERS`` (the XLSX export)."""
    return [row.name, row.sex, row.id_number, row.registered_address, row.current_address,
            row.contact, row.form_label, row.start, row.end or "", row.contract_term]
