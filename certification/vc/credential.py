"""A certificate as a W3C Verifiable Credential 2.0 (unsigned; sign with dataintegrity.sign).

Every subject term is defined in our bundled context (contexts/caregiver-registry-v1.jsonld,
published at REGISTRY_CONTEXT): the VC 2.0 context has no @vocab, and standard verifiers reject
undefined terms. The raw ID number never appears: only a salted hash of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from certification.vc.jsonld import REGISTRY_CONTEXT, VC_V2_CONTEXT

CREDENTIAL_TYPES = ["VerifiableCredential", "CaregiverCertificateCredential"]
SUBJECT_TYPE = "CertifiedCaregiver"
CERTIFICATE_KINDS = ("skill", "training")  # 职业技能等级证书, 培训合格证明
# Certificate dates are calendar days in China Standard Time (UTC+8): valid from the start of
# the issue day to the end of the expiry day.
CERTIFICATE_TIMEZONE = timezone(timedelta(hours=8), "CST")


@dataclass(frozen=True)
class CertificateFacts:
    number: str
    holder_name: str
    id_number_hash: str  # salted hash of the ID number, never the number itself
    qualification_code: str  # e.g. CHILDCARE_WORKER
    occupation_name: str  # 职业名称, e.g. 保育师
    occupation_code: str  # code in the 职业分类大典
    direction: str | None  # 工种/职业方向; None prints as "--"
    level: int | None  # 1–5 for skill certificates, None for training
    level_name: str | None  # e.g. "四级/中级工"
    kind: str  # "skill" | "training"
    assessment_body_name: str  # 评价机构名称 (or the training provider)
    issued_on: date
    expires_on: date | None

    def __post_init__(self) -> None:
        if self.kind not in CERTIFICATE_KINDS:
            raise ValueError(f"证书类别应为 {CERTIFICATE_KINDS} (kind must be one of them)")
        if self.kind == "skill" and self.level is None:
            raise ValueError("职业技能等级证书必须有等级 (a skill certificate needs a level)")
        if self.expires_on is not None and self.expires_on < self.issued_on:
            raise ValueError("有效期截止早于发证日期 (expires_on is before issued_on)")


def local_datetime(moment: datetime) -> str:
    """``YYYY-MM-DDThh:mm:ss+08:00``: an XML Schema dateTime that reads as the printed day."""
    return moment.astimezone(CERTIFICATE_TIMEZONE).isoformat(timespec="seconds")


def start_of_day(day: date) -> datetime:
    return datetime.combine(day, time.min, CERTIFICATE_TIMEZONE)


def end_of_day(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), CERTIFICATE_TIMEZONE)


def _subject(facts: CertificateFacts) -> dict:
    subject = {
        "type": SUBJECT_TYPE,
        "holderName": facts.holder_name,
        "idNumberHash": facts.id_number_hash,
        "certificateNumber": facts.number,
        "certificateKind": facts.kind,
        "qualificationCode": facts.qualification_code,
        "occupationName": facts.occupation_name,
        "occupationCode": facts.occupation_code,
        "occupationDirection": facts.direction or "--",
        "assessmentBody": facts.assessment_body_name,
    }
    if facts.level is not None:
        subject["skillLevel"] = facts.level
    if facts.level_name:
        subject["levelName"] = facts.level_name
    return subject


def build_certificate_credential(
    facts: CertificateFacts,
    issuer: dict,
    status_entries: list[dict],
    credential_id: str,
    context_url: str = REGISTRY_CONTEXT,
) -> dict:
    """``issuer`` is ``{"id": <did:key of the signing key>, "name": <bureau name>}``;
    ``context_url`` is our context's URL at the issuer's public address (the CONTEXT_URL setting).

    The issuer id must be the DID whose key signs the credential: verifiers check that the
    proof's verification method is controlled by the issuer.
    """
    credential = {
        "@context": [VC_V2_CONTEXT, context_url],
        "id": credential_id,
        "type": list(CREDENTIAL_TYPES),
        "issuer": issuer,
        "validFrom": local_datetime(start_of_day(facts.issued_on)),
        "credentialSubject": _subject(facts),
    }
    if facts.expires_on is not None:
        credential["validUntil"] = local_datetime(end_of_day(facts.expires_on))
    if len(status_entries) == 1:
        credential["credentialStatus"] = status_entries[0]
    elif status_entries:
        credential["credentialStatus"] = list(status_entries)
    return credential
