"""Credential checks by operators: with consent (an active link at one of their facilities)
they see every credential the registry holds for the person and whether each counts today;
otherwise only what public verification shows for a certificate number + name. Every check
that identifies a person (ID number and name match), with or without consent, single or bulk,
is written to that person's access log with the organisation, the time and what was shown
(full view, public result only, nothing); a check that identifies nobody has nobody to log for."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from core import audit, clock, db
from core.actor import Actor, CurrentUser
from core.credentials import STATUS_LABELS, CheckOutcome, CredentialStatus, counts_on
from core.errors import DomainError, ValidationError
from core.id_cells import clean_id_cell, strip_excel_marks
from core.identity import IdType, mask_name, names_match, normalise_id_number, normalise_name
from core.labels import label
from core.levels import level_label
from core.people import find_person
from core.roles import Role
from core.tables import Credential, Qualification
from core.uploads import zip_inflated
from employers.compliance.qualifications import health_check_valid_through
from employers.compliance.rules import rules_in_force
from employers.facilities import LinkStatus
from employers.services.access import is_officer, operated_ids
from employers.tables import CredentialAccessLog, Facility, StaffLink
from training.services.catalogue import level_names

MAX_ROWS = 500


class CheckBasis(StrEnum):
    """What a credential check could show, and why (CheckResult.basis; the access log's
    CredentialAccessLog.basis holds the first three): every credential, by the person's consent
    to the operator's facility or to an officer; only the public verification result; or
    nothing, for a row of a bulk list that could not be read."""

    CONSENT = "consent"
    OFFICER = "officer"
    PUBLIC = "public"
    INVALID = "invalid"


class Shown(StrEnum):
    """What a view showed the viewer (CredentialAccessLog.shown)."""

    FULL = "full"
    PUBLIC_RESULT = "public_result"
    NOTHING = "nothing"


FULL_VIEW = (CheckBasis.CONSENT, CheckBasis.OFFICER)  # the bases that show every credential


@dataclass(frozen=True)
class CredentialView:
    """A credential as a check shows it: the qualification's code and name (the catalogue's,
    else the code), the level (None when the qualification has none) and its name in the one
    wording (``core.levels``, e.g. "四级/中级工"; "" without a level), the number, the status
    and its label, the issue and expiry days, the last valid day (``valid_through``), the
    conclusion of a recorded check (``outcome``; None otherwise) and whether it counts today
    (China date)."""

    code: str
    name: str
    level: int | None
    level_name: str
    number: str
    status: CredentialStatus
    status_label: str
    issued_on: date
    expires_on: date | None
    valid_through: date | None
    outcome: CheckOutcome | None
    counts_today: bool


@dataclass
class CheckResult:
    """One person's check: the basis (what could be shown, and why), the name as shown
    (masked without consent), the credentials shown, the page's message and, in a bulk check,
    the list's row number."""

    basis: CheckBasis
    name: str
    credentials: list[CredentialView] = field(default_factory=list)
    message: str = ""
    row: int | None = None


async def consenting_facility(actor: Actor, person_id: int) -> int | None:
    """One of the actor's facilities where the person works with consent, if any."""
    ids = await operated_ids(actor)
    if not ids:
        return None
    row = await StaffLink.select(StaffLink.facility).where(
        (StaffLink.person == person_id) & (StaffLink.status == LinkStatus.ACTIVE)
        & StaffLink.facility.is_in(ids)).first()
    return row["facility"] if row else None


async def _names() -> dict[str, str]:
    return {r["code"]: r["name"] for r in await Qualification.select(
        Qualification.code, Qualification.name)}


def valid_through(row: dict, today: date) -> date | None:
    """The last valid day a credential view shows: a health check's by the compliance rules in
    force (the day before its anniversary, ``health_check_valid_through``), none for a
    background check (it has no validity), else the credential's ``expires_on``."""
    if row["code"] == "HEALTH_CERT":
        return health_check_valid_through(row["issued_on"], rules_in_force(today))
    if row["code"] == "BACKGROUND_CHECK":
        return None
    return row["expires_on"]


