"""Certification factories: certificates issued directly (no training tables needed)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date
from typing import Any

import pytest

SKILL_PREFIX = "S123412000001"  # + year (2) + level


@pytest.fixture
def holder(make_user: Callable[..., int], make_person: Callable[..., Any],
           run: Callable[..., Any]) -> Any:
    """王芳, a person with her own trainee login (wangfang)."""
    from core.tables import User

    person = make_person("王芳")
    user_id = make_user("trainee", "wangfang")
    run(User.update({User.person: person.id}).where(User.id == user_id))
    return person


@pytest.fixture
def issue_skill(run: Callable[..., Any]) -> Callable[..., Any]:
    """Issue a skill certificate directly; returns the Credential row."""
    from certification.services.issuance import NewCertificate, issue
    from core.actor import Actor
    from core.tables import Credential

    counter = iter(range(1, 100_000))

    def factory(person_id: int, *, level: int = 4, code: str = "CHILDCARE_WORKER",
                issued_on: date = date(2026, 6, 1), issuer: str = "宁河职业培训学校",
                origin: str | None = None) -> Any:
        async def go() -> Any:
            [cid] = await issue([NewCertificate(
                person_id=person_id, kind="skill", qualification_code=code,
                number_prefix=f"{SKILL_PREFIX}{issued_on.year % 100:02d}{level}",
                issuer_name=issuer, issuer_code="S1234", issued_on=issued_on,
                origin_key=origin or f"test:{next(counter)}", level=level,
            )], Actor.system("test"), job_title="测试")
            return await Credential.objects().where(Credential.id == cid).first()
        return run(go)

    return factory


@pytest.fixture
def submitted_session(run: Callable[..., Any],
                      make_person: Callable[..., Any]) -> Callable[..., Any]:
    """An exam session in state ``submitted`` with results (writes training rows directly)."""
    from datetime import datetime

    from training.tables import ExamRegistration, ExamResult, ExamSession, Provider

    counter = iter(range(1, 1000))

    def factory(scores: list[tuple[str, float, float]], *, level: int = 4,
                provider_id: int | None = None, body: bool = True) -> int:
        n = next(counter)
        people = [make_person(name) for name, _, _ in scores]

        async def go() -> int:
            now = datetime.now(UTC)
            pid = provider_id
            if pid is None:
                provider = Provider(
                    name=f"宁河职业技能评价中心{n}", uscc=f"91120221MA0{n:06d}X"[:18],
                    status="approved", is_assessment_body=body,
                    body_type="S" if body else None, body_code=f"{n:04d}" if body else None,
                    site_serial="000001" if body else None, province_code="12",
                    created_at=now, updated_at=now)
                await provider.save()
                pid = provider.id
            session = ExamSession(
                provider=pid, qualification_code="CHILDCARE_WORKER", level=level,
                exam_on=date(2026, 11, 1), state="submitted", submitted_at=now,
                created_at=now, updated_at=now)
            await session.save()
            for person, (_, theory, practical) in zip(people, scores, strict=True):
                reg = ExamRegistration(session=session.id, person=person.id, route="course",
                                       eligible=True, status="confirmed", created_at=now)
                await reg.save()
                await ExamResult(session=session.id, registration=reg.id, person=person.id,
                                 theory=theory, practical=practical,
                                 passed=theory >= 60 and practical >= 60, created_at=now).save()
            return session.id

        return run(go)

    return factory
