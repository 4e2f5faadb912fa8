"""Training factories (providers, staff, trainees, courses, exam sessions)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from core import clock

USCC = "91350100M000100Y43"


def uscc_for(serial: int) -> str:
    from core.identity import uscc_check_char

    first17 = f"91120221MA{serial:07d}"
    return first17 + uscc_check_char(first17)


@dataclass
class World:
    provider_id: int
    staff: str  # username
    officer: str
    actor_staff: Any
    actor_officer: Any


@pytest.fixture
def make_provider(run: Callable[..., Any], make_user: Callable[..., int]) -> Callable[..., World]:
    """An approved provider (assessment body S by default) with train and examine scopes for
    保育师 levels 5–3 (and 2) and the training courses; a staff user and an officer."""
    from core.actor import Actor
    from core.tables import User
    from training.services.providers import ProviderInput, ScopeInput, create_provider, set_status

    counter = iter(range(1, 1000))

    def factory(*, assessment: bool = True, approve: bool = True, name: str | None = None) -> World:
        n = next(counter)
        officer_id = make_user("hrss_officer", f"hrss_t{n}")
        officer = Actor(officer_id, f"hrss_t{n}", "hrss_officer")
        scopes = [ScopeInput("CHILDCARE_WORKER", lvl, "train") for lvl in (5, 4, 3, 2)]
        scopes += [ScopeInput("DIRECTOR_TRAINING", None, "train"),
                   ScopeInput("MENTAL_HEALTH_TRAINING", None, "train")]
        if assessment:
            scopes += [ScopeInput("CHILDCARE_WORKER", lvl, "examine") for lvl in (5, 4, 3, 2)]
        data = ProviderInput(
            name=name or f"测试培训学校{n}", uscc=uscc_for(n), address="宁河区芦台镇",
            contact_name="张老师", contact_phone="13800000000", is_assessment_body=assessment,
            body_type="S" if assessment else None, body_code="1234" if assessment else None,
            site_serial=f"{n:06d}" if assessment else None, scopes=scopes)
        provider_id = run(create_provider, data, officer)
        if approve:
            run(set_status, provider_id, "approved", "", officer)
        staff_id = make_user("provider_staff", f"staff_t{n}", organisation_id=provider_id)
        user = run(User.objects().where(User.id == staff_id).first)
        staff = Actor(staff_id, user.username, "provider_staff", organisation_id=provider_id)
        return World(provider_id, user.username, officer.username, staff, officer)

    return factory


@pytest.fixture
def make_trainee(run: Callable[..., Any]) -> Callable[..., Any]:
    """A trainee account linked to a Person; returns (username, Actor, person_id, id_number)."""
    from core.actor import Actor
    from core.claims.services import TraineeRegistration
    from core.identity import id_check_char
    from core.tables import User
    from tests.conftest import PASSWORD, register_verified

    counter = iter(range(1, 100_000))

    def factory(name: str = "王芳") -> tuple[str, Any, int, str]:
        n = next(counter)
        first17 = f"120221199001{n % 28 + 1:02d}{n:03d}"[:17]
        id_number = first17 + id_check_char(first17)
        username = f"trainee_t{n}"
        phone = f"139{n:08d}"  # one phone each: codes to one number are capped per hour
        run(register_verified, TraineeRegistration(name, "居民身份证", id_number, phone,
                                                   username, PASSWORD, PASSWORD), Actor.system())
        user = run(User.objects().where(User.username == username).first)
        actor = Actor(user.id, username, "trainee", person_id=user.person)
        return username, actor, user.person, id_number

    return factory


@pytest.fixture
def make_course(run: Callable[..., Any]) -> Callable[..., int]:
    from training.services.courses import CourseInput, create_course, transition

    def factory(world: World, *, kind: str = "skill", capacity: int = 20, state: str = "open",
                code: str = "CHILDCARE_WORKER", level: int | None = 4, theory: int = 4,
                practical: int = 2, starts_in: int = 10, title: str = "保育师四级培训班") -> int:
        start = clock.today() + timedelta(days=starts_in)
        course_id = run(create_course, CourseInput(
            kind=kind, title=title, qualification_code=code,
            level=level if kind == "skill" else None, theory_hours_required=theory,
            practical_hours_required=practical, capacity=capacity, starts_on=start,
            ends_on=start + timedelta(days=30), place="宁河区芦台镇光明路 1 号", fee_fen=150000,
            subsidy_eligible=True), world.actor_staff)
        for step in {"draft": [], "open": ["open"], "running": ["open", "running"],
                     "finished": ["open", "running", "finished"]}[state]:
            run(transition, course_id, step, world.actor_staff)
        return course_id

    return factory