def _counts_today(row: dict, through: date | None, today: date) -> bool:
    if row["code"] == "HEALTH_CERT":
        if row["status"] != CredentialStatus.VALID or row["outcome"] != CheckOutcome.PASS:
            return False
        return through is not None and row["issued_on"] <= today <= through
    if row["code"] == "BACKGROUND_CHECK":
        return row["status"] == CredentialStatus.VALID and row["outcome"] == CheckOutcome.CLEAR
    return counts_on(row, today)


def _view(row: dict, names: dict[str, str], levels: dict[tuple[str, int], str],
          through: date | None, counts_today: bool) -> CredentialView:
    """A credential row as a check shows it, named by the catalogue (``names``, by code) and
    the level names (``levels``, by code and level)."""
    level = row["level"]
    return CredentialView(
        code=row["code"], name=names.get(row["code"], row["code"]), level=level,
        level_name=levels.get((row["code"], level), level_label(level)) if level else "",
        number=row["number"], status=CredentialStatus(row["status"]),
        status_label=STATUS_LABELS.get(row["status"], row["status"]),
        issued_on=row["issued_on"], expires_on=row["expires_on"], valid_through=through,
        outcome=CheckOutcome(row["outcome"]) if row["outcome"] else None,
        counts_today=counts_today)


async def full_view(person_id: int) -> list[CredentialView]:
    """Every credential the registry holds for the person, newest issue first, with whether
    each counts today (China date): what consent or an officer's role shows."""
    today, names, levels = clock.today(), await _names(), await level_names()
    rows = await Credential.select(
        Credential.code, Credential.level, Credential.number, Credential.issued_on,
        Credential.expires_on, Credential.status, Credential.outcome).where(
        Credential.person == person_id).order_by(Credential.issued_on, ascending=False)
    views = []
    for row in rows:
        through = valid_through(row, today)
        views.append(_view(row, names, levels, through, _counts_today(row, through, today)))
    return views


async def public_view(number: str, name: str) -> list[CredentialView]:
    """What public verification shows: the certificate with that number, if the name matches
    (none for a health or background check)."""
    if not number.strip():
        return []
    row = await Credential.select(
        Credential.code, Credential.level, Credential.number, Credential.issued_on,
        Credential.expires_on, Credential.status, Credential.outcome,
        Credential.person.name.as_alias("holder")).where(
        (Credential.number == number.strip().upper()) | (Credential.number == number.strip())
    ).first()
    if row is None or not names_match(row["holder"], name) or row["code"] in (
            "HEALTH_CERT", "BACKGROUND_CHECK"):
        return []
    return [_view(row, await _names(), await level_names(), row["expires_on"],
                  counts_on(row, clock.today()))]


# What a view showed the viewer (CredentialAccessLog.shown), as the person reads it.
SHOWN = {Shown.FULL: "全部证书记录", Shown.PUBLIC_RESULT: "仅公开查验结果",
         Shown.NOTHING: "未显示任何证书"}
# The organisation an officer's view is named by in the person's log.
OFFICER_ORGANISATIONS = {Role.HRSS_OFFICER: "人社局", Role.EDU_OFFICER: "教育局",
                         Role.HEALTH_REVIEWER: "卫健委", Role.ADMIN: "登记平台管理员"}


async def organisation_of(actor: Actor, facility_id: int | None) -> tuple[int | None, str]:
    """(facility id, organisation name) a view is logged under: the facility it was made for,
    else the operator's facility (their facilities' names when several), else the officer's
    bureau."""
    if facility_id is None and actor.role == Role.FACILITY_OPERATOR:
        ids = await operated_ids(actor)
        if len(ids) == 1:
            facility_id = ids[0]
        elif ids:
            rows = await Facility.select(Facility.name).where(Facility.id.is_in(ids)).order_by(
                Facility.id)
            return None, "、".join(r["name"] for r in rows)[:200]
    if facility_id is not None:
        row = await Facility.select(Facility.name).where(Facility.id == facility_id).first()
        return facility_id, row["name"] if row else ""
    return None, OFFICER_ORGANISATIONS.get(actor.role, "")


