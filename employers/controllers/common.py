"""Small helpers shared by the employers page controllers."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from litestar.datastructures import UploadFile

from core.forms import FormReader
from core.forms import parse_date as core_parse_date
from core.identity import (
    IdType,
    normalise_id_number,
    normalise_mobile,
    normalise_name,
    normalise_uscc,
)
from core.people import EDUCATION_LEVELS, PersonInput
from employers import facilities as vocab
from employers.facilities import ClassInput, FacilityInput, StaffTerms


def parse_date(value: Any, field: str, required: bool = True) -> date | None:
    """Form dates here are required unless said otherwise."""
    return core_parse_date(value, field, required)


def form_of(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()
            if k != "_csrf_token" and not isinstance(v, UploadFile)}


def many(data: Mapping[str, Any], key: str) -> list[str]:
    value = data.get(key, [])
    if isinstance(value, str):
        return [value] if value else []
    return [str(v) for v in value]


async def upload_of(data: Mapping[str, Any], key: str) -> tuple[bytes, str]:
    value = data.get(key)
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, UploadFile) and value.filename:
        return await value.read(), value.filename
    return b"", ""


LABELS = {
    "service_types": vocab.SERVICE_TYPES, "authorities": vocab.AUTHORITIES,
    "class_types": vocab.CLASS_TYPES, "positions": vocab.POSITIONS,
    "employment": vocab.EMPLOYMENT, "employment_forms": vocab.EMPLOYMENT_FORMS,
    "link_status": vocab.LINK_STATUS, "consent": vocab.CONSENT,
    "filing_status": vocab.FILING_STATUS, "filing_states": vocab.FILING_STATES,
}


# Page form readers: each reads its fields with one FormReader and keeps
# every field at fault, with the same rules the services apply (employers.facilities,
# core.people, core.identity); the handler calls ``reader.done()`` before the service.


def _choices(data: Mapping[str, Any], reader: FormReader, field: str, options: Mapping[str, str],
             empty: str, invalid: str) -> list[str]:
    """A group of checkboxes: at least one, each a known option."""
    chosen = list(dict.fromkeys(many(data, field)))
    if not chosen:
        reader.fail(field, empty)
    elif any(c not in options for c in chosen):
        reader.fail(field, invalid)
    return chosen


def read_facility(reader: FormReader, data: Mapping[str, Any]) -> FacilityInput:
    """登记/修改托育机构: name, USCC (GB 32100-2015 check digit), authority, address, street,
    service types, capacity (0 … 10 000)."""
    form = form_of(data)
    name = reader.text("name", "机构名称", required=True, max_length=100)
    reader.run("uscc", normalise_uscc, form.get("uscc"), "uscc")
    authority = form.get("registering_authority", "")
    if authority not in vocab.AUTHORITIES:
        reader.fail("registering_authority", "请选择登记机关")
    address = reader.text("address", "地址", required=True, max_length=200)
    street = reader.text("street", "所在街镇", required=True, max_length=50)
    types = _choices(data, reader, "service_types", vocab.SERVICE_TYPES,
                     "请至少选择一种服务类型", "服务类型取值无效")
    capacity = reader.int("capacity", "核定托位数", required=False, minimum=0, maximum=10_000)
    return FacilityInput(
        name=name, uscc=form.get("uscc", ""), for_profit=form.get("for_profit") == "1",
        registering_authority=authority, address=address, street=street, service_types=types,
        capacity=capacity or 0,
        is_kindergarten_with_toddler_class=form.get("is_kindergarten_with_toddler_class") == "1")


def read_class(reader: FormReader, data: Mapping[str, Any]) -> ClassInput:
    """A class: code (≤ 20 characters), type, children (0 … 1000)."""
    code = reader.text("code", "班级编号", required=True, max_length=20)
    kind = str(data.get("type") or "").strip()
    if kind not in vocab.CLASS_TYPES:
        reader.fail("type", "请选择班型")
    children = reader.int("children", "婴幼儿人数", minimum=0, maximum=1000)
    return ClassInput(code, kind, children if children is not None else 0)


def read_person(reader: FormReader, data: Mapping[str, Any]) -> PersonInput:
    """证件类型 and 证件号码 (GB 11643 check digit for 居民身份证), name, optional mobile and
    education, each error on its own field."""
    id_type = str(data.get("id_type") or "").strip() or IdType.RESIDENT
    id_number = str(data.get("id_number") or "")
    name = str(data.get("name") or "")
    phone = str(data.get("phone") or "").strip() or None
    reader.run("id_number", normalise_id_number, id_number, id_type)
    reader.run("name", normalise_name, name)
    if phone:
        reader.run("phone", normalise_mobile, phone)
    education = reader.choice("education", "学历", EDUCATION_LEVELS, required=False)
    return PersonInput(id_type, id_number, name, phone, education=education)


def read_terms(reader: FormReader, data: Mapping[str, Any]) -> StaffTerms | None:
    """A staff link's terms: positions, 全职/兼职, 用工形式, 入职日期, 管理工作年限 (0 … 60)."""
    positions = _choices(data, reader, "positions", vocab.POSITIONS, "请至少选择一个岗位",
                         "岗位取值无效")
    employment = str(data.get("employment") or "").strip()
    if employment not in vocab.EMPLOYMENT:
        reader.fail("employment", "请选择全职或兼职")
    employment_form = str(data.get("employment_form") or "").strip() or "full_time"
    if employment_form not in vocab.EMPLOYMENT_FORMS:
        reader.fail("employment_form", "请选择用工形式")
    started_on = reader.date("started_on", "入职日期", required=True)
    years = reader.int("management_years", "管理工作年限", required=False, minimum=0, maximum=60)
    if started_on is None:
        return None
    return StaffTerms(positions, employment, employment_form, started_on, years or 0)
