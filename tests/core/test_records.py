"""Shared records: Person identity, name corrections, credentials with history and events."""

from datetime import date

import pytest

from core import db, wiring
from core.actor import Actor
from core.credentials import LISTENERS, change_status, counts_on
from core.errors import Conflict, ValidationError
from core.people import PersonInput, correct_name, find_or_create_person, former_names
from core.tables import AuditLog, CredentialEvent, CredentialStatusChange, Person
from tests.conftest import api_token, login


def test_one_person_per_identity_and_name_must_match(run, make_person):
    person = make_person("王芳")
    same = run(
        find_or_create_person,
        PersonInput(person.id_type, person.id_number.lower(), " 王芳 "),
        Actor.system("t"),
    )
    assert same.id == person.id and run(Person.count) == 1
    with pytest.raises(ValidationError, match="姓名与该证件号码登记的姓名不一致"):
        run(
            find_or_create_person,
            PersonInput(person.id_type, person.id_number, "王方"),
            Actor.system("t"),
        )


def test_name_correction_keeps_the_former_name_with_evidence(run, make_person):
    person = make_person("王芳")
    run(
        correct_name,
        person.id,
        "王芳芳",
        "户籍变更证明 2026-001",
        date(2026, 3, 1),
        Actor(9, "officer", "hrss_officer"),
    )
    history = run(former_names, person.id)
    assert [(h.name, h.evidence, h.approved_by) for h in history] == [
        ("王芳", "户籍变更证明 2026-001", 9)
    ]


def test_former_names_show_on_the_person_page_and_in_the_api(client, run, make_user,
                                                              make_person):
    make_user("hrss_officer", "hrss1")
    person = make_person("王芳")
    run(correct_name, person.id, "王芳芳", "户籍变更证明 2026-001", date(2026, 3, 1),
        Actor(9, "officer", "hrss_officer"))
    answer = client.get(f"/api/v1/people/{person.id}", headers=api_token(client, "hrss1"))
    assert answer.json()["former_names"] == [
        {"name": "王芳", "replaced_on": "2026-03-01", "evidence": "户籍变更证明 2026-001"}]
    login(client, "hrss1")
    page = client.get(f"/officer/people/{person.id}")
    assert page.status_code == 200 and "依据：户籍变更证明 2026-001" in page.text


def test_credential_status_change_writes_history_event_audit_and_calls_listeners(
    run, make_person, make_credential
):
    seen: list[tuple[int, str]] = []

    async def listener(credential_id: int, person_id: int, kind: str) -> None:
        seen.append((person_id, kind))

    with wiring.using(wiring.current().with_plugs((LISTENERS, listener))):
        person = make_person()
        cred = make_credential(person.id, "CAREGIVER_TRAINING")

        async def revoke():
            async with db.transaction():
                return await change_status(
                    cred.id, "revoked", "材料造假", Actor(3, "o", "hrss_officer")
                )

        revoked = run(revoke)
    assert revoked.status == "revoked" and revoked.status_reason == "材料造假"
    assert seen == [(person.id, "created"), (person.id, "status_changed")]
    assert run(CredentialEvent.count) == 2
    assert [
        r["to_status"]
        for r in run(CredentialStatusChange.select().order_by(CredentialStatusChange.id))
    ] == ["valid", "revoked"]
    assert run(AuditLog.count().where(AuditLog.action == "credential.revoked")) == 1
    with pytest.raises(Conflict, match="不能改为"):
        run(revoke)


def test_suspension_needs_a_reason_and_nothing_changes_without_it(
    run, make_person, make_credential
):
    cred = make_credential(make_person().id, "SECURITY_LICENSE")

    async def suspend():
        async with db.transaction():
            await change_status(cred.id, "suspended", " ", Actor.system("t"))

    with pytest.raises(ValidationError, match="请填写原因"):
        run(suspend)
    assert run(CredentialStatusChange.count) == 1


def test_counts_on_boundaries():
    row = {"status": "valid", "issued_on": date(2025, 1, 1), "expires_on": date(2026, 1, 1)}
    assert counts_on(row, date(2026, 1, 1)) and not counts_on(row, date(2026, 1, 2))
    assert not counts_on(row, date(2024, 12, 31))
    assert not counts_on({**row, "status": "suspended"}, date(2025, 6, 1))
