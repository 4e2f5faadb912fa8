"""Certificate PDFs: face data in, PDF bytes out (synchronous, no I/O besides templates).

Templates: ``templates/certification/pdf/``. The QR code is a segno SVG data URI of the
verification URL (``certification.qr``); the holder photo is embedded as a data URI. See
``core.pdf`` for font and stylesheet reuse and the fetch restrictions.
"""

from __future__ import annotations

import base64
import dataclasses
from datetime import date

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from certification.faces import CertificateFace, TrainingCertificateFace
from certification.qr import QR_ERROR_LEVEL, qr_data_uri, verification_qr  # noqa: F401
from core.fonts import check_printable
from core.pdf import TEMPLATES_DIR, render_html_to_pdf
from core.uploads import KIND_BY_CODE, sniff_kind

PDF_TEMPLATES = TEMPLATES_DIR / "certification" / "pdf"
CERTIFICATE_CSS = PDF_TEMPLATES / "certificate.css"

_env = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


# The Chinese name of every printed text field of a face, for the message that refuses a
# character no font covers (core.fonts).
FIELD_LABELS = {
    "holder_name": "姓名", "id_type": "证件类型", "id_number": "证件号码",
    "occupation_name": "职业名称", "direction": "工种/职业方向", "level_label": "职业技能等级",
    "certificate_number": "证书编号", "issuer_name": "评价机构名称", "verification_code": "核验码",
    "verification_url": "核验网址", "occupation_code": "职业编码", "training_name": "培训项目",
    "provider_name": "培训机构",
}


def check_face_printable(face: CertificateFace | TrainingCertificateFace) -> None:
    """Refuse a face with a character that would print as a box: raises
    ``core.fonts.UnprintableCharacter`` naming the field and the character (e.g.
    "姓名中的字符 “X”（U+XXXXX）无可用字体，无法打印")."""
    check_printable(
        (FIELD_LABELS.get(item.name, item.name), value)
        for item in dataclasses.fields(face)
        if isinstance(value := getattr(face, item.name), str)
    )


def format_cn_date(day: date) -> str:
    """2026-11-29 -> '2026年11月29日'."""
    return f"{day.year}年{day.month}月{day.day}日"


_env.filters["cn_date"] = format_cn_date


def photo_data_uri(photo: bytes) -> str:
    kind = sniff_kind(photo)
    if kind not in ("jpeg", "png"):
        raise ValueError("photo must be JPEG or PNG")
    media_type = KIND_BY_CODE[kind].media_type
    return f"data:{media_type};base64,{base64.b64encode(photo).decode('ascii')}"


def certificate_html(face: CertificateFace) -> str:
    """The certificate as HTML (exposed for tests and previews)."""
    return _env.get_template("certification/pdf/certificate.html").render(
        face=face,
        qr_uri=qr_data_uri(face.verification_url),
        photo_uri=photo_data_uri(face.photo) if face.photo else None,
    )


def training_certificate_html(face: TrainingCertificateFace) -> str:
    return _env.get_template("certification/pdf/training_certificate.html").render(
        face=face,
        qr_uri=qr_data_uri(face.verification_url),
    )


def render_certificate_pdf(face: CertificateFace, *, pdf_variant: str | None = None) -> bytes:
    """A one-page A4 职业技能等级证书. ``pdf_variant="pdf/a-3u"`` for an archival copy.

    Raises ``core.fonts.UnprintableCharacter`` before rendering if a field holds a character
    no document font covers."""
    check_face_printable(face)
    return render_html_to_pdf(
        certificate_html(face),
        stylesheets=(CERTIFICATE_CSS,),
        pdf_variant=pdf_variant,
        pdf_identifier=face.certificate_number.encode("ascii", "replace") if pdf_variant else None,
    )


def render_training_certificate_pdf(
    face: TrainingCertificateFace, *, pdf_variant: str | None = None
) -> bytes:
    """A one-page A4 培训合格证明 (refuses unprintable characters as above)."""
    check_face_printable(face)
    return render_html_to_pdf(
        training_certificate_html(face),
        stylesheets=(CERTIFICATE_CSS,),
        pdf_variant=pdf_variant,
        pdf_identifier=face.certificate_number.encode("ascii", "replace") if pdf_variant else None,
    )
