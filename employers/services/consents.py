"""Consent both ways (PIPL 第十四条 consent freely given; 第十五条 the right to withdraw it, easily,
without undoing earlier lawful processing).

A staff link's consent is given by the person online or by a signed form the operator uploads,
refused by the person, and withdrawn by the person in their account at any time, or — for a
paper consent the person cannot withdraw online — by a 人社局 officer on the person's written
request (its reference and scan kept). Every answer is a ``StaffConsent`` history row. A
withdrawn link stays (the person still works there, shown as "本人已撤回授权"), but the employer
sees none of the person's credentials from that moment: checks, downloads and the staff page
require an ``active`` link, and the compliance snapshot lists the person without credentials
(``employers.services.snapshots``). Filings already submitted keep their frozen snapshot.
Re-linking after a refusal or withdrawal is a new request (``request_again``) needing new consent.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel

from core import audit, clock, db, files
from core.actor import Actor
from core.errors import Conflict, Forbidden, NotFound, ValidationError
from core.roles import Role
from core.uploads import check_upload
from employers.facilities import LinkStatus
from employers.services.rechecks import recheck
from employers.tables import CredentialAccessLog, Facility, StaffConsent, StaffLink

SCAN_KINDS = frozenset({"pdf", "jpeg", "png"})
MAX_SCAN_BYTES = 5 * 1024 * 1024
# Who acts on a person's written request to withdraw a paper consent (人社局).
WITHDRAWING_OFFICERS = frozenset({Role.HRSS_OFFICER, Role.ADMIN})


class WithdrawnVia(StrEnum):
    """How a consent was withdrawn (StaffConsent.withdrawn_via): by the person in their
    account, or by a 人社局 officer on the person's written request."""

    PERSON = "person"
    OFFICER_WRITTEN_REQUEST = "officer_written_request"


WITHDRAWN_VIA = {WithdrawnVia.PERSON: "本人在账户中撤回",
                 WithdrawnVia.OFFICER_WRITTEN_REQUEST: "人社局依本人书面申请撤回"}


# The person's page where they accept, refuse or withdraw (/employers/my): its title, also
# its menu entry and how messages to the person name it.
MY_PAGE_TITLE = "我的任职与查询记录"
PAPER_AFTER_NO = ("本人曾拒绝或撤回对本机构的授权，不能再以上传同意书代为同意；"
                  f"须由本人登录平台在“{MY_PAGE_TITLE}”中同意")


async def ensure_paper_allowed(link: StaffLink) -> None:
    """A signed form uploaded by the operator cannot overrule the person's own "no": once the
    person refused or withdrew a consent to this facility (in their account, or through 人社局
    on a written request), only the person's online acceptance makes a link active again
    (PIPL 第十五条: a withdrawal must not be undone by the processor). Raises Conflict (409)."""
    said_no = await StaffConsent.exists().where(
        (StaffConsent.person == link.person) & (StaffConsent.facility == link.facility)
        & (StaffConsent.refused_at.is_not_null() | StaffConsent.withdrawn_at.is_not_null()))
    if said_no:
        raise Conflict(PAPER_AFTER_NO, "consent_form")


async def record_given(link: StaffLink, how: str, file_id: int | None, at: datetime) -> None:
    """A consent given (``how``: trainee_accepted | form_uploaded): a new history row."""
    await StaffConsent(staff_link=link.id, person=link.person, facility=link.facility,
                       given_at=at, how=how, file=file_id, created_at=at).save()


async def _own_link(link_id: int, actor: Actor) -> StaffLink:
    link = await StaffLink.objects().output(load_json=True).where(StaffLink.id == link_id).first()
    if link is None or actor.person_id is None or link.person != actor.person_id:
        raise NotFound("未找到该关联")
    return link


async def _set_status(link: StaffLink, status: str, actor: Actor, action: str,
                      note: str = "") -> StaffLink:
    before = link.status
    link.status, link.updated_at = status, clock.now()
    await link.save()
    await audit.record(actor, action, "staff_link", link.id, before={"status": before},
                       after={"status": status}, note=note)
    await recheck([link.facility])
    return link


