"""Staff links: link a person (found or created by ID), their consent, terms, leaving, and the
health and background checks recorded for them as credentials."""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass
from datetime import date, datetime

from core import audit, clock, db, files
from core.actor import Actor
from core.credentials import (
    OUTCOMES,
    CredentialInput,
    create_credential,
    normalise_recorded_number,
)
from core.errors import Conflict, Forbidden, NotFound, ValidationError
from core.happened import require_happened
from core.identity import mask_id_number
from core.people import PersonInput, find_or_create_person
from core.roles import Role
from core.tables import Credential, Person
from core.uploads import check_upload
from employers import notices
from employers.facilities import ConsentHow, LinkStatus, StaffTerms
from employers.services import consents
from employers.services.access import facility_for, is_officer, may_see
from employers.services.rechecks import recheck
from employers.services.snapshots import staff_id
from employers.tables import ClassAssignment, StaffLink

SCAN_KINDS = frozenset({"pdf", "jpeg", "png"})
MAX_SCAN_BYTES = 5 * 1024 * 1024
CHECK_CODES = OUTCOMES  # the checks an operator records, each with its conclusions


async def link_person(facility_id: int, person: PersonInput, terms: StaffTerms,
                      actor: Actor) -> StaffLink:
    """Link a person to a facility; the link waits for the person's consent."""
    async with db.transaction():
        await facility_for(facility_id, actor, act=True)
        terms = terms.normalised()
        row = await find_or_create_person(person, actor)
        if await StaffLink.exists().where(
                (StaffLink.facility == facility_id) & (StaffLink.person == row.id)
                & (StaffLink.status != LinkStatus.ENDED)):
            raise Conflict("该人员已在本机构在职或待同意", "id_number")
        now = clock.now()
        link = StaffLink(facility=facility_id, person=row.id, positions=terms.positions,
                         employment=terms.employment, employment_form=terms.employment_form,
                         started_on=terms.started_on, management_years=terms.management_years,
                         status=LinkStatus.PENDING_CONSENT, created_by=actor.user_id,
                         created_at=now, updated_at=now)
        await link.save()
        await audit.record(actor, "staff_link.create", "staff_link", link.id,
                           after={"facility": facility_id, "person": row.id, **asdict(terms)})
        await notices.consent_requested(link.id)  # SMS asking the person for consent
        await recheck([facility_id])
        return link


async def link_for(link_id: int, actor: Actor, *, act: bool = False) -> StaffLink:
    link = await StaffLink.objects().output(load_json=True).where(StaffLink.id == link_id).first()
    if link is None:
        raise NotFound("未找到该人员关联")
    await facility_for(link.facility, actor, act=act)
    return link


async def update_terms(link_id: int, terms: StaffTerms, actor: Actor) -> StaffLink:
    async with db.transaction():
        link = await link_for(link_id, actor, act=True)
        if link.status == LinkStatus.ENDED:
            raise Conflict("该人员已离职，记录不能再修改")
        terms = terms.normalised()
        before = {"positions": link.positions, "employment": link.employment,
                  "employment_form": link.employment_form, "started_on": link.started_on,
                  "management_years": link.management_years}
        link.positions, link.employment = terms.positions, terms.employment
        link.employment_form, link.started_on = terms.employment_form, terms.started_on
        link.management_years, link.updated_at = terms.management_years, clock.now()
        await link.save()
        if "caregiver" not in terms.positions:
            await ClassAssignment.delete().where(ClassAssignment.staff_link == link.id)
        await audit.record(actor, "staff_link.update", "staff_link", link.id, before=before,
                           after=asdict(terms))
        await recheck([link.facility])
        return link


async def end_link(link_id: int, ended_on: date, reason: str, actor: Actor) -> StaffLink:
    """The person leaves: the link is kept as history and the operator's access ends."""
    async with db.transaction():
        link = await link_for(link_id, actor, act=True)
        if link.status == LinkStatus.ENDED:
            raise Conflict("该人员已离职")
        if ended_on < link.started_on:
            raise ValidationError("离职日期不能早于入职日期", "ended_on")
        # the link ends now (access, class assignments, compliance), so the day cannot lie ahead
        require_happened(ended_on, clock.today(), "ended_on", "离职日期")
        before = link.status
        link.status, link.ended_on, link.end_reason = LinkStatus.ENDED, ended_on, reason.strip()
        link.updated_at = clock.now()
        await link.save()
        await ClassAssignment.delete().where(ClassAssignment.staff_link == link.id)
        await audit.record(actor, "staff_link.end", "staff_link", link.id,
                           before={"status": before},
                           after={"status": "ended", "ended_on": ended_on}, note=reason.strip())
        await recheck([link.facility])
        return link