async def log_view(actor: Actor, person_id: int, facility_id: int | None, reason: str,
                   basis: CheckBasis, via: str, shown: Shown = Shown.FULL) -> None:
    """Write one view of a person's credentials to their access log (in the caller's transaction,
    else in its own): who (organisation and user), when, why, on what basis, what was shown."""
    async with db.transaction():
        facility_id, organisation = await organisation_of(actor, facility_id)
        await CredentialAccessLog(
            at=clock.now(), person=person_id, viewer_id=actor.user_id,
            viewer_name=actor.username, facility=facility_id, reason=reason.strip()[:500],
            basis=basis, via=via, shown=shown, organisation=organisation).save()


async def check_person(actor: Actor, id_type: str, id_number: str, name: str, reason: str,
                       number: str = "", via: str = "check") -> CheckResult:
    """One check in one transaction (the view is logged)."""
    async with db.transaction():
        if not (actor.role == Role.FACILITY_OPERATOR or is_officer(actor)):
            raise ValidationError("无权查询", "id_number")
        id_type = id_type or IdType.RESIDENT
        number_norm = normalise_id_number(id_number, id_type)
        name = normalise_name(name)
        if not reason.strip():
            raise ValidationError("请填写查询事由", "reason")
        person = await find_person(id_type, number_norm)  # their own number or a linked one
        if person is not None and names_match(person.name, name):
            facility_id = None if is_officer(actor) else await consenting_facility(actor, person.id)
            if is_officer(actor) or facility_id is not None:
                basis = CheckBasis.OFFICER if is_officer(actor) else CheckBasis.CONSENT
                await log_view(actor, person.id, facility_id, reason, basis, via)
                return CheckResult(basis, person.name, await full_view(person.id))
        public = await public_view(number, name)
        if person is not None and names_match(person.name, name):
            # identified without consent: logged too, with what the public result showed
            await log_view(actor, person.id, None, reason, CheckBasis.PUBLIC, via,
                           Shown.PUBLIC_RESULT if public else Shown.NOTHING)
        said_no = None
        if (person is not None and names_match(person.name, name)
                and actor.role == Role.FACILITY_OPERATOR):
            said_no = await consent_said_no(actor, person.id)
        return CheckResult(CheckBasis.PUBLIC, mask_name(name), public,
                           public_message(said_no, bool(public)))


async def consent_said_no(actor: Actor, person_id: int) -> str | None:
    """``consent_withdrawn`` or ``consent_refused`` when the person has a staff link at one of
    the operator's facilities in that state (withdrawn first), else None."""
    ids = await operated_ids(actor)
    if not ids:
        return None
    rows = await StaffLink.select(StaffLink.status).where(
        (StaffLink.person == person_id) & StaffLink.facility.is_in(ids)
        & StaffLink.status.is_in([LinkStatus.CONSENT_WITHDRAWN, LinkStatus.CONSENT_REFUSED]))
    statuses = {r["status"] for r in rows}
    for status in (LinkStatus.CONSENT_WITHDRAWN, LinkStatus.CONSENT_REFUSED):
        if status in statuses:
            return status
    return None


def public_message(said_no: str | None, has_public: bool) -> str:
    """Why a check shows only the public result: the person withdrew or refused their consent
    to one of the operator's facilities, or there is no link with consent at all. Pure."""
    reason = {"consent_withdrawn": "本人已撤回授权",
              "consent_refused": "本人已拒绝授权"}.get(said_no or "")
    if reason is None:
        return ("未获本人授权（无在职关联或同意），仅显示公开查验结果"
                if has_public else "未获本人授权，需凭证书编号和姓名进行公开查验")
    return (f"{reason}，仅显示公开查验结果" if has_public
            else f"{reason}，需凭证书编号和姓名进行公开查验")


