"""Attack review of identity claims: at most one verified trainee account
per Person, enforced by the database (two bindings at once no longer both succeed); a disabled
account's binding does not lock the genuine person out; claims made moot by another account's
binding are closed, and no ID document image is kept beyond 30 days, decided or not."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.claims.tables import IdentityClaim
from core.tables import AuditLog, StoredFile, User
from tests.conftest import api_token, login, post_form
from tests.core.test_identity_claims import ID_NUMBER, ON_FILE, _upload, register

ALREADY_BOUND = "该证件号码已注册学员账号，请直接登录"


@pytest.fixture
def victim(make_person):
    """王芳 recorded by an organisation, with her phone on file."""
    return make_person("王芳", ID_NUMBER, ON_FILE)


def _user(run, username):
    return run(User.objects().where(User.username == username).first)


def _actions(run, action):
    return run(AuditLog.select().where(AuditLog.action == action))


def test_the_database_refuses_a_second_verified_trainee_for_one_person(run, make_person,
                                                                       make_user):
    from core import clock

    person = make_person("王芳", ID_NUMBER, ON_FILE)
    first, second = make_user("trainee", "first"), make_user("trainee", "second")
    run(User.update({User.person: person.id}).where(User.id == first))
    with pytest.raises(Exception, match="(?i)unique"):
        run(User.update({User.person: person.id, User.identity_verified_at: clock.now()})
            .where(User.id == second))
    # an unverified binding, or another role, is not limited
    run(User.update({User.person: person.id, User.identity_verified_at: None}).where(
        User.id == second))
    assert run(User.count().where(User.person == person.id)) == 2


def test_two_bindings_at_once_the_second_gets_409_not_500(client, run, outbox, victim,
                                                          make_user, monkeypatch):
    """The race: both claimants' checks ran before either wrote. Simulated by the first
    binding committing unseen by the second's check; the index refuses the second write."""
    from core import clock
    from core.claims import services

    person = victim
    headers = register(client)
    code = outbox.last_code(ON_FILE)
    rival = make_user("trainee", "rival")  # bound and verified while the claimant's check ran
    run(User.update({User.person: person.id, User.identity_verified_at: clock.now()}).where(
        User.id == rival))

    async def checked_before_the_rival_wrote(person_id, user_id):
        return False

    monkeypatch.setattr(services, "_bound_elsewhere", checked_before_the_rival_wrote)
    r = client.post("/api/v1/auth/claim/verify", json={"code": code}, headers=headers)
    assert r.status_code == 409, r.text
    assert r.json()["detail"] == ALREADY_BOUND
    claimant = _user(run, "claimant")
    assert claimant.person is None and claimant.identity_verified_at is None
    assert run(IdentityClaim.select(IdentityClaim.state).first)["state"] == "pending"
    assert _actions(run, "claim.verified") == []
    assert _user(run, "rival").person == person.id


def test_a_disabled_accounts_binding_does_not_lock_out_the_person(client, run, outbox,
                                                                   make_person, make_user):
    """An account that once proved the record (e.g. with a phone later found to be someone
    else's) is disabled by an admin; the genuine person's document claim is accepted."""
    person = make_person("王芳", ID_NUMBER)  # no phone on file: the officer's queue
    make_user("admin", "boss")
    admin = api_token(client, "boss")
    make_user("hrss_officer", "officer")
    old = register(client, username="oldaccount")
    _upload(client, old)
    old_claim = run(IdentityClaim.objects().first)
    login(client, "officer")
    post_form(client, f"/officer/claims/{old_claim.id}/decide", {"decision": "accept"})
    post_form(client, "/logout", {})
    old_id = _user(run, "oldaccount").id
    assert _user(run, "oldaccount").person == person.id
    r = client.post(f"/api/v1/admin/users/{old_id}/disable", headers=admin)
    assert r.status_code in (200, 204), r.text

    headers = register(client, username="genuine")
    assert _upload(client, headers).status_code == 202
    claim = run(IdentityClaim.objects().where(IdentityClaim.user == _user(run, "genuine").id)
                .first)
    login(client, "officer")
    assert "已有经核验的学员账号" not in client.get(f"/officer/claims/{claim.id}").text
    r = post_form(client, f"/officer/claims/{claim.id}/decide", {"decision": "accept"},
                  follow_redirects=False)
    assert r.status_code in (302, 303), r.text
    genuine, old = _user(run, "genuine"), _user(run, "oldaccount")
    assert genuine.person == person.id and genuine.identity_verified_at is not None
    assert old.person is None and old.identity_verified_at is None
    [unbound] = _actions(run, "claim.unbound")
    assert unbound["entity_id"] == str(old_id)
    assert "disabled" in str(unbound["summary"])
    # re-enabled, the old account sees nothing of the record
    client.post(f"/api/v1/admin/users/{old_id}/enable", headers=admin)
    me = client.get("/api/v1/auth/claim", headers=api_token(client, "oldaccount")).json()
    assert me["state"] == "unlinked"


