"""What training needs from certification, without importing it.

Training sits below certification: certification may import training, never the reverse.
Where a training rule must reach a certificate — a training course's completion issues its
培训合格证明, a correction or the integrity examination sends a certificate to the officers'
review queue — training calls :data:`CERTIFICATION`, a port that certification implements and
plugs in its own declaration (``certification/domain.py``). Every call runs inside the
caller's transaction, as a direct call would. See ARCHITECTURE.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from core.domain import Port

if TYPE_CHECKING:
    from core.actor import Actor


class CertificationPort(Protocol):
    """Certification's side of the calls training makes; each call joins the caller's
    transaction and raises what certification raises (e.g. NotFound for an unknown
    enrolment)."""

    async def issue_training_certificate(self, enrolment_id: int, actor: Actor) -> int:
        """Issue the 培训合格证明 of a completed enrolment of a training course; returns the
        Credential id. Idempotent: the certificate already issued for the enrolment comes
        back, unless it was revoked (then a new one is issued)."""
        ...

    async def enqueue_review(self, credential_id: int, kind: str, reason: str, key: str,
                             details: dict[str, Any] | None = None) -> int | None:
        """Queue a certificate for the officers' review. ``kind`` is one of certification's
        review kinds (``hours_flagged``, ``issued_before_exam``, ``approved_before_exam``,
        ``exam_basis_withdrawn``…; ValueError otherwise); ``key`` is unique: the same key
        queued again adds nothing and returns None. Returns the new item's id."""
        ...

    async def enqueue_hours_short(self, credential_id: int, enrolment_id: int, reason: str,
                                  actor: Actor) -> int | None:
        """Queue a training certificate whose hours fell below the course's requirement
        (audited); nothing is added while one such item of the certificate is pending.
        Returns the new item's id or None."""
        ...

    async def review_count(self, credential_id: int, kind: str) -> int:
        """How many review items of ``kind`` the certificate has had, in any state."""
        ...


# Implemented by certification (certification.training_port), plugged by its domain.
CERTIFICATION: Port[CertificationPort] = Port("certification")
