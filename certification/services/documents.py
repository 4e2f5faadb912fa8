"""What is printed and signed for a certificate: the PDF face, the credential, the status lists."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import uuid
from datetime import date
from urllib.parse import quote

from certification.faces import CertificateFace, TrainingCertificateFace
from certification.keys import issuer_of, key_by_id
from certification.signing import sign_credential
from certification.tables import CertificateRecord, HolderPhoto, SigningKey
from certification.vc.credential import CertificateFacts, build_certificate_credential
from certification.vc.status_list import MIN_LIST_SIZE, build_status_list_credential, status_entry
from core import clock
from core.files import read_file
from core.identity import mask_id_number
from core.settings import get_settings
from core.tables import Credential, Person

STATUS_PATH = "/credentials/status"
# Which credential statuses set a bit in which list. A superseded certificate (lost, re-issued)
# must stop verifying, so it is published as revoked; expiry is validUntil's job.
PURPOSE_STATUSES = {"revocation": ("revoked", "superseded"), "suspension": ("suspended",)}


def base_url() -> str:
    return get_settings().public_base_url


def verification_url(number: str, code: str) -> str:
    return f"{base_url()}/verify/{quote(number)}?code={quote(code)}"


def list_id_of(key_id: int, index: int) -> str:
    return f"{key_id}-{index // MIN_LIST_SIZE + 1}"


def parse_list_id(list_id: str) -> tuple[int, int] | None:
    key, _, block = list_id.partition("-")
    if not (key.isdigit() and block.isdigit()) or int(block) < 1:
        return None
    return int(key), int(block)


def status_list_url(purpose: str, list_id: str) -> str:
    return f"{base_url()}{STATUS_PATH}/{purpose}/{list_id}"


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
    list_id = list_id_of(key.id, record.status_index)
    bit = record.status_index % MIN_LIST_SIZE
    entries = [status_entry(status_list_url(p, list_id), bit, p) for p in PURPOSE_STATUSES]
    name = f"{base_url()}/{credential.number}"
    credential_id = "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, name))
    return build_certificate_credential(facts, issuer_of(key), entries, credential_id)


async def render_task(record_id: int) -> dict:
    """Everything a pool process needs for one certificate (read-only queries)."""
    record = await CertificateRecord.objects().where(CertificateRecord.id == record_id).first()
    credential = await Credential.objects().where(Credential.id == record.credential).first()
    person = await Person.objects().where(Person.id == record.person).first()
    key = await key_by_id(record.status_key)
    photo = await photo_bytes(person.id) if record.kind == "skill" else None
    return {
        "face": face_for(record, credential, person, photo),
        "unsigned": unsigned_credential(record, credential, person, key),
        "private_pem": key.private_pem, "did": key.did,
    }


# --- status lists --------------------------------------------------------------------------

_signed_lists: dict[tuple[str, str, str], tuple[tuple[int, ...], dict]] = {}


async def status_list_credential(purpose: str, list_id: str) -> dict | None:
    """The signed list, rebuilt whenever a bit changed (so a revocation shows at once)."""
    parsed = parse_list_id(list_id)
    if purpose not in PURPOSE_STATUSES or parsed is None:
        return None
    key_id, block = parsed
    key = await key_by_id(key_id)
    if key is None:
        return None
    low, high = (block - 1) * MIN_LIST_SIZE, block * MIN_LIST_SIZE
    rows = await CertificateRecord.select(CertificateRecord.status_index).where(
        (CertificateRecord.status_key == key_id)
        & (CertificateRecord.status_index >= low) & (CertificateRecord.status_index < high)
        & CertificateRecord.credential.status.is_in(list(PURPOSE_STATUSES[purpose]))
    )
    bits = tuple(sorted(r["status_index"] - low for r in rows))
    cached = _signed_lists.get((purpose, list_id, key.did))
    if cached and cached[0] == bits:
        return cached[1]
    url = status_list_url(purpose, list_id)
    unsigned = build_status_list_credential(
        url, purpose, bits, issuer_of(key), clock.now().replace(microsecond=0))
    signed = await asyncio.to_thread(sign_credential, unsigned, key.private_pem, key.did)
    _signed_lists[(purpose, list_id, key.did)] = (bits, signed)
    return signed
