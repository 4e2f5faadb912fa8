"""Declared is not verified.

An exam registration whose 申报条件 is met only by the applicant's own declaration (years of
declared work, a diploma, a completed apprenticeship: ``training.eligibility.DECLARED_LABELS``)
is marked 自述 on the provider's confirmation list. Confirming it needs the evidence the
provider saw: a note (what document, its number) and/or an uploaded scan (PDF/JPEG/PNG, checked
by ``core.uploads``, stored by ``core.files``). ``training.services.exams.decide_registration``
records both on the registration and in its audit row.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from core import files
from core.actor import Actor
from core.errors import NotFound, ValidationError
from core.uploads import SCAN_KINDS, check_upload
from training.eligibility import DECLARED_LABELS

MAX_EVIDENCE_BYTES = 5 * 1024 * 1024  # like the other scans the registry keeps
NOTE_FIELD = "evidence_note"
FILE_FIELD = "evidence_file"
NOTE_MAX = 500
NOTE_MIN_VISIBLE = 4  # a document and its number cannot be said in fewer characters
INVISIBLE = ("Cf", "Zs", "Zl", "Zp", "Cc")  # format (U+200B…), spaces, separators, controls


def visible_chars(text: str) -> str:
    """``text`` without invisible characters: Unicode format characters (category Cf, e.g.
    U+200B zero-width space, U+FEFF), space separators (Zs, incl. U+3000), line/paragraph
    separators and controls."""
    return "".join(ch for ch in text or "" if unicodedata.category(ch) not in INVISIBLE)


def clean_note(text: str) -> str:
    """The note as kept: format characters (Cf) removed, outer whitespace stripped."""
    return "".join(ch for ch in text or "" if unicodedata.category(ch) != "Cf").strip()


@dataclass(frozen=True)
class EvidenceSeen:
    """What the provider saw: a note and/or a file's bytes (with its name as uploaded). The
    note is kept cleaned (``clean_note``: no zero-width or other format characters)."""

    note: str = ""
    data: bytes = b""
    filename: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "note", clean_note(self.note))

    @property
    def given(self) -> bool:
        return bool(visible_chars(self.note) or self.data)


def declared_of(eligibility: dict[str, Any] | None) -> list[str]:
    """The declared requirements (DECLARED_LABELS keys) of a registration's stored eligibility.

    Registrations stored before this rule have no ``declared`` list: their flag
    ``relies_on_declared`` then meant declared work years."""
    eligibility = eligibility or {}
    if "declared" in eligibility:
        return [key for key in eligibility["declared"] or [] if key in DECLARED_LABELS]
    return ["work_years"] if eligibility.get("relies_on_declared") else []


def declared_labels(eligibility: dict[str, Any] | None) -> list[str]:
    """Chinese names of what rests on the applicant's word, e.g. ['学徒期满']."""
    return [DECLARED_LABELS[key] for key in declared_of(eligibility)]


def check_evidence(eligibility: dict[str, Any] | None, evidence: EvidenceSeen) -> str | None:
    """Validate the evidence for confirming a registration (pure apart from reading bytes).

    Returns the file's kind code when a file was given, else None. Raises ``ValidationError``
    naming ``evidence_note`` when a declared-only registration has neither note nor file, when
    a note has fewer than ``NOTE_MIN_VISIBLE`` visible characters (invisible ones — U+200B and
    the like, spaces — do not count), and naming ``evidence_file`` when the file is not an
    acceptable scan.
    """
    labels = declared_labels(eligibility)
    if labels and not evidence.given:
        raise ValidationError(
            f"该考生的申报条件（{'、'.join(labels)}）仅凭本人自述，确认前请填写核验依据"
            "（所见材料及编号）或上传核验材料", NOTE_FIELD)
    shown = visible_chars(evidence.note)
    if shown and len(shown) < NOTE_MIN_VISIBLE:
        raise ValidationError(
            f"核验依据（evidence_note）过短：请写明所见材料及编号，至少 {NOTE_MIN_VISIBLE} 个"
            "可见字符（空格、零宽字符等不计）", NOTE_FIELD)
    if len(evidence.note.strip()) > NOTE_MAX:
        raise ValidationError(f"核验依据不能超过 {NOTE_MAX} 字", NOTE_FIELD)
    if not evidence.data:
        return None
    return check_upload(evidence.data, allowed=SCAN_KINDS, max_bytes=MAX_EVIDENCE_BYTES,
                        field=FILE_FIELD, label="核验材料")


async def store_evidence(evidence: EvidenceSeen, kind: str | None, actor: Actor) -> int | None:
    """Store the checked file (``kind`` from ``check_evidence``); returns its StoredFile id."""
    if kind is None:
        return None
    stored = await files.save_file(evidence.data, kind=kind,
                                   original_name=evidence.filename or f"核验材料.{kind}",
                                   actor=actor)
    return stored.id


async def evidence_download(registration_id: int, actor: Actor) -> tuple[str, str, bytes]:
    """(name, content type, bytes) of the scan recorded when a registration was confirmed, for
    the provider's staff and officers (others: 404, as for the registration itself)."""
    from training.services.common import check_provider_access
    from training.tables import ExamRegistration

    row = await ExamRegistration.select(
        ExamRegistration.evidence_file, ExamRegistration.session.provider.as_alias("provider"),
    ).where(ExamRegistration.id == registration_id).first()
    if row is None:
        raise NotFound("未找到该报名")
    check_provider_access(actor, row["provider"], "未找到该报名")
    if row["evidence_file"] is None:
        raise NotFound("该报名没有上传核验材料")
    stored, body = await files.read_file(row["evidence_file"])
    return stored.original_name, stored.content_type, body
