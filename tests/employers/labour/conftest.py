"""Factories for labour tests: a facility with its operator and one staff link, written
straight into the employers tables (the labour package only reads them)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest

from core.identity import uscc_check_char

_serial = itertools.count(1)


@pytest.fixture(autouse=True)
def minimum_wages(request: pytest.FixtureRequest) -> None:
    """PostgreSQL tests truncate every table: put the shipped minimum wage back."""
    if "client" not in request.fixturenames:
        return
    run = request.getfixturevalue("run")
    from employers.labour.services.minimum_wage import seed_minimum_wages

    run(seed_minimum_wages)


def cn_name(n: int) -> str:
    return "王" + "".join("零一二三四五六七八九"[int(d)] for d in str(n))


def _uscc(n: int) -> str:
    first17 = f"91120221MA{n:07d}"
    return first17 + uscc_check_char(first17)


@dataclass
class World:
    facility_id: int
    link_id: int
    person_id: int
    operator: str
    name: str
    id_number: str
    run: Callable[..., Any]

    def move_start(self, day: date) -> None:
        from employers.tables import StaffLink

        self.run(StaffLink.update({StaffLink.started_on: day}).where(StaffLink.id == self.link_id))


@pytest.fixture
def labour_world(run, make_user, make_person) -> Callable[..., World]:  # type: ignore[no-untyped-def]
    from core.tables import Person, User
    from employers.tables import ComplianceState, Facility, FacilityOperator, Filing, StaffLink

    def factory(start: date = date(2025, 1, 1), employment: str = "full_time",
                street: str = "芦台街道", operator: str | None = None,
                trainee: str | None = None, kindergarten: bool = False,
                accepted: bool = False, positions: tuple[str, ...] = ("caregiver",)) -> World:
        n = next(_serial)
        now = datetime.now(UTC)
        username = operator or f"op{n}"
        exists = run(User.select(User.id).where(User.username == username).first())
        user_id = exists["id"] if exists else make_user("facility_operator", username)
        facility = Facility(name=f"测试托育园{n}", uscc=_uscc(n), registering_authority="civil",
                            address="宁河区测试路", street=street, capacity=60,
                            is_kindergarten_with_toddler_class=kindergarten,
                            filing_status="accepted" if accepted else "none",
                            created_at=now, updated_at=now)
        run(facility.save())
        run(FacilityOperator(facility=facility.id, user=user_id, created_at=now).save())
        if accepted:
            run(Filing(facility=facility.id, state="accepted", submitted_at=now,
                       filing_due_on=now.date(), created_at=now).save())
            run(ComplianceState(facility=facility.id, compliant=True, since=now,
                                last_checked_at=now).save())
        person = make_person(cn_name(n))
        if trainee:
            uid = make_user("trainee", trainee)
            run(User.update({User.person: person.id}).where(User.id == uid))
        link = StaffLink(facility=facility.id, person=person.id, positions=list(positions),
                         employment="part_time" if employment == "part_time" else "full_time",
                         employment_form=employment, started_on=start, status="active",
                         created_at=now, updated_at=now)
        run(link.save())
        id_number = run(Person.select(Person.id_number).where(Person.id == person.id).first())
        return World(facility.id, link.id, person.id, username, cn_name(n),
                     id_number["id_number"], run)

    return factory