async def accept_link(link_id: int, actor: Actor) -> StaffLink:
    """The registered trainee accepts the link on their own page."""
    async with db.transaction():
        link = await StaffLink.objects().output(load_json=True).where(
            StaffLink.id == link_id).first()
        if link is None or actor.person_id is None or link.person != actor.person_id:
            raise NotFound("未找到该关联")
        if link.status != LinkStatus.PENDING_CONSENT:
            raise Conflict("该关联不在待同意状态")
        return await _consent(link, ConsentHow.TRAINEE_ACCEPTED, None, actor)


async def upload_consent(link_id: int, data: bytes, filename: str, actor: Actor) -> StaffLink:
    """The operator uploads the person's signed consent form (PDF/JPEG/PNG). Raises Conflict
    when the link is not pending or the person refused or withdrew a consent to this facility
    before (consents.ensure_paper_allowed: then only the person accepts)."""
    async with db.transaction():
        link = await link_for(link_id, actor, act=True)
        if link.status != LinkStatus.PENDING_CONSENT:
            raise Conflict("该关联不在待同意状态")
        await consents.ensure_paper_allowed(link)
        kind = check_upload(data, allowed=SCAN_KINDS, max_bytes=MAX_SCAN_BYTES,
                            field="consent_form", label="签字同意书")
        stored = await files.save_file(data, kind=kind, original_name=filename, actor=actor)
        return await _consent(link, ConsentHow.FORM_UPLOADED, stored.id, actor)


async def _consent(link: StaffLink, how: str, file_id: int | None, actor: Actor) -> StaffLink:
    now = clock.now()
    link.consent, link.consent_file, link.consent_at = how, file_id, now
    link.status, link.updated_at = LinkStatus.ACTIVE, now
    await link.save()
    await consents.record_given(link, how, file_id, now)
    # the person hears of it, and can withdraw a form not theirs
    if how == ConsentHow.FORM_UPLOADED:
        await notices.consent_form_recorded(link.id, now)
    await audit.record(actor, "staff_link.consent", "staff_link", link.id,
                       before={"status": "pending_consent"}, after={"status": "active",
                                                                     "consent": how})
    await recheck([link.facility])
    return link


@dataclass(frozen=True)
class CheckInput:
    code: str  # HEALTH_CERT | BACKGROUND_CHECK
    outcome: str
    checked_on: date
    issuer_name: str
    number: str = ""


async def record_check(link_id: int, data: CheckInput, scan: bytes, filename: str,
                       actor: Actor) -> Credential:
    """Record a health or background check with its scan, by the operator or an officer."""
    async with db.transaction():
        link = await StaffLink.objects().output(load_json=True).where(
            StaffLink.id == link_id).first()
        if link is None or not await may_see(link.facility, actor):
            raise NotFound("未找到该人员关联")
        if not (is_officer(actor) or actor.role == Role.FACILITY_OPERATOR):
            raise Forbidden()
        if link.status == LinkStatus.ENDED:
            raise Conflict("该人员已离职")
        if data.code not in CHECK_CODES:
            raise ValidationError("请选择健康检查或背景审查", "code")
        if data.outcome not in CHECK_CODES[data.code]:
            raise ValidationError("请选择检查结论", "outcome")
        require_happened(data.checked_on, clock.today(), "checked_on", "检查日期")
        if not data.issuer_name.strip():
            raise ValidationError("请填写检查机构", "issuer_name")
        prefix = "HC" if data.code == "HEALTH_CERT" else "BG"
        number = (normalise_recorded_number(data.number)
                  or f"{prefix}{data.checked_on:%Y%m%d}{secrets.token_hex(4).upper()}")
        kind = check_upload(scan, allowed=SCAN_KINDS, max_bytes=MAX_SCAN_BYTES, field="scan",
                            label="扫描件")
        stored = await files.save_file(scan, kind=kind, original_name=filename, actor=actor)
        return await create_credential(CredentialInput(
            person_id=link.person, code=data.code, number=number, issued_on=data.checked_on,
            issuer_name=data.issuer_name.strip(), source="recorded", outcome=data.outcome,
            scan_id=stored.id, origin_type="staff_link", origin_id=link.id), actor)


