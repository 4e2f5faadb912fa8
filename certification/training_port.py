"""What certification offers training: the implementation of ``training.ports.CERTIFICATION``
(issuing a completed enrolment's 培训合格证明, queueing certificates for the officers' review),
plugged in ``certification/domain.py``. Each call joins the caller's transaction."""

from __future__ import annotations

from typing import Any

from certification.services import issuance, reviews
from core.actor import Actor


class ForTraining:
    """training.ports.CertificationPort, over certification's issuance and review queue."""

    async def issue_training_certificate(self, enrolment_id: int, actor: Actor) -> int:
        return await issuance.issue_training_certificate(enrolment_id=enrolment_id,
                                                         actor=actor)

    async def enqueue_review(self, credential_id: int, kind: str, reason: str, key: str,
                             details: dict[str, Any] | None = None) -> int | None:
        return await reviews.enqueue(credential_id, kind, reason, key, details)

    async def enqueue_hours_short(self, credential_id: int, enrolment_id: int, reason: str,
                                  actor: Actor) -> int | None:
        return await reviews.enqueue_hours_short(credential_id, enrolment_id, reason, actor)

    async def review_count(self, credential_id: int, kind: str) -> int:
        return await reviews.review_count(credential_id, kind)


FOR_TRAINING = ForTraining()
