"""Credentials issued elsewhere (保安员证, health checks, background checks, 卫生保健 training),
recorded by officers and facility operators with a scan checked by content."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from certification.services.catalogue import expiry_for, qualification
from core import clock, db
from core.actor import Actor
from core.credentials import CredentialInput, create_credential, normalise_recorded_number
from core.errors import NotFound, ValidationError
from core.files import save_file
from core.happened import require_happened
from core.labels import KERNEL_LABELS
from core.pagination import Page
from core.people import PersonInput, find_or_create_person
from core.roles import Role
from core.tables import Credential, Qualification
from core.uploads import SCAN_KINDS, check_upload

MAX_SCAN_BYTES = 5 * 1024 * 1024
OUTCOME_LABELS = dict(KERNEL_LABELS["outcome"])  # the label table's words for a check's result
NO_VALIDITY_CODE = "BACKGROUND_CHECK"  # a background check records a fact, it does not lapse
SEE_ALL_ROLES = frozenset({Role.HRSS_OFFICER, Role.EDU_OFFICER, Role.HEALTH_REVIEWER, Role.ADMIN})


@dataclass(frozen=True)
class ExternalInput:
    id_type: str
    id_number: str
    name: str
    code: str
    number: str
    issuer_name: str
    issued_on: date | None
    expires_on: date | None = None
    outcome: str | None = None


async def external_codes() -> list[tuple[str, str]]:
    rows = await Qualification.select(Qualification.code, Qualification.name).where(
        (Qualification.kind == "external") & (Qualification.active == True))  # noqa: E712
    return [(r["code"], r["name"]) for r in rows]


async def record_external(data: ExternalInput, scan: bytes, scan_name: str, actor: Actor) -> int:
    if data.code not in dict(await external_codes()):
        raise ValidationError("请选择证件类别", "code")
    if not data.issuer_name.strip():
        raise ValidationError("请填写发证机构", "issuer_name")
    if data.issued_on is None:
        raise ValidationError("请填写发证（检查）日期", "issued_on")
    require_happened(data.issued_on, clock.today(), "issued_on", "发证（检查）日期")
    number = normalise_recorded_number(data.number)
    kind = check_upload(scan, allowed=SCAN_KINDS, max_bytes=MAX_SCAN_BYTES, field="scan",
                        label="扫描件")
    info = await qualification(data.code)
    expires_on = _expires_on(data, info.validity_months)
    async with db.transaction():
        person = await find_or_create_person(
            PersonInput(data.id_type, data.id_number, data.name), actor)
        stored = await save_file(scan, kind=kind, original_name=scan_name, actor=actor)
        row = await create_credential(CredentialInput(
            person_id=person.id, code=data.code, number=number,
            issued_on=data.issued_on, issuer_name=data.issuer_name.strip(),
            expires_on=expires_on, source="recorded", outcome=data.outcome or None,
            scan_id=stored.id, origin_type="manual",
        ), actor)
        return row.id


def _expires_on(data: ExternalInput, validity_months: int | None) -> date | None:
    """The last valid day: the rule's for a catalogue validity period (core.validity: health
    checks end the day before the anniversary), none for background checks (they have no
    validity, docs/domain.md), else the date on the paper if any.

    Raises ValidationError (expires_on) when the entered date contradicts that."""
    assert data.issued_on is not None
    if data.code == NO_VALIDITY_CODE:
        if data.expires_on is not None:
            raise ValidationError("无犯罪及无虐童记录证明没有有效期，请勿填写有效期至",
                                  "expires_on")
        return None
    rule = expiry_for(data.issued_on, validity_months)
    if rule is not None and data.expires_on is not None and data.expires_on != rule:
        raise ValidationError(
            f"有效期至按检查（发证）日期计算为 {rule.isoformat()}（周年日的前一日），"
            "请留空或填写该日期", "expires_on")
    return rule or data.expires_on


def _visible(actor: Actor):
    condition = Credential.source == "recorded"
    if actor.role not in SEE_ALL_ROLES:
        condition = condition & (Credential.recorded_by == actor.user_id)
    return condition


@dataclass(frozen=True)
class ExternalRecord:
    """A credential recorded from elsewhere as the list shows it: its code, number, issuer,
    dates (``expires_on`` None: no validity), a check's outcome, status, holder and its scan
    (a stored file id, or None)."""

    id: int
    code: str
    number: str
    issuer_name: str
    issued_on: date
    expires_on: date | None
    outcome: str | None
    status: str
    holder_name: str
    scan_id: int | None

    @property
    def issuer(self) -> str:
        """Who issued it, as recorded."""
        return self.issuer_name

    @property
    def has_scan(self) -> bool:
        """Whether a scan is kept."""
        return self.scan_id is not None


async def list_external(actor: Actor, page: int, per_page: int,
                        q: str = "") -> Page[ExternalRecord]:
    """The external credentials ``actor`` may see (an operator: those they recorded), newest
    first, matching ``q`` (part of the holder's name, or the number)."""
    where = _visible(actor)
    if q.strip():
        try:  # numbers are stored folded (normalise_recorded_number)
            number = normalise_recorded_number(q)
        except ValidationError:
            number = q.strip()
        where = where & (Credential.person.name.like(f"%{q.strip()}%")
                         | (Credential.number == number))
    total = await Credential.count().where(where)
    result: Page[ExternalRecord] = Page([], page, per_page, total, query={"q": q})
    rows = await Credential.select(
        Credential.id, Credential.code, Credential.number, Credential.issuer_name,
        Credential.issued_on, Credential.expires_on, Credential.outcome, Credential.status,
        Credential.scan, Credential.person.name.as_alias("holder_name"),
    ).where(where).order_by(Credential.id, ascending=False).limit(per_page).offset(result.offset)
    result.items = [ExternalRecord(
        id=r["id"], code=r["code"], number=r["number"], issuer_name=r["issuer_name"],
        issued_on=r["issued_on"], expires_on=r["expires_on"], outcome=r["outcome"],
        status=r["status"], holder_name=r["holder_name"], scan_id=r["scan"],
    ) for r in rows]
    return result


async def scan_of(credential_id: int, actor: Actor) -> int:
    row = await Credential.select(Credential.scan).where(
        _visible(actor) & (Credential.id == credential_id)).first()
    if row is None or row["scan"] is None:
        raise NotFound("未找到该记录")
    return row["scan"]
