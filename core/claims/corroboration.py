"""A self-registered new person is bound provisionally until an organisation corroborates it.

Case (a) of core.claims (no Person held the number) binds the account after a code to the phone
the registrant ENTERED: that proves the phone, not the identity. Someone who knows a caregiver's
name and ID number could register her first with their own phone and inherit everything her
provider, employer or officer records later. PIPL art. 51 (measures against unauthorised access
to personal information) therefore makes that binding provisional: the first time anyone other
than the account itself records the person (``core.people.find_or_create_person`` called by an
organisation actor: staff links, officers' recorded credentials, imports), in the SAME
transaction as that write:

  * the same phone as the one the registrant verified → corroborated (``corroborated_at``,
    audit ``claim.corroborated``); nothing changes for the account;
  * another phone → the organisation's phone becomes the phone on file, the account is unbound
    at once (person None, identity_verified_at None), its claim is ``disputed`` and a new
    pending claim (method ``sms``) sends a code to the phone now on file (the genuine
    caregiver has it, a squatter does not); audit ``claim.disputed``;
  * no phone → the self-asserted phone is dropped from the record, the account is unbound and
    a new pending claim (method ``officer``) asks for an ID document image for the officers'
    queue; audit ``claim.disputed``.

Because the account is unbound before the organisation's write commits, nothing the
organisation records is ever visible to an uncorroborated account.
"""

from __future__ import annotations

import contextlib

from core import audit, clock, db, otp
from core.actor import Actor
from core.claims.tables import ClaimMethod, ClaimState, IdentityClaim
from core.tables import Person, User


async def on_recorded(person: Person, phone: str | None, actor: Actor) -> None:
    """Called by ``core.people.find_or_create_person`` when an EXISTING Person is recorded by
    ``actor`` with ``phone`` (normalised mobile, or None). Corroborates or disputes the
    provisional binding of a self-registered account to ``person`` (module docstring; PIPL
    art. 51). Updates ``person.phone`` in place when it changes. Runs inside the caller's
    transaction (opens one when none is open); does nothing when no provisional binding
    exists or when the actor is the bound account itself."""
    # provisional: proved by the code to the phone entered (an officer's acceptance, who saw
    # the ID document, leaves phone_verified_at empty and needs no corroboration)
    claims = await IdentityClaim.objects().where(
        (IdentityClaim.person == person.id) & (IdentityClaim.method == ClaimMethod.NEW)
        & (IdentityClaim.state == ClaimState.VERIFIED)
        & IdentityClaim.phone_verified_at.is_not_null()
        & IdentityClaim.corroborated_at.is_null())
    claims = [c for c in claims if c.user != actor.user_id]
    if not claims:
        return
    async with db.transaction():
        now = clock.now()
        for claim in claims:
            if phone and phone == claim.phone:  # the registrant's verified phone: corroborated
                claim.corroborated_at = now
                await claim.save()
                await audit.record(actor, "claim.corroborated", "identity_claim", claim.id,
                                   after={"user_id": claim.user, "person_id": person.id})
                continue
            await _dispute(claim, person, phone, actor)


async def _dispute(claim: IdentityClaim, person: Person, phone: str | None,
                   actor: Actor) -> None:
    """Unbind the claim's account, put the organisation's phone (or none) on file and open a
    new pending claim: a code to that phone, or the officers' document queue."""
    from core.claims.services import _send  # services imports core.people, which imports us

    now = clock.now()
    # the registrant's own phone proves nothing: the organisation's replaces it, or none is kept
    person.phone = phone or None
    person.updated_at = now
    await Person.update({Person.phone: person.phone, Person.updated_at: now}).where(
        Person.id == person.id)
    await User.update({User.person: None, User.identity_verified_at: None}).where(
        (User.id == claim.user) & (User.person == person.id))
    claim.state = "disputed"
    claim.decided_at = now
    await claim.save()
    method = ClaimMethod.SMS if phone else ClaimMethod.OFFICER
    await audit.record(actor, "claim.disputed", "identity_claim", claim.id,
                       after={"user_id": claim.user, "person_id": person.id,
                              "reason": "phone_differs" if phone else "no_phone",
                              "next": method})
    again = IdentityClaim(
        user=claim.user, id_type=claim.id_type, id_number=claim.id_number, name=claim.name,
        phone=claim.phone, person=person.id, method=method, state=ClaimState.PENDING,
        created_at=now)
    await again.save()
    await audit.record(actor, "claim.create", "identity_claim", again.id,
                       after={"user_id": claim.user, "method": method, "disputed": claim.id})
    with contextlib.suppress(otp.CodeThrottled):
        await _send(again, actor)
