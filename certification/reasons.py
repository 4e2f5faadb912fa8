"""What an officer writes when a certificate's status changes: a public reason and an internal
note (pure rules, no I/O).

- **public reason** (公开原因): published. It is shown on public verification (``/verify``, the
  QR landing page, the public verification API), to the holder and in notices to the holder
  (``core.credentials.public_status``). Required, at most PUBLIC_REASON_MAX_LENGTH characters
  after trimming, one line of visible text: control characters (Unicode Cc, line breaks too),
  format characters (Cf: bidirectional overrides and isolates, zero-width characters),
  line/paragraph separators, private-use, surrogate and unassigned code points are refused,
  so the published text reads as it was typed.
- **internal note** (内部备注): never published. Only 人社局 officers (certification.access
  ISSUING_ROLES) see it, in the certificate's status history and in the audit log. Optional,
  at most INTERNAL_NOTE_MAX_LENGTH characters; line breaks and tabs are fine, other control
  characters are refused (NUL cannot even be stored in PostgreSQL text).

``check_reasons`` reports every field at fault at once (core.errors.FieldErrors).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from core.errors import FieldErrors

PUBLIC_REASON_MAX_LENGTH = 200
INTERNAL_NOTE_MAX_LENGTH = 1000
PUBLIC_REASON_LABEL = "公开原因"
INTERNAL_NOTE_LABEL = "内部备注"
# Refused in the public reason: invisible or layout-changing characters.
_PUBLIC_REFUSED = frozenset({"Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Cn"})
_NOTE_ALLOWED_CONTROLS = frozenset("\t\n")


@dataclass(frozen=True)
class StatusReasons:
    """A checked pair: ``public_reason`` (trimmed) and ``internal_note`` (trimmed, line
    breaks as ``\\n``; "" when none was given)."""

    public_reason: str
    internal_note: str = ""


def public_reason_error(text: str, *, required: bool = True) -> str | None:
    """Why ``text`` cannot be published as a public reason, or None when it can."""
    text = (text or "").strip()
    if not text:
        return f"请填写{PUBLIC_REASON_LABEL}（将在公开查验页面显示）" if required else None
    if len(text) > PUBLIC_REASON_MAX_LENGTH:
        return f"{PUBLIC_REASON_LABEL}最多 {PUBLIC_REASON_MAX_LENGTH} 个字符"
    if any(unicodedata.category(ch) in _PUBLIC_REFUSED for ch in text):
        return f"{PUBLIC_REASON_LABEL}不能包含换行、控制字符或不可见字符"
    return None


def internal_note_error(text: str) -> str | None:
    """Why ``text`` cannot be kept as an internal note, or None when it can."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(text) > INTERNAL_NOTE_MAX_LENGTH:
        return f"{INTERNAL_NOTE_LABEL}最多 {INTERNAL_NOTE_MAX_LENGTH} 个字符"
    if any(unicodedata.category(ch) in ("Cc", "Cs") and ch not in _NOTE_ALLOWED_CONTROLS
           for ch in text):
        return f"{INTERNAL_NOTE_LABEL}不能包含控制字符"
    return None


def check_reasons(public_reason: str, internal_note: str = "", *,
                  public_required: bool = True) -> StatusReasons:
    """The checked pair, or FieldErrors (422) naming ``public_reason`` and/or
    ``internal_note`` with a Chinese message each."""
    errors = {}
    if message := public_reason_error(public_reason, required=public_required):
        errors["public_reason"] = message
    if message := internal_note_error(internal_note):
        errors["internal_note"] = message
    if errors:
        raise FieldErrors(errors)
    note = (internal_note or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    return StatusReasons((public_reason or "").strip(), note)
