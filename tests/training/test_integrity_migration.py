"""The migration that first examined existing data (2026-11-30T00:21) carries its own frozen copy
of the examination: on the same doubtful rows it reports, queues and flags exactly what
``training.integrity.examine`` does, and writes the same audit summary."""

from __future__ import annotations

import importlib

from certification.tables import CertificateReview
from core.tables import AuditLog
from tests.training.test_integrity import _seed
from training import integrity
from training.tables import SessionFlag

MIGRATION = importlib.import_module("migrations.registry_2026_11_30t00_21_00_000000")


def _effects(run) -> dict:
    reviews = run(CertificateReview.select(
        CertificateReview.credential, CertificateReview.kind, CertificateReview.reason,
        CertificateReview.details, CertificateReview.key, CertificateReview.state,
    ).order_by(CertificateReview.key))
    flags = run(SessionFlag.select(
        SessionFlag.session, SessionFlag.enrolment, SessionFlag.kind, SessionFlag.detail,
        SessionFlag.key, SessionFlag.state,
    ).order_by(SessionFlag.key))
    audited = run(AuditLog.select(
        AuditLog.actor_id, AuditLog.actor_name, AuditLog.actor_role, AuditLog.entity_type,
        AuditLog.entity_id, AuditLog.summary, AuditLog.client_ip,
    ).where(AuditLog.action == "integrity.examine"))
    return {"reviews": reviews, "flags": flags, "audit": audited}


async def _undo() -> None:
    await CertificateReview.delete(force=True)
    await SessionFlag.delete(force=True)
    await AuditLog.delete().where(AuditLog.action == "integrity.examine")


def test_the_migrations_frozen_examination_does_what_the_command_does(
        client, run, make_provider, make_course, make_trainee, make_person):
    _seed(run, make_provider, make_course, make_trainee, make_person)
    frozen = run(MIGRATION.examine)
    frozen_effects = _effects(run)
    assert (frozen.queued, frozen.flagged) == (2, 3)
    assert len(frozen_effects["audit"]) == 1
    assert run(MIGRATION.examine).queued == 0  # a second run adds nothing

    run(_undo)
    today = run(integrity.examine)
    assert frozen.text() == today.text()
    assert (frozen.queued, frozen.flagged) == (today.queued, today.flagged)
    assert frozen_effects == _effects(run)
