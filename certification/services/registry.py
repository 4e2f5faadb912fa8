"""The officers' registry: search, XLSX export and statistics of certificates issued here."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from datetime import date

from piccolo.columns import Column
from piccolo.query.functions.aggregate import Count
from piccolo.querystring import QueryString

from certification.services.certificates import (
    CertificateView,
    fill_replacements,
    select_views,
    view_of,
)
from certification.tables import CertificateRecord
from core import db
from core.credentials import STATUS_LABELS
from core.errors import ValidationError
from core.identity import IdType, mask_id_number, normalise_id_number
from core.pagination import Page
from core.people import find_person
from core.reporting.exports import Sheet, workbook_bytes
from core.tables import Person

EXPORT_LIMIT = 50_000
EXPORT_HEADERS = ("证书编号", "姓名", "证件类型", "证件号码", "证书类别", "等级", "发证机构",
                  "发证日期", "有效期至", "状态", "公开原因")  # internal notes are not exported


@dataclass(frozen=True)
class RegistryFilter:
    q: str = ""  # number, name or ID number
    code: str = ""
    level: int | None = None
    status: str = ""
    date_from: date | None = None
    date_to: date | None = None

    def query(self) -> dict:
        return {k: ("" if v is None else str(v)) for k, v in asdict(self).items()}


# ID types a search box may hold (a passport number looks like a certificate number).
SEARCHED_ID_TYPES = (IdType.RESIDENT, IdType.HMT_RESIDENCE, IdType.FOREIGN_PERMANENT)


async def _holders(q: str) -> tuple[list[int], bool]:
    """(ids of the people ``q`` identifies by their own or a linked number — core.people
    .find_person —, whether ``q`` is an 18-character ID number of some type)."""
    ids, eighteen = [], False
    for id_type in SEARCHED_ID_TYPES:
        try:
            number = normalise_id_number(q, id_type)
        except ValidationError:
            continue
        eighteen = eighteen or len(number) == 18
        person = await find_person(id_type, number)
        if person is not None and person.id not in ids:
            ids.append(person.id)
    return ids, eighteen


async def _conditions(filters: RegistryFilter) -> list:
    where = []
    credential = CertificateRecord.credential
    q = filters.q.strip()
    if q:
        upper = q.upper()
        holders, eighteen = await _holders(q)
        if holders:
            where.append(CertificateRecord.person.is_in(holders))
        elif eighteen:  # an ID number nobody holds: nothing, not a certificate-number prefix
            where.append(CertificateRecord.person.id_number == upper)
        elif upper.isascii() and any(ch.isdigit() for ch in upper):
            where.append(credential.number.like(f"{upper}%"))
        else:
            where.append(CertificateRecord.holder_name.like(f"%{q}%")
                         | CertificateRecord.person.name.like(f"%{q}%"))
    if filters.code:
        where.append(credential.code == filters.code)
    if filters.level:
        where.append(credential.level == filters.level)
    if filters.status:
        where.append(credential.status == filters.status)
    if filters.date_from:
        where.append(credential.issued_on >= filters.date_from)
    if filters.date_to:
        where.append(credential.issued_on <= filters.date_to)
    return where


async def search(filters: RegistryFilter, page: int, per_page: int,
                 today: date) -> Page[CertificateView]:
    where = await _conditions(filters)
    count = CertificateRecord.count()
    rows = select_views().order_by(CertificateRecord.id, ascending=False)
    if where:
        count, rows = count.where(*where), rows.where(*where)
    result = Page([], page, per_page, await count, query=filters.query())
    result.items = await fill_replacements(
        [view_of(r, today) for r in await rows.limit(per_page).offset(result.offset)])
    return result


async def export_xlsx(filters: RegistryFilter, today: date) -> bytes:
    where = await _conditions(filters)
    rows = select_views().order_by(CertificateRecord.id).limit(EXPORT_LIMIT)
    if where:
        rows = rows.where(*where)
    views = [view_of(r, today) for r in await rows]
    ids = await Person.select(Person.id, Person.id_type, Person.id_number).where(
        Person.id.is_in([v.person_id for v in views] or [0]))
    id_numbers = {p["id"]: (p["id_type"], p["id_number"]) for p in ids}
    rows_out = []
    for v in views:
        id_type, id_number = id_numbers.get(v.person_id, ("", ""))
        rows_out.append([v.number, v.holder_name, id_type, mask_id_number(id_number),
                         v.qualification, v.level_name, v.issuer, v.issued_on, v.expires_on,
                         STATUS_LABELS[v.status], v.status_reason])
    return workbook_bytes([Sheet("证书", EXPORT_HEADERS, rows_out)])


_LEVEL_ORDER = "五四三二一"


def _level_rank(level_name: str) -> tuple[int, str]:
    """五级/初级工 first, 一级/高级技师 last; a name without a level number after them."""
    for rank, digit in enumerate(_LEVEL_ORDER):
        if level_name.startswith(digit):
            return rank, level_name
    return len(_LEVEL_ORDER), level_name


@dataclass(frozen=True)
class IssuanceStatistics:
    """Issued certificates counted (the 发证统计 page): ``total``; ``by_qualification`` as
    (qualification name, count), most first; ``by_level`` as ((qualification name, level name),
    count), by qualification then level as the standard ranks them; ``by_month`` as
    ("YYYY-MM", count) by issue date, oldest first; ``by_status`` as (status label, count)."""

    total: int
    by_qualification: list[tuple[str, int]]
    by_level: list[tuple[tuple[str, str], int]]
    by_month: list[tuple[str, int]]
    by_status: list[tuple[str, int]]


def _issue_month() -> QueryString:
    """The 'YYYY-MM' of the credential's issue date, in SQL on either engine (a Date is ISO
    text on SQLite)."""
    issued_on = CertificateRecord.credential.issued_on
    if db.is_sqlite():
        return QueryString("substr({}, 1, 7)", issued_on, alias="month")
    return QueryString("to_char({}, 'YYYY-MM')", issued_on, alias="month")


async def statistics(date_from: date | None = None,
                     date_to: date | None = None) -> IssuanceStatistics:
    """Issued certificates by qualification, by qualification + level, by month and by status,
    issued between ``date_from`` and ``date_to`` (China dates, both included, either open):
    one GROUP BY … COUNT(*) query each, on one connection."""
    credential = CertificateRecord.credential
    where = []
    if date_from:
        where.append(credential.issued_on >= date_from)
    if date_to:
        where.append(credential.issued_on <= date_to)

    async def counted(*keys: Column | QueryString) -> list[dict]:
        query = CertificateRecord.select(*keys, Count(alias="n")).group_by(*keys)
        return await (query.where(*where) if where else query)

    async with db.reading():
        qualification_rows = await counted(CertificateRecord.qualification_name)
        level_rows = await counted(CertificateRecord.qualification_name,
                                   CertificateRecord.level_name)
        month_rows = await counted(_issue_month())
        status_rows = await counted(credential.status)
    by_level: Counter = Counter()
    for row in level_rows:  # no level name shows as "—"
        by_level[(row["qualification_name"], row["level_name"] or "—")] += row["n"]
    by_qualification = [(row["qualification_name"], row["n"]) for row in qualification_rows]
    return IssuanceStatistics(
        total=sum(row["n"] for row in status_rows),
        by_qualification=sorted(by_qualification, key=lambda kv: (-kv[1], kv[0])),
        # by qualification, then by level as the standard ranks them (五级 … 一级), not as text
        by_level=sorted(by_level.items(), key=lambda kv: (kv[0][0], _level_rank(kv[0][1]))),
        by_month=sorted((row["month"], row["n"]) for row in month_rows),
        by_status=[(STATUS_LABELS[status], n) for status, n in sorted(
            (row["credential.status"], row["n"]) for row in status_rows)],
    )