def parse_list(data: bytes, filename: str) -> list[dict[str, str]]:
    """Rows of (id_type, id_number, name[, certificate number]) from XLSX or CSV."""
    if data[:2] == b"PK":
        from openpyxl import load_workbook

        try:
            infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
            raise ValidationError("无法读取该 XLSX 文件", "file") from None
        if zip_inflated(infos):  # before anything is decompressed
            raise ValidationError("文件解压后过大（疑似压缩炸弹），请只保留名单后重新上传", "file")
        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
            # the ID column keeps its cell value: a number there is Excel's damage (core.id_cells);
            # reading stops past the limit (a header row and a few blank rows allowed for)
            rows = [[v if i == 1 and isinstance(v, (int, float)) else
                     ("" if v is None else str(v)).strip() for i, v in enumerate(r)]
                    for r in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 50)]
        except Exception:  # noqa: BLE001 — any unreadable workbook is the user's file
            raise ValidationError("无法读取该 XLSX 文件", "file") from None
        if sheet.max_row and sheet.max_row > MAX_ROWS + 50:
            raise ValidationError(f"一次最多核查 {MAX_ROWS} 人", "file")
    else:
        text = None
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        if text is None:
            raise ValidationError("CSV 文件编码无法识别（请用 UTF-8 或 GBK）", "file")
        rows = [[c.strip() for c in r] for r in csv.reader(io.StringIO(text))]
    rows = [r for r in rows if any(r)]
    if rows and rows[0] and ("证件" in str(rows[0][0]) or "id" in str(rows[0][0]).lower()):
        rows = rows[1:]
    if not rows:
        raise ValidationError("文件中没有数据行", "file")
    if len(rows) > MAX_ROWS:
        raise ValidationError(f"一次最多核查 {MAX_ROWS} 人", "file")
    out = []
    for r in rows:
        r = r + [""] * (4 - len(r))
        id_type = r[0] or IdType.RESIDENT
        row = {"id_type": id_type, "id_number": r[1], "name": r[2], "number": r[3]}
        if id_type == IdType.RESIDENT:  # what Excel did to the cell: cleaned, or explained
            cell = clean_id_cell(r[1])
            row["id_number"] = cell.id_number or strip_excel_marks(str(r[1]))[0]
            if cell.problem and not cell.id_number:
                row["problem"] = cell.problem
        else:
            row["id_number"] = strip_excel_marks(str(r[1]))[0]
        out.append(row)
    return out


async def bulk_check(actor: Actor, rows: list[dict[str, str]], reason: str) -> list[CheckResult]:
    async with db.transaction():
        results = []
        for i, row in enumerate(rows, start=2):
            try:
                if row.get("problem"):
                    raise ValidationError(row["problem"], "id_number")
                result = await check_person(actor, row["id_type"], row["id_number"], row["name"],
                                            reason, row["number"], via="bulk")
            except DomainError as error:
                result = CheckResult(CheckBasis.INVALID,
                                     mask_name(row["name"]) if row["name"] else "",
                                     message=error.message)
            result.row = i
            results.append(result)
        return results


# The download of a bulk check: one row per credential shown, at least one per person.
EXPORT_HEADERS = ("行号", "姓名", "核查结果", "资质", "等级", "证书编号", "状态", "有效期至",
                  "今日是否有效", "说明")
BASIS_WORDS = {CheckBasis.CONSENT: "已授权：显示全部记录",
               CheckBasis.OFFICER: "已授权：显示全部记录",
               CheckBasis.PUBLIC: "未获授权——仅显示公开查验结果",
               CheckBasis.INVALID: "数据有误"}
