"""Training certificates: issued by the provider when a course is completed (called by training
inside its completion transaction), with our own number format and a simpler PDF."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest


@pytest.fixture
def enrolment(run, make_person):
    from training.tables import Course, Enrolment, Provider

    person = make_person("王芳")

    async def go() -> int:
        now = datetime.now(UTC)
        provider = Provider(name="宁河职业培训学校", uscc="91120221MA05XXXX1X", status="approved",
                            created_at=now, updated_at=now)
        await provider.save()
        course = Course(provider=provider.id, kind="training", title="婴幼儿保育相关培训（第3期）",
                        qualification_code="CAREGIVER_TRAINING", theory_hours_required=40,
                        practical_hours_required=20, capacity=30, starts_on=date(2026, 9, 1),
                        ends_on=date(2026, 10, 31), state="finished", created_at=now,
                        updated_at=now)
        await course.save()
        row = Enrolment(course=course.id, person=person.id, state="completed", applied_at=now)
        await row.save()
        return row.id

    return run(go)


def test_issue_training_certificate(client, run, enrolment):
    from certification import numbers
    from certification.jobs import run_pending_jobs
    from certification.services.issuance import issue_training_certificate
    from certification.tables import CertificateRecord
    from core import db
    from core.actor import Actor
    from core.tables import Credential

    async def complete() -> int:
        async with db.transaction():  # training's completion transaction
            return await issue_training_certificate(enrolment_id=enrolment,
                                                    actor=Actor.system("training"))

    credential_id = run(complete)
    assert run(complete) == credential_id  # idempotent
    row = run(Credential.objects().where(Credential.id == credential_id).first())
    assert row.code == "CAREGIVER_TRAINING" and row.level is None
    assert row.issuer_name == "宁河职业培训学校" and row.origin_type == "enrolment"
    assert numbers.is_training_number(row.number), row.number
    from certification.services.documents import render_task

    record_id = run(CertificateRecord.select(CertificateRecord.id).first())["id"]
    face = run(render_task, record_id)["face"]
    assert face.training_name == "婴幼儿保育相关培训（第3期）" and face.class_hours == 60
    assert run(run_pending_jobs) == 1
    record = run(CertificateRecord.objects().where(
        CertificateRecord.credential == credential_id).first())
    from certification.services.documents import details_of

    assert record.pdf is not None and details_of(record)["class_hours"] == 60
    body = client.get(f"/api/v1/public/certificates/{row.number}", params={"name": "王芳"}).json()
    assert body["status"] == "valid" and body["level"] is None


def test_unknown_enrolment_is_404(client, run):
    from certification.services.issuance import issue_training_certificate
    from core.actor import Actor
    from core.errors import NotFound

    with pytest.raises(NotFound):
        run(issue_training_certificate, enrolment_id=999, actor=Actor.system("t"))


def test_openapi_schema_still_valid(client):
    response = client.get("/schema/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/public/certificates/{number}" in paths
    assert "/api/v1/certification/exam-sessions/{session_id}/approve" in paths