def test_a_binding_closes_the_other_accounts_claims_and_their_images_go_in_30_days(
        client, run, outbox, victim, clock):
    other = register(client, username="other")
    other_code = outbox.last_code(ON_FILE)
    assert _upload(client, other).status_code == 202
    headers = register(client)
    code = outbox.last_code(ON_FILE)
    assert code != other_code
    r = client.post("/api/v1/auth/claim/verify", json={"code": code}, headers=headers)
    assert r.status_code == 200, r.text

    moot = run(IdentityClaim.objects().where(
        IdentityClaim.user == _user(run, "other").id).first)
    assert moot.state == "withdrawn" and moot.decided_at is not None
    assert len(_actions(run, "claim.superseded")) == 1
    assert client.get("/api/v1/auth/claim", headers=other).json()["state"] == "unlinked"
    r = client.post("/api/v1/auth/claim/verify", json={"code": other_code}, headers=other)
    assert r.status_code == 422
    assert _user(run, "other").person is None
    assert _user(run, "claimant").person == victim.id

    from core.claims.services import purge_decided_documents

    clock.set_now(clock.now() + timedelta(days=29))
    assert run(purge_decided_documents) == 0
    clock.set_now(clock.now() + timedelta(days=2))
    assert run(purge_decided_documents) == 1
    moot = run(IdentityClaim.objects().where(IdentityClaim.id == moot.id).first)
    assert moot.document is None and moot.document_deleted_at is not None
    assert run(StoredFile.count) == 0


def test_an_image_nobody_decides_is_deleted_30_days_after_the_upload(
        client, run, outbox, make_person, clock):
    make_person("王芳", ID_NUMBER)
    headers = register(client)
    assert _upload(client, headers).status_code == 202
    from core.claims.services import pending_documents, purge_decided_documents

    clock.set_now(clock.now() + timedelta(days=29, hours=23))
    assert run(purge_decided_documents) == 0
    clock.set_now(clock.now() + timedelta(hours=2))
    assert run(purge_decided_documents) == 1
    claim = run(IdentityClaim.objects().first)
    assert claim.state == "pending" and claim.document is None
    assert claim.document_deleted_at is not None and run(StoredFile.count) == 0
    assert run(pending_documents) == []  # out of the officers' queue
    assert _actions(run, "claim.document_deleted")
    headers = api_token(client, "claimant")  # the first token expired meanwhile
    state = client.get("/api/v1/auth/claim", headers=headers).json()
    assert state["state"] == "pending" and state["document_uploaded"] is False
    assert _upload(client, headers).status_code == 202  # may upload again


def test_the_migration_stops_on_persons_already_shared_then_runs_once_resolved(
        run, make_person, make_user):
    """Like the username_key migration: nothing changes while existing data breaks the rule;
    the message names the persons and accounts and says what to do."""
    import importlib

    from core import clock

    migration = importlib.import_module("migrations.registry_2026_11_30t02_15_00_000000")
    run(migration.drop_index)
    try:
        person = make_person("王芳", ID_NUMBER, ON_FILE)
        ids = [make_user("trainee", name) for name in ("first", "second")]
        run(User.update({User.person: person.id, User.identity_verified_at: clock.now()})
            .where(User.id.is_in(ids)))
        with pytest.raises(migration.SharedPersonBinding) as stopped:
            run(migration.add_index)
        message = str(stopped.value)
        assert "已停止，未做任何修改" in message and f"人员 {person.id}：first、second" in message
        run(User.update({User.person: None, User.identity_verified_at: None}).where(
            User.id == ids[1]))
    finally:
        run(migration.add_index)  # resolved: the index is back (also for the next test)
    with pytest.raises(Exception, match="(?i)unique"):
        run(User.update({User.person: person.id, User.identity_verified_at: clock.now()})
            .where(User.id == ids[1]))