NO_CREDENTIALS = "登记库中没有该人员的证书记录"


def export_rows(results: list[CheckResult]) -> list[list[Any]]:
    """The rows of a bulk check's download (EXPORT_HEADERS), one per person of the list,
    exactly what the results page shows and no more: the list's row number, the name as shown
    (masked without consent), the basis (未获授权——仅显示公开查验结果 without consent), and of
    the credentials shown their qualifications, levels (core.levels wording), numbers, statuses,
    last valid days and whether each counts today, one line per credential in each of those
    cells (the same order in every cell), all labelled (core.labels); the page's message in
    说明. Never an ID number. Pure over the results (catalogue names from the label table)."""
    rows: list[list[Any]] = []
    for result in results:
        note = result.message or (NO_CREDENTIALS if result.basis in FULL_VIEW
                                  and not result.credentials else "")
        columns: list[list[str]] = [[] for _ in range(6)]
        for c in result.credentials:
            name = label("qualification", c.code)
            values = (c.name if name == c.code else name, c.level_name or "—",
                      c.number or "—", label("credential_status", c.status),
                      c.valid_through.isoformat() if c.valid_through else "—",
                      "有效" if c.counts_today else "无效")
            for column, value in zip(columns, values, strict=True):
                column.append(str(value))
        rows.append([result.row, result.name, BASIS_WORDS.get(result.basis, result.basis),
                     *("\n".join(column) for column in columns), note])
    return rows


async def record_export(actor: Actor, reason: str, persons: int, rows: int) -> None:
    """Audit one download of a bulk check's results (one transaction): who, the
    check's reason, how many people and rows."""
    async with db.transaction():
        await audit.record(actor, "credential_check.export", "credential_check",
                           after={"reason": reason, "persons": persons, "rows": rows,
                                  "format": "XLSX"})


@dataclass(frozen=True)
class AccessEntry:
    """One view of a person's credentials as their access log lists it: when, the
    organisation as the person reads it (``organisation``; older rows may have only the
    facility), the facility it was made for (id and name, None for an officer's view), the
    viewing user's name, the reason given, the basis (consent, officer or public), how it was
    made (``via``: check, bulk, staff, download) and what it showed."""

    id: int
    at: datetime
    organisation: str
    facility_id: int | None
    facility_name: str | None
    viewer_name: str
    reason: str
    basis: CheckBasis
    via: str
    shown: Shown


async def access_log_for_person(person_id: int, limit: int = 100) -> list[AccessEntry]:
    """The person's access log, newest first, at most ``limit`` entries."""
    rows = await CredentialAccessLog.select(
        CredentialAccessLog.id, CredentialAccessLog.at, CredentialAccessLog.organisation,
        CredentialAccessLog.facility, CredentialAccessLog.facility.name.as_alias("facility_name"),
        CredentialAccessLog.viewer_name, CredentialAccessLog.reason, CredentialAccessLog.basis,
        CredentialAccessLog.via, CredentialAccessLog.shown,
    ).where(CredentialAccessLog.person == person_id).order_by(
        CredentialAccessLog.at, ascending=False).limit(limit)
    return [AccessEntry(
        id=r["id"], at=r["at"], organisation=r["organisation"], facility_id=r["facility"],
        facility_name=r["facility_name"], viewer_name=r["viewer_name"], reason=r["reason"],
        basis=CheckBasis(r["basis"]), via=r["via"], shown=Shown(r["shown"]),
    ) for r in rows]


async def download_checker(user: CurrentUser, person_id: int) -> bool:
    """certification.access: an operator whose facility employs the person with consent."""
    if user.role != Role.FACILITY_OPERATOR:
        return False
    actor = Actor.of(user)
    facility_id = await consenting_facility(actor, person_id)
    if facility_id is None:
        return False
    await log_view(actor, person_id, facility_id, "下载证书", CheckBasis.CONSENT, "download")
    return True
