"""What a pool process does for one certificate: render the PDF and sign the credential.

Pure CPU work on picklable input (a face dataclass, an unsigned credential, the key's PEM),
so it runs in a ``ProcessPoolExecutor`` with no database and no event loop.
"""

from __future__ import annotations

import json
from typing import Any

from certification.faces import CertificateFace, TrainingCertificateFace
from certification.signing import sign_credential


def render_and_sign(task: dict[str, Any]) -> dict[str, Any]:
    """``task``: face, unsigned (VC dict), private_pem, did → {"pdf": bytes, "vc": str}."""
    # WeasyPrint is imported here, in the pool process, not by the web workers.
    from certification.pdf import render_certificate_pdf, render_training_certificate_pdf

    face = task["face"]
    if isinstance(face, CertificateFace):
        pdf = render_certificate_pdf(face)
    elif isinstance(face, TrainingCertificateFace):
        pdf = render_training_certificate_pdf(face)
    else:
        raise TypeError("unknown certificate face")
    signed = sign_credential(task["unsigned"], task["private_pem"], task["did"])
    return {"pdf": pdf, "vc": json.dumps(signed, ensure_ascii=False, sort_keys=True)}