@dataclass(frozen=True)
class StaffMember:
    """One staff link as the facility's page and the API list it: the link's terms and status
    (``status`` a ``LinkStatus``, ``consent`` how it was given or None) and the person's name,
    ID document (type and number, in full: ``id_number_masked`` for display) and education."""

    id: int
    person_id: int
    name: str
    id_type: str
    id_number: str
    education: str | None
    positions: list[str]
    employment: str
    employment_form: str
    started_on: date
    ended_on: date | None
    management_years: int
    status: str
    consent: str | None

    @property
    def snapshot_id(self) -> str:
        """The person's id in the compliance snapshot (``s<link id>``)."""
        return staff_id(self.id)

    @property
    def id_number_masked(self) -> str:
        """The ID number partly hidden, as lists show it."""
        return mask_id_number(self.id_number)


async def staff_of(facility_id: int, include_ended: bool = False) -> list[StaffMember]:
    """The facility's staff links in the order they were made: current and pending ones, and
    with ``include_ended`` those that ended."""
    query = StaffLink.select(
        StaffLink.id, StaffLink.person, StaffLink.person.name.as_alias("name"),
        StaffLink.person.id_type.as_alias("id_type"),
        StaffLink.person.id_number.as_alias("id_number"),
        StaffLink.person.education.as_alias("education"), StaffLink.positions,
        StaffLink.employment, StaffLink.employment_form, StaffLink.started_on,
        StaffLink.ended_on, StaffLink.management_years, StaffLink.status, StaffLink.consent,
    ).where(StaffLink.facility == facility_id).order_by(StaffLink.id).output(load_json=True)
    if not include_ended:
        query = query.where(StaffLink.status != LinkStatus.ENDED)
    return [StaffMember(
        id=r["id"], person_id=r["person"], name=r["name"], id_type=r["id_type"],
        id_number=r["id_number"], education=r["education"], positions=list(r["positions"]),
        employment=r["employment"], employment_form=r["employment_form"],
        started_on=r["started_on"], ended_on=r["ended_on"],
        management_years=r["management_years"], status=r["status"], consent=r["consent"],
    ) for r in await query]


@dataclass(frozen=True)
class OwnLink:
    """One of a person's staff links as the person sees it on their own page: the facility
    (id and name), the positions, the employment and its form, the first and last day
    (``ended_on`` None while it lasts), the status (a ``LinkStatus``), how consent was given
    (``consent``: a ``ConsentHow`` code or None) and when."""

    id: int
    facility_id: int
    facility_name: str
    positions: list[str]
    employment: str
    employment_form: str
    started_on: date
    ended_on: date | None
    status: LinkStatus
    consent: str | None
    consent_at: datetime | None


async def links_of_person(person_id: int) -> list[OwnLink]:
    """A person's own view of their links (trainee page), newest first."""
    rows = await StaffLink.select(
        StaffLink.id, StaffLink.facility, StaffLink.facility.name.as_alias("facility_name"),
        StaffLink.positions, StaffLink.employment, StaffLink.employment_form,
        StaffLink.started_on, StaffLink.ended_on, StaffLink.status, StaffLink.consent,
        StaffLink.consent_at,
    ).where(StaffLink.person == person_id).order_by(StaffLink.id, ascending=False
                                                    ).output(load_json=True)
    return [OwnLink(
        id=r["id"], facility_id=r["facility"], facility_name=r["facility_name"],
        positions=list(r["positions"]), employment=r["employment"],
        employment_form=r["employment_form"], started_on=r["started_on"],
        ended_on=r["ended_on"], status=LinkStatus(r["status"]), consent=r["consent"],
        consent_at=r["consent_at"],
    ) for r in rows]


async def person_of(link: StaffLink) -> Person:
    return await Person.objects().where(Person.id == link.person).first()
