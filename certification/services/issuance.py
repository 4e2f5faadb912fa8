"""Issuing certificates: numbers, verification codes, Credential rows, status-list slots and the
rendering job, all in the caller's one short transaction.

Idempotent by origin: every certificate carries an ``origin_key`` (``exam_result:12``,
``enrolment:7``) that is unique in CertificateRecord, so issuing the same thing twice returns the
certificate already issued instead of a second one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from certification import numbers
from certification.keys import current_key
from certification.services import jobs_queue
from certification.services.catalogue import QualificationInfo, expiry_for, qualification
from certification.services.numbering import allocate
from certification.tables import CertificateRecord
from core import clock, db
from core.actor import Actor
from core.credentials import CredentialInput, create_credential
from core.errors import Conflict, NotFound, ValidationError
from core.tables import Person
from training.tables import Course, Enrolment, ExamResult, Provider


@dataclass(frozen=True)
class NewCertificate:
    person_id: int
    kind: str  # skill | training
    qualification_code: str
    number_prefix: str  # 16 chars (skill) or 9 (training); the serial is allocated here
    issuer_name: str
    issued_on: date
    origin_key: str  # unique: what this certificate was issued for
    origin_type: str = ""
    origin_id: int | None = None
    level: int | None = None
    issuer_code: str = ""
    direction: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    expires_on: date | None = None  # None: from the catalogue's validity
    holder_name: str = ""  # as printed; default the person's current name


def _number(item: NewCertificate, serial: int) -> str:
    if item.kind == "skill":
        return numbers.skill_number(item.number_prefix, serial)
    return numbers.training_number(item.number_prefix, serial)


async def existing_for(origin_key: str) -> int | None:
    row = await CertificateRecord.select(CertificateRecord.credential).where(
        CertificateRecord.origin_key == origin_key).first()
    return row["credential"] if row else None


async def issue(items: list[NewCertificate], actor: Actor, *, job_title: str,
                job_origin: str = "", reason: str = "issue") -> list[int]:
    """Issue each certificate not issued yet; returns the credential ids in order.

    Call inside a transaction (``core.db.transaction``); opens one when there is none.
    """
    async with db.transaction():
        keys = [item.origin_key for item in items]
        done = {r["origin_key"]: r["credential"] for r in await CertificateRecord.select(
            CertificateRecord.origin_key, CertificateRecord.credential,
        ).where(CertificateRecord.origin_key.is_in(keys or [""]))}
        ids: list[int | None] = [done.get(key) for key in keys]
        todo = [item for item, existing in zip(items, ids, strict=True) if existing is None]
        if not todo:
            return [i for i in ids if i is not None]
        catalogue: dict[str, QualificationInfo] = {}
        for item in todo:
            if item.qualification_code not in catalogue:
                catalogue[item.qualification_code] = await qualification(item.qualification_code)
            if item.kind == "skill" and item.level is None:
                raise ValidationError("职业技能等级证书必须有等级", "level")
        await _check_not_before_exam(todo)
        names = {r["id"]: r["name"] for r in await Person.select(Person.id, Person.name).where(
            Person.id.is_in(list({item.person_id for item in todo})))}
        missing = {item.person_id for item in todo} - names.keys()
        if missing:
            raise NotFound("未找到该人员")
        serials: dict[str, list[int]] = {}
        for prefix in {item.number_prefix for item in todo}:
            count = sum(1 for item in todo if item.number_prefix == prefix)
            serials[prefix] = await allocate(prefix, count)
        key = await current_key(actor)
        indexes = await allocate(f"status:{key.id}", len(todo))
        now = clock.now()
        records, new_ids = [], []
        for n, item in enumerate(todo):
            info = catalogue[item.qualification_code]
            credential = await create_credential(CredentialInput(
                person_id=item.person_id, code=item.qualification_code, level=item.level,
                number=_number(item, serials[item.number_prefix].pop(0)),
                issued_on=item.issued_on, issuer_name=item.issuer_name,
                issuer_code=item.issuer_code,
                expires_on=item.expires_on or expiry_for(item.issued_on, info.validity_months),
                source="issued", verification_code=numbers.new_verification_code(),
                origin_type=item.origin_type, origin_id=item.origin_id,
            ), actor)
            records.append(CertificateRecord(
                credential=credential.id, person=item.person_id, kind=item.kind,
                origin_key=item.origin_key, holder_name=item.holder_name or names[item.person_id],
                qualification_name=info.name, occupation_code=info.occupation_code,
                direction=item.direction, level_name=info.level_name(item.level),
                details=item.details, status_key=key.id, status_index=indexes[n] - 1,
                needs_render=True, created_at=now,
            ))
            new_ids.append(credential.id)
        inserted = await CertificateRecord.insert(*records).returning(CertificateRecord.id)
        await jobs_queue.enqueue([r["id"] for r in inserted], actor, title=job_title,
                                 origin_key=job_origin, reason=reason)
        it = iter(new_ids)
        return [existing if existing is not None else next(it) for existing in ids]


async def _check_not_before_exam(items: list[NewCertificate]) -> None:
    """The invariant behind every exam certificate: its issue date is never before the exam
    date of the session it comes from. Approval refuses earlier (training's
    ``exam_dates`` guard); this is the last line for any other caller. Raises ``Conflict``."""
    ids = [item.origin_id for item in items if item.origin_type == "exam_result"
           and item.origin_id is not None]
    if not ids:
        return
    exam_dates = {r["id"]: r["exam_on"] for r in await ExamResult.select(
        ExamResult.id, ExamResult.session.exam_on.as_alias("exam_on")).where(
        ExamResult.id.is_in(ids))}
    for item in items:
        exam_on = exam_dates.get(item.origin_id) if item.origin_type == "exam_result" else None
        if isinstance(exam_on, str):  # SQLite may hand back text through a join
            exam_on = date.fromisoformat(exam_on)
        if exam_on is not None and item.issued_on < exam_on:
            raise Conflict(f"发证日期 {item.issued_on.isoformat()} 早于考试日期 "
                           f"{exam_on.isoformat()}，不能发证", "issued_on")


# --- training certificates: training asks for them on a course's completion ----------------
# (through training.ports.CERTIFICATION, implemented by certification.training_port)

async def issue_training_certificate(*, enrolment_id: int, actor: Actor) -> int:
    """Issue the 培训合格证明 for a completed enrolment; returns the Credential id.

    Called inside training's course-completion transaction. Idempotent: a second call for the
    same enrolment returns the certificate already issued — unless an officer revoked it (e.g.
    from the review queue after its hours were corrected below the requirement): a completion
    earned again then gets a new certificate (origin ``enrolment:7#2``, ``#3``…), and the
    revoked one stays in the registry as it is.
    """
    origin_key = await _training_origin_key(enrolment_id)
    existing = await existing_for(origin_key)
    if existing is not None:
        return existing
    enrolment = await Enrolment.objects().where(Enrolment.id == enrolment_id).first()
    if enrolment is None:
        raise NotFound("未找到该报名记录")
    course = await Course.objects().where(Course.id == _fk(enrolment, "course")).first()
    if course is None:
        raise NotFound("未找到该课程")
    provider = await Provider.objects().where(Provider.id == _fk(course, "provider")).first()
    if provider is None:
        raise NotFound("未找到该培训机构")
    issued_on = clock.today()
    details = {
        "course_name": course.title,
        "class_hours": int(course.theory_hours_required or 0)
        + int(course.practical_hours_required or 0),
        "starts_on": course.starts_on.isoformat(),
        "ends_on": course.ends_on.isoformat(),
    }
    ids = await issue([NewCertificate(
        person_id=_fk(enrolment, "person"), kind="training",
        qualification_code=course.qualification_code,
        number_prefix=numbers.training_prefix(issued_on.year, provider.id),
        issuer_name=provider.name, issuer_code=provider.uscc,
        issued_on=issued_on, origin_key=origin_key,
        origin_type="enrolment", origin_id=enrolment_id, details=details,
    )], actor, job_title=f"培训合格证明：{details['course_name']}")
    return ids[0]


async def _training_origin_key(enrolment_id: int) -> str:
    """The origin key the enrolment's certificate has or will have: its latest certificate's
    key, or the next one (``enrolment:7#2``…) when that certificate was revoked."""
    base = f"enrolment:{enrolment_id}"
    rows = await CertificateRecord.select(
        CertificateRecord.origin_key, CertificateRecord.credential.status,
    ).where((CertificateRecord.origin_key == base)
            | CertificateRecord.origin_key.like(base + "#%"))
    if not rows:
        return base
    def round_of(key: str) -> int:
        return int(key.partition("#")[2] or 1)
    latest = max(rows, key=lambda r: round_of(r["origin_key"]))
    if latest["credential.status"] != "revoked":
        return latest["origin_key"]
    return f"{base}#{round_of(latest['origin_key']) + 1}"


def _fk(row: Any, name: str) -> int:
    value = getattr(row, name)
    return value if isinstance(value, int) else value.id
