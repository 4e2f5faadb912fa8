"""What is printed and signed for a certificate: the PDF face and the credential (its status
lists: services.status_lists)."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from datetime import date
from urllib.parse import quote

from certification.faces import CertificateFace, TrainingCertificateFace
from certification.keys import issuer_of, key_by_id
from certification.services.status_lists import status_entries
from certification.tables import CertificateRecord, HolderPhoto, SigningKey
from certification.vc.credential import CertificateFacts, build_certificate_credential
from core import db
from core.files import read_file
from core.identity import mask_id_number
from core.settings import get_settings
from core.tables import Credential, Person


def base_url() -> str:
    return get_settings().public_base_url


def verification_url(number: str, code: str) -> str:
    return f"{base_url()}/verify/{quote(number)}?code={quote(code)}"


def id_number_hash(person: Person) -> str:
    secret = get_settings().secret_key.encode()
    digest = hmac.new(secret, f"{person.id_type}:{person.id_number}".encode(), hashlib.sha256)
    return "hmac-sha256:" + digest.hexdigest()


async def photo_bytes(person_id: int) -> bytes | None:
    row = await HolderPhoto.select(HolderPhoto.file).where(
        HolderPhoto.person == person_id).order_by(HolderPhoto.id, ascending=False).first()
    if row is None:
        return None
    _, data = await read_file(row["file"])
    return data


def details_of(record: CertificateRecord) -> dict:
    """The JSON ``details`` column as a dict (Piccolo returns JSON columns as text)."""
    value = record.details
    if isinstance(value, str):
        value = json.loads(value or "{}")
    return value if isinstance(value, dict) else {}


def face_for(record: CertificateRecord, credential: Credential, person: Person,
             photo: bytes | None) -> CertificateFace | TrainingCertificateFace:
    url = verification_url(credential.number, credential.verification_code)
    if record.kind == "skill":
        return CertificateFace(
            holder_name=record.holder_name, id_type=person.id_type,
            id_number=mask_id_number(person.id_number), occupation_name=record.qualification_name,
            direction=record.direction or None, level_label=record.level_name,
            certificate_number=credential.number, issuer_name=credential.issuer_name,
            issued_on=credential.issued_on, verification_code=credential.verification_code,
            verification_url=url, photo=photo, occupation_code=record.occupation_code or None,
        )
    details = details_of(record)
    return TrainingCertificateFace(
        holder_name=record.holder_name, id_type=person.id_type,
        id_number=mask_id_number(person.id_number),
        training_name=details.get("course_name") or record.qualification_name,
        class_hours=int(details.get("class_hours") or 0), provider_name=credential.issuer_name,
        starts_on=date.fromisoformat(details.get("starts_on") or credential.issued_on.isoformat()),
        ends_on=date.fromisoformat(details.get("ends_on") or credential.issued_on.isoformat()),
        issued_on=credential.issued_on, certificate_number=credential.number,
        verification_code=credential.verification_code, verification_url=url,
    )


def unsigned_credential(record: CertificateRecord, credential: Credential, person: Person,
                        key: SigningKey) -> dict:
    facts = CertificateFacts(
        number=credential.number, holder_name=record.holder_name,
        id_number_hash=id_number_hash(person), qualification_code=credential.code,
        occupation_name=record.qualification_name, occupation_code=record.occupation_code or "--",
        direction=record.direction or None, level=credential.level,
        level_name=record.level_name or None, kind=record.kind,
        assessment_body_name=credential.issuer_name, issued_on=credential.issued_on,
        expires_on=credential.expires_on,
    )
    entries = status_entries(key.id, record.status_index)
    name = f"{base_url()}/{credential.number}"
    credential_id = "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, name))
    return build_certificate_credential(facts, issuer_of(key), entries, credential_id,
                                        get_settings().context_url)


async def render_task(record_id: int) -> dict:
    """Everything a pool process needs for one certificate (read-only queries, on one
    connection: ``core.db.reading``)."""
    async with db.reading():
        record = await CertificateRecord.objects().where(
            CertificateRecord.id == record_id).first()
        credential = await Credential.objects().where(Credential.id == record.credential).first()
        person = await Person.objects().where(Person.id == record.person).first()
        key = await key_by_id(record.status_key)
        photo = await photo_bytes(person.id) if record.kind == "skill" else None
    return {
        "face": face_for(record, credential, person, photo),
        "unsigned": unsigned_credential(record, credential, person, key),
        "private_pem": key.private_pem, "did": key.did,
    }