async def refuse(link_id: int, actor: Actor) -> StaffLink:
    """The person refuses a pending request: the link becomes ``consent_refused``; the employer
    never sees the person's credentials through it. Raises NotFound (not the person's link) or
    Conflict (not pending)."""
    async with db.transaction():
        link = await _own_link(link_id, actor)
        if link.status != LinkStatus.PENDING_CONSENT:
            raise Conflict("该关联不在待同意状态")
        now = clock.now()
        await StaffConsent(staff_link=link.id, person=link.person, facility=link.facility,
                           refused_at=now, created_at=now).save()
        return await _set_status(link, LinkStatus.CONSENT_REFUSED, actor,
                                 "staff_link.consent_refuse")


async def _current(link: StaffLink) -> StaffConsent:
    row = await StaffConsent.objects().where(
        (StaffConsent.staff_link == link.id) & StaffConsent.given_at.is_not_null()
        & StaffConsent.withdrawn_at.is_null()).order_by(StaffConsent.id, ascending=False).first()
    if row is None:  # a consent given before the history existed and missed by the backfill
        row = StaffConsent(staff_link=link.id, person=link.person, facility=link.facility,
                           given_at=link.consent_at or clock.now(), how=link.consent,
                           file=link.consent_file, created_at=clock.now())
    return row


async def _withdraw(link: StaffLink, actor: Actor, via: WithdrawnVia, reference: str = "",
                    file_id: int | None = None) -> StaffLink:
    if link.status != LinkStatus.ACTIVE:
        raise Conflict("该关联当前没有有效的授权，无需撤回")
    row = await _current(link)
    row.withdrawn_at, row.withdrawn_by_user, row.withdrawn_via = clock.now(), actor.user_id, via
    row.withdrawal_reference, row.withdrawal_file = reference, file_id
    await row.save()
    return await _set_status(link, LinkStatus.CONSENT_WITHDRAWN, actor,
                             "staff_link.consent_withdraw",
                             note=WITHDRAWN_VIA[via] + (f"（{reference}）" if reference else ""))


async def withdraw(link_id: int, actor: Actor) -> StaffLink:
    """The person withdraws a given consent (online or paper) in their account, at once."""
    async with db.transaction():
        return await _withdraw(await _own_link(link_id, actor), actor, WithdrawnVia.PERSON)


async def withdraw_on_written_request(link_id: int, reference: str, scan: bytes, filename: str,
                                      actor: Actor) -> StaffLink:
    """A 人社局 officer withdraws a consent on the person's written request: the request's
    reference (e.g. 收文编号) and its scan (PDF/JPEG/PNG ≤ 5 MB) are required and kept.
    Raises Forbidden (not 人社局), NotFound, ValidationError (reference, scan), Conflict."""
    async with db.transaction():
        if actor.role not in WITHDRAWING_OFFICERS:
            raise Forbidden()
        link = await StaffLink.objects().output(load_json=True).where(
            StaffLink.id == link_id).first()
        if link is None:
            raise NotFound("未找到该人员关联")
        reference = reference.strip()
        if not reference:
            raise ValidationError("请填写本人书面申请的编号", "reference")
        if len(reference) > 100:
            raise ValidationError("书面申请编号不能超过 100 个字符", "reference")
        if link.status != LinkStatus.ACTIVE:
            raise Conflict("该关联当前没有有效的授权，无需撤回")
        kind = check_upload(scan, allowed=SCAN_KINDS, max_bytes=MAX_SCAN_BYTES, field="scan",
                            label="书面申请扫描件")
        stored = await files.save_file(scan, kind=kind, original_name=filename, actor=actor)
        return await _withdraw(link, actor, WithdrawnVia.OFFICER_WRITTEN_REQUEST, reference,
                               stored.id)


