"""Hand-written: which existing trainee accounts count as verified.

The rule: a trainee account bound to a Person is marked verified (at the time of its
registration) when its audit row ``user.register`` (entity ``user`` = the account) and the audit
row ``person.create`` of its Person (entity ``person`` = User.person) were written by the same
actor — same actor_id (both empty for an anonymous registration), actor_name and client_ip —
with the Person created at most 60 seconds before the registration row, and the registration
row naming that Person (``after.person_id``) when it names one. The old self-registration
(core.accounts.services.register_trainee before this change) created the Person and the account
in one transaction with one actor, so such a Person was created BY that registration: nothing
of someone else's was claimed.

A trainee account that an administrator created (audit row ``user.create`` for the account,
with or without a Person) is marked verified too: an administrator's binding is an officer's
decision, as core.accounts.services.create_user now records it.

Every other trainee account bound to a Person — a Person that a provider, employer or officer
recorded first, or one without those audit rows — stays unverified: it keeps its Person but
sees nothing of the record (core.accounts.services.to_current_user gives person_id None) until
it passes the SMS code sent to the phone on file at its next visit, or, with no phone on file,
an officer's check of an ID document (core.claims.services.ensure_claim). Accounts of other
roles are not touched (they do not depend on the column). A second run changes nothing.
"""

import json
from datetime import timedelta

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import JSON, Integer, Serial, Timestamptz, Varchar
from piccolo.table import Table

ID = "2026-11-30T01:51:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "identity claims: self-registered trainee accounts are verified"
SAME_REGISTRATION_WITHIN = timedelta(seconds=60)


class User(Table, tablename="app_user", schema=None):
    id = Serial(null=False, primary_key=True)
    role = Varchar(length=30)
    person = Integer(null=True)
    identity_verified_at = Timestamptz(null=True, default=None)


class AuditLog(Table, tablename="audit_log", schema=None):
    id = Serial(null=False, primary_key=True)
    at = Timestamptz()
    actor_id = Integer(null=True)
    actor_name = Varchar(length=50)
    action = Varchar(length=60)
    entity_type = Varchar(length=40)
    entity_id = Varchar(length=40)
    summary = JSON()
    client_ip = Varchar(length=64)


def _summary(value):
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}


async def mark_self_registered() -> tuple[int, int]:
    """Apply the rule of the module docstring; returns (verified, left unverified)."""
    trainees = await User.select(User.id, User.person).where(
        (User.role == "trainee") & User.identity_verified_at.is_null())
    if not trainees:
        return 0, 0
    fields = (AuditLog.at, AuditLog.actor_id, AuditLog.actor_name, AuditLog.client_ip,
              AuditLog.entity_id, AuditLog.summary)
    registered = {r["entity_id"]: r for r in await AuditLog.select(*fields).where(
        (AuditLog.action == "user.register") & (AuditLog.entity_type == "user"))}
    created = {r["entity_id"]: r for r in await AuditLog.select(*fields).where(
        (AuditLog.action == "person.create") & (AuditLog.entity_type == "person"))}
    by_admin = {r["entity_id"]: r["at"] for r in await AuditLog.select(
        AuditLog.entity_id, AuditLog.at).where(
        (AuditLog.action == "user.create") & (AuditLog.entity_type == "user"))}
    verified = 0
    for user in trainees:
        if str(user["id"]) in by_admin:
            await User.update({User.identity_verified_at: by_admin[str(user["id"])]}).where(
                User.id == user["id"])
            verified += 1
            continue
        reg = registered.get(str(user["id"]))
        made = created.get(str(user["person"]))
        if reg is None or made is None:
            continue
        after = _summary(reg["summary"]).get("after") or {}
        same_actor = all(reg[k] == made[k] for k in ("actor_id", "actor_name", "client_ip"))
        in_time = made["at"] <= reg["at"] <= made["at"] + SAME_REGISTRATION_WITHIN
        same_person = after.get("person_id") in (None, user["person"])
        if same_actor and in_time and same_person:
            await User.update({User.identity_verified_at: reg["at"]}).where(
                User.id == user["id"])
            verified += 1
    return verified, len(trainees) - verified


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)

    async def run():
        verified, left = await mark_self_registered()
        if verified or left:
            print(f"\nidentity claims: {verified} self-registered trainee accounts marked "
                  f"verified; {left} bound to a record someone else created stay unverified "
                  "(SMS code at next visit)")

    manager.add_raw(run)
    return manager