async def request_again(link_id: int, actor: Actor) -> StaffLink:
    """The operator asks again after a refusal or withdrawal: a new request (pending_consent)
    that needs a new consent; the earlier answers stay in the history."""
    async with db.transaction():
        from employers.services.staff import link_for

        link = await link_for(link_id, actor, act=True)
        if link.status not in (LinkStatus.CONSENT_REFUSED, LinkStatus.CONSENT_WITHDRAWN):
            raise Conflict("只有本人拒绝或撤回授权的关联才能重新请求同意")
        link.consent, link.consent_file, link.consent_at = None, None, None
        return await _set_status(link, LinkStatus.PENDING_CONSENT, actor,
                                 "staff_link.consent_request")


class ConsentEntry(BaseModel, frozen=True):
    """One answer in a staff link's consent history (a ``StaffConsent`` row) with the
    facility's name: given (when, ``how`` a ``ConsentHow`` code), refused (when), or given then
    withdrawn (when, ``withdrawn_via`` a ``WithdrawnVia`` code, the written request's
    reference). The API's ConsentOut is this shape."""

    id: int
    staff_link_id: int
    facility_id: int
    facility_name: str
    given_at: datetime | None
    how: str | None
    refused_at: datetime | None
    withdrawn_at: datetime | None
    withdrawn_via: str | None
    withdrawal_reference: str


async def _history(where: Any) -> list[ConsentEntry]:
    rows = await StaffConsent.select(
        StaffConsent.id, StaffConsent.staff_link, StaffConsent.facility,
        StaffConsent.facility.name.as_alias("facility_name"), StaffConsent.given_at,
        StaffConsent.how, StaffConsent.refused_at, StaffConsent.withdrawn_at,
        StaffConsent.withdrawn_via, StaffConsent.withdrawal_reference,
    ).where(where).order_by(StaffConsent.id, ascending=False)
    return [ConsentEntry(
        id=r["id"], staff_link_id=r["staff_link"], facility_id=r["facility"],
        facility_name=r["facility_name"], given_at=r["given_at"], how=r["how"],
        refused_at=r["refused_at"], withdrawn_at=r["withdrawn_at"],
        withdrawn_via=r["withdrawn_via"], withdrawal_reference=r["withdrawal_reference"],
    ) for r in rows]


async def history_of_person(person_id: int) -> list[ConsentEntry]:
    """The person's consent history, newest first, with the facility's name."""
    return await _history(StaffConsent.person == person_id)


async def history_of_link(link_id: int) -> list[ConsentEntry]:
    """One staff link's consent history, newest first."""
    return await _history(StaffConsent.staff_link == link_id)


async def backfill() -> tuple[int, int]:
    """Data migration (2026-11-30T01:30): every consent already given (a link with ``consent``
    set) becomes a history row dated ``consent_at``, once; earlier credential views get their
    facility's name as organisation. Returns (history rows added, views named)."""
    link, consent = StaffLink._meta.tablename, StaffConsent._meta.tablename
    facility, log = Facility._meta.tablename, CredentialAccessLog._meta.tablename
    missing = (f"FROM {link} l WHERE l.consent IS NOT NULL AND l.consent_at IS NOT NULL "
               f"AND NOT EXISTS (SELECT 1 FROM {consent} c WHERE c.staff_link = l.id)")
    given = (await StaffLink.raw(f"SELECT COUNT(*) AS n {missing}"))[0]["n"]
    await StaffLink.raw(
        f"INSERT INTO {consent} (staff_link, person, facility, given_at, how, file, "
        f"withdrawal_reference, created_at) SELECT l.id, l.person, l.facility, l.consent_at, "
        f"l.consent, l.consent_file, '', l.consent_at {missing}")
    unnamed = (f"FROM {log} a WHERE a.organisation = '' AND a.facility IS NOT NULL")
    named = (await StaffLink.raw(f"SELECT COUNT(*) AS n {unnamed}"))[0]["n"]
    await StaffLink.raw(
        f"UPDATE {log} SET organisation = (SELECT f.name FROM {facility} f "
        f"WHERE f.id = {log}.facility) WHERE organisation = '' AND facility IS NOT NULL")
    return int(given), int(named)

