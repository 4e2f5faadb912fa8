"""Trainee self-registration and the identity claim that binds the account to a Person.

Registration never binds at once and never reveals what the registry holds (PIPL art. 51 —
measures against unauthorised access to personal information): the account is created without a
Person, with a pending claim, and every case answers the same "已受理":

  (a) no Person holds the number      → a code to the phone entered; when it is entered the
                                        Person is created with that phone (verified) and bound;
  (b) names match, phone on file      → a code to the phone ON FILE, never to the one entered;
  (c) names match, no phone on file   → an ID document image (its own consent) for a 人社局
                                        officer to accept or reject;
  (d) names differ, or the record already has a verified trainee account
                                      → no SMS; a decoy code nobody knows answers wrong tries
                                        exactly like (b).

(b), (c) and (d) all get a decoy or real code and all may upload a document, so neither the
verify page nor the API tells them apart. Accounts bound before claims existed to a Person that
someone else created get a claim at their next visit (``ensure_claim``): a code to the phone on
file, or the officer queue. Document images are deleted 30 days after the decision, or after
the upload when nobody decides (``purge_decided_documents``, a housekeeping task). At most one
ACTIVE verified trainee account holds a Person (a partial unique index backs the check; a
disabled account's binding is released by the next binding, and the other accounts' pending
claims on the Person are withdrawn then).

Case (a) proves the phone entered, not the identity, so its binding is PROVISIONAL (PIPL
art. 51; ``core.claims.corroboration``): the first organisation that records the person
(``core.people.find_or_create_person``) corroborates it with the same phone, or — with another
phone or none — unbinds the account in that same transaction and opens a new claim: a code to
the organisation's phone (method ``sms``) or the officers' document queue (``officer``).

``verify_claim`` checks the code with ``core.otp.check_code``, which commits each wrong try in
its own transaction: it is called outside any open transaction.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from core import audit, clock, db, otp
from core.accounts.passwords import check_policy, hash_password
from core.accounts.services import check_username
from core.accounts.usernames import normalise_username
from core.actor import Actor
from core.claims.tables import ClaimMethod, ClaimState, IdentityClaim
from core.errors import Conflict, NotFound, ValidationError
from core.files import delete_file, save_file
from core.identity import mask_id_number, mask_name, mask_phone, names_match
from core.messages.outbox import enqueue
from core.messages.tables import Message
from core.people import PersonInput, find_or_create_person, find_person
from core.roles import Role
from core.tables import Person, User
from core.uploads import SCAN_KINDS, check_upload

PURPOSE = "claim"
ACCEPTED_STATUS = "已受理"
ACCEPTED_MESSAGE = ("注册申请已受理。如信息与登记一致，验证码将发送至登记的手机号码，"
                    "请登录后在“验证身份”页面输入验证码完成核验。")
CODE_SENT = "验证码已发送至登记的手机号码"
DOCUMENT_CONSENT = "同意为核验身份上传证件照片，仅人社局工作人员可见，审核后 30 日内删除"
DOCUMENT_MAX_BYTES = 5 * 1024 * 1024
DOCUMENT_LABEL = "证件照片"
# PIPL art. 19 (keep no longer than needed): the image goes 30 days after the decision
DOCUMENT_KEPT_FOR = timedelta(days=30)
NOT_LINKED = "账号尚未关联人员信息，请联系人社局工作人员"
ALREADY_BOUND = "该证件号码已注册学员账号，请直接登录"


@dataclass(frozen=True)
class TraineeRegistration:
    name: str
    id_type: str
    id_number: str
    phone: str
    username: str
    password: str
    password_confirm: str


@dataclass(frozen=True)
class ClaimView:
    """What the claimant may know of their own claim. ``state``: pending | verified |
    rejected | unlinked. ``phone_masked`` only for a new person (the number they entered);
    ``may_upload`` for claims on an existing record (b, c, d alike)."""

    state: str
    message: str
    phone_masked: str = ""
    may_upload: bool = False
    document_uploaded: bool = False
    decision_note: str = ""


def _subject(claim: IdentityClaim) -> str:
    """Whose codes these are: always the claim itself, in every case. A subject shared by all
    claims on one Person let a second account see the first one's tries and resend times, and
    so learn that the name matched and a phone was on file (case b), and let anyone burn the
    person's own code; the per-person SMS limit is ``_PER_PERSON_CODES`` instead."""
    return f"claim:{claim.id}"


# Real codes sent to one Person's phone on file for claims in any hour, however many accounts
# claim her (no SMS bombing, and no more guesses at her codes than one account gets); past it
# a claim gets an unguessable decoy, silently, so the answer is the same.
_PER_PERSON_CODES = otp.MAX_SENDS_PER_HOUR
_CODE_TOPIC = f"otp.{PURPOSE}"


async def _code_target(claim: IdentityClaim) -> str | None:
    """The phone the code goes to, or None for a decoy."""
    if claim.method == ClaimMethod.NEW:
        return claim.phone
    if claim.method == ClaimMethod.SMS:
        row = await Person.select(Person.phone).where(Person.id == claim.person).first()
        return row["phone"] if row and row["phone"] else None
    return None


async def _limit_spent(claim: IdentityClaim, phone: str) -> bool:
    """Whether the hour's codes to this person (b), or to this phone number (a: a new person's
    phone, which anyone can type into any number of registrations), are all sent."""
    to = (Message.person == claim.person) if claim.method == ClaimMethod.SMS else (
        Message.recipient == phone)
    sent = await Message.count().where(
        to & (Message.topic == _CODE_TOPIC)
        & (Message.created_at > clock.now() - timedelta(hours=1)))
    return sent >= _PER_PERSON_CODES


async def _send(claim: IdentityClaim, actor: Actor) -> None:
    """A new code (real or decoy) for the claim; raises otp.CodeThrottled."""
    phone = await _code_target(claim)
    spent = phone is not None and await _limit_spent(claim, phone)
    if spent:
        phone = None
    await otp.send_code(PURPOSE, _subject(claim), phone, unguessable=spent,
                        person_id=claim.person if claim.method == ClaimMethod.SMS else None)
    if phone is not None:
        await audit.record(actor, "claim.code_sent", "identity_claim", claim.id,
                           after={"to": "entered" if claim.method == ClaimMethod.NEW
                                  else "on_file"})


async def _bound_elsewhere(person_id: int, user_id: int) -> bool:
    """Whether an ACTIVE verified trainee account other than ``user_id`` holds the Person. A
    disabled account's binding does not block the person: binding releases it (``_bind``)."""
    return await User.exists().where(
        (User.person == person_id) & (User.role == Role.TRAINEE) & (User.is_active == True)  # noqa: E712
        & User.identity_verified_at.is_not_null() & (User.id != user_id))


async def _method_for(entered_name: str, person: Person | None,
                      user_id: int) -> ClaimMethod:
    if person is None:
        return ClaimMethod.NEW
    taken = await _bound_elsewhere(person.id, user_id)
    if taken or not names_match(person.name, entered_name):
        return ClaimMethod.NONE
    return ClaimMethod.SMS if person.phone else ClaimMethod.OFFICER


async def _open_claim(user_id: int, entered: PersonInput, actor: Actor) -> IdentityClaim:
    """Write a pending claim and its first code (inside the caller's transaction). A throttled
    code is skipped silently: the answer must not differ (the claimant may resend later)."""
    person = await find_person(entered.id_type, entered.id_number)
    method = await _method_for(entered.name, person, user_id)
    claim = IdentityClaim(
        user=user_id, id_type=entered.id_type, id_number=entered.id_number, name=entered.name,
        phone=entered.phone or "", person=person.id if person else None, method=method,
        state=ClaimState.PENDING, created_at=clock.now())
    await claim.save()
    await audit.record(actor, "claim.create", "identity_claim", claim.id,
                       after={"user_id": user_id, "method": method, "id_type": entered.id_type,
                              "id_number": entered.id_number})
    with contextlib.suppress(otp.CodeThrottled):
        await _send(claim, actor)
    return claim


async def register_trainee(data: TraineeRegistration, actor: Actor) -> int:
    """A trainee registers: the account is created WITHOUT a Person and with a pending claim
    (see the module docstring). Returns the user id.

    Raises ValidationError (422) for the form itself (name, ID number and its checksum, phone,
    username, password policy, confirmation) and Conflict (409) for a username already taken.
    Whether the registry holds the number, under which name, with which phone, and whether it
    already has an account, changes nothing in the answer."""
    username = check_username(data.username)
    entered = PersonInput(data.id_type, data.id_number, data.name, data.phone).normalised()
    if not entered.phone:
        raise ValidationError("请填写手机号码", "phone")
    check_policy(data.password, user_inputs=(
        username, entered.name, entered.id_number, entered.phone))
    if data.password != data.password_confirm:
        raise ValidationError("两次输入的密码不一致", "password_confirm")
    password_hash = await hash_password(data.password)
    async with db.transaction():
        if await User.exists().where(User.username_key == normalise_username(username)):
            raise Conflict("该用户名已被使用", "username")
        user = User(username=username, username_key=normalise_username(username),
                    password_hash=password_hash, role=Role.TRAINEE, display_name=entered.name,
                    person=None, created_at=clock.now())
        await user.save()
        await audit.record(actor, "user.register", "user", user.id,
                           after={"username": username, "role": "trainee"})
        await _open_claim(user.id, entered, actor)
    return user.id


@dataclass(frozen=True)
class ClaimInput:
    """What the claimant enters again to correct a claim (e.g. a mistyped phone)."""

    name: str
    id_type: str
    id_number: str
    phone: str


async def restart_claim(user_id: int, data: ClaimInput, actor: Actor) -> None:
    """Withdraw the account's open claim and open a new one on corrected data, answered like a
    registration (nothing about the registry is revealed). An account bound before claims
    existed and never proved gives up that binding. Raises ValidationError for the fields
    and when the account has nothing to prove (already verified, not a trainee)."""
    entered = PersonInput(data.id_type, data.id_number, data.name, data.phone).normalised()
    if not entered.phone:
        raise ValidationError("请填写手机号码", "phone")
    async with db.transaction():
        user = await User.select(User.role, User.identity_verified_at, User.person).where(
            User.id == user_id).first()
        if user is None or user["role"] != Role.TRAINEE or user["identity_verified_at"]:
            raise ValidationError("身份已核验，无需重新填写", "id_number")
        open_claims = await IdentityClaim.select(IdentityClaim.id).where(
            (IdentityClaim.user == user_id) & (IdentityClaim.state == ClaimState.PENDING))
        for row in open_claims:
            await IdentityClaim.update({IdentityClaim.state: "withdrawn",
                                        IdentityClaim.decided_at: clock.now()}).where(
                IdentityClaim.id == row["id"])
            await audit.record(actor, "claim.withdrawn", "identity_claim", row["id"])
        await User.update({User.person: None, User.display_name: entered.name}).where(
            User.id == user_id)
        if user["person"]:
            await audit.record(actor, "claim.unbound", "user", user_id,
                               after={"person_id": user["person"], "reason": "restart"})
        await _open_claim(user_id, entered, actor)


async def _latest_claim(user_id: int) -> IdentityClaim | None:
    return await (IdentityClaim.objects().where(IdentityClaim.user == user_id)
                  .order_by(IdentityClaim.id, ascending=False).first())


async def ensure_claim(user_id: int, actor: Actor) -> IdentityClaim | None:
    """The account's latest claim; for an unverified account bound before claims existed
    (core.claims migration) a claim on its Person is opened first, with a code to the phone
    on file (or the officer queue). None when the account is verified or has nothing to
    claim."""
    user = await User.select(User.person, User.identity_verified_at, User.role).where(
        User.id == user_id).first()
    if user is None or user["role"] != Role.TRAINEE or user["identity_verified_at"]:
        return None
    claim = await _latest_claim(user_id)
    if claim is not None or not user["person"]:
        return claim
    async with db.transaction():
        claim = await _latest_claim(user_id)
        if claim is not None:
            return claim
        person = await Person.objects().where(Person.id == user["person"]).first()
        if person is None:
            return None
        claim = IdentityClaim(
            user=user_id, id_type=person.id_type, id_number=person.id_number, name=person.name,
            phone="", person=person.id,
            method=ClaimMethod.SMS if person.phone else ClaimMethod.OFFICER,
            state=ClaimState.PENDING, created_at=clock.now())
        await claim.save()
        await audit.record(actor, "claim.create", "identity_claim", claim.id,
                           after={"user_id": user_id, "method": claim.method,
                                  "existing_account": True})
        with contextlib.suppress(otp.CodeThrottled):
            await _send(claim, actor)
    return claim


def view_of(claim: IdentityClaim | None, *, verified: bool) -> ClaimView:
    """What the claimant is shown (the same for cases b, c and d)."""
    if verified:
        return ClaimView("verified", "身份已核验")
    # withdrawn (another account bound the person) or verified once but released since (a
    # disabled account): nothing pending; the claimant may fill in again
    if claim is None or claim.state not in (ClaimState.PENDING, ClaimState.REJECTED):
        return ClaimView("unlinked", NOT_LINKED)
    if claim.state == ClaimState.REJECTED:
        return ClaimView("rejected", "身份核验未通过", may_upload=claim.method != ClaimMethod.NEW,
                         decision_note=claim.decision_note)
    if claim.method == ClaimMethod.NEW:
        return ClaimView("pending", f"验证码已发送至您填写的手机号码 {mask_phone(claim.phone)}",
                         phone_masked=mask_phone(claim.phone))
    uploaded = claim.document is not None
    return ClaimView("pending", "证件照片已提交，等待人社局工作人员核验" if uploaded else CODE_SENT,
                     may_upload=True, document_uploaded=uploaded)


async def claim_view(user_id: int, actor: Actor) -> ClaimView:
    user = await User.select(User.identity_verified_at, User.role).where(
        User.id == user_id).first()
    verified = user is None or user["role"] != Role.TRAINEE or bool(user["identity_verified_at"])
    claim = None if verified else await ensure_claim(user_id, actor)
    return view_of(claim, verified=verified)


async def _pending_claim(user_id: int, actor: Actor) -> IdentityClaim:
    claim = await ensure_claim(user_id, actor)
    if claim is None or claim.state != ClaimState.PENDING:
        raise ValidationError("没有待核验的身份申请", "code")
    return claim


async def resend_code(user_id: int, actor: Actor) -> None:
    """A new code for the pending claim (a decoy where nothing can be sent). Raises
    otp.CodeThrottled (429, with retry_after) and ValidationError when nothing is pending."""
    claim = await _pending_claim(user_id, actor)
    async with db.transaction():
        await _send(claim, actor)


async def verify_claim(user_id: int, code: str, actor: Actor) -> None:
    """Check the code of the account's pending claim and bind the Person. Must be called
    outside a transaction (each wrong try is committed). Raises ValidationError (field
    ``code``) for a wrong, expired or exhausted code, Conflict when the record was meanwhile
    bound to another verified account."""
    claim = await _pending_claim(user_id, actor)
    await otp.check_code(PURPOSE, _subject(claim), code)
    if claim.method not in (ClaimMethod.NEW, ClaimMethod.SMS):  # a decoy: it proves nothing
        raise ValidationError("验证码已失效，请重新获取", "code")
    async with _one_binding_per_person(), db.transaction():
        await _bind(claim.id, actor, how="code")


async def _bind(claim_id: int, actor: Actor, *, how: str, note: str = "") -> int:
    """Bind the claim's user to its Person (created for a new person) and mark it verified,
    inside the caller's transaction. Returns the person id."""
    claim = await IdentityClaim.objects().where(IdentityClaim.id == claim_id).first()
    if claim is None or claim.state != ClaimState.PENDING:
        raise Conflict("该身份申请已处理", "claim")
    now = clock.now()
    if claim.method == ClaimMethod.NEW:
        if await find_person(claim.id_type, claim.id_number) is not None:
            # someone recorded the number since registration: the entered phone proves nothing
            raise Conflict("该证件号码的登记信息已更新，请联系人社局工作人员核验", "code")
        person = await find_or_create_person(
            PersonInput(claim.id_type, claim.id_number, claim.name, claim.phone), actor)
    else:
        person = await Person.objects().where(Person.id == claim.person).first()
        if person is None:
            raise Conflict("未找到该证件号码登记的人员", "claim")
    if await _bound_elsewhere(person.id, claim.user):
        raise Conflict(ALREADY_BOUND, "id_number")
    # accounts bound to this Person without proof (before claims existed) lose it, and so does
    # a DISABLED account that proved it once (the person must not stay locked out by an
    # account an admin has stopped; re-enabled, it sees nothing until it claims again)
    others = await User.select(User.id, User.is_active, User.identity_verified_at).where(
        (User.person == person.id) & (User.role == Role.TRAINEE) & (User.id != claim.user)
        & (User.identity_verified_at.is_null() | (User.is_active == False)))  # noqa: E712
    for other in others:
        await User.update({User.person: None, User.identity_verified_at: None}).where(
            User.id == other["id"])
        reason = "disabled" if other["identity_verified_at"] else "unproved"
        await audit.record(actor, "claim.unbound", "user", other["id"],
                           after={"person_id": person.id, "bound_to_user": claim.user,
                                  "reason": reason})
    await User.update({User.person: person.id, User.identity_verified_at: now,
                       User.display_name: person.name}).where(User.id == claim.user)
    claim.person = person.id
    claim.state = ClaimState.VERIFIED
    claim.decided_at = now
    claim.decided_by = actor.user_id if how == "officer" else None
    claim.decision_note = note
    if how == "code":
        claim.phone_verified_at = now
    await claim.save()
    await audit.record(actor, "claim.verified", "identity_claim", claim.id,
                       after={"user_id": claim.user, "person_id": person.id, "how": how,
                              "method": claim.method})
    await _close_moot_claims(claim, person, actor)
    return person.id


async def _close_moot_claims(bound: IdentityClaim, person: Person, actor: Actor) -> None:
    """Other accounts' pending claims on the Person just bound (by its id, or by the number for
    a claim made before the Person existed) can no longer succeed: they are withdrawn and dated
    (``decided_at``), so their document images go 30 days later with the decided ones."""
    same = (IdentityClaim.person == person.id) | (
        (IdentityClaim.id_type == bound.id_type) & (IdentityClaim.id_number == bound.id_number))
    moot = await IdentityClaim.select(IdentityClaim.id, IdentityClaim.user).where(
        same & (IdentityClaim.state == ClaimState.PENDING) & (IdentityClaim.user != bound.user))
    for row in moot:
        await IdentityClaim.update({IdentityClaim.state: "withdrawn",
                                    IdentityClaim.decided_at: clock.now()}).where(
            IdentityClaim.id == row["id"])
        await audit.record(actor, "claim.superseded", "identity_claim", row["id"],
                           after={"user_id": row["user"], "bound_claim": bound.id})


# What the database says when a second verified trainee account would hold one Person (the
# partial unique index app_user_one_verified_trainee_per_person): SQLite names the column,
# PostgreSQL the index.
_SECOND_BINDING = ("app_user.person", "app_user_one_verified_trainee_per_person")


@contextlib.asynccontextmanager
async def _one_binding_per_person():
    """Around a binding transaction: when a concurrent binding of the same Person committed
    first (both passed the check in ``_bind``), the index refuses the second write; answer it
    as a second claimant is answered otherwise (Conflict ALREADY_BOUND), not with a 500."""
    try:
        yield
    except Exception as exc:
        if "unique" in type(exc).__name__.lower() + str(exc).lower() and any(
                name in str(exc) for name in _SECOND_BINDING):
            raise Conflict(ALREADY_BOUND, "id_number") from None
        raise


async def upload_document(user_id: int, data: bytes, filename: str, consent: bool,
                          actor: Actor) -> None:
    """The claimant's ID document image (JPEG, PNG or PDF, at most 5 MB) for an officer's
    decision, given with its own consent (PIPL art. 29: sensitive personal information needs
    separate consent). A rejected claim is re-opened as a new one. Raises ValidationError
    (``consent``, ``document``) and nothing is stored then."""
    claim = await ensure_claim(user_id, actor)
    if (claim is None or claim.state not in (ClaimState.PENDING, ClaimState.REJECTED)
            or claim.method == ClaimMethod.NEW):
        raise ValidationError("当前无需上传证件照片", "document")
    if not consent:
        raise ValidationError(f"请勾选“{DOCUMENT_CONSENT}”", "consent")
    kind = check_upload(data, allowed=SCAN_KINDS, max_bytes=DOCUMENT_MAX_BYTES,
                        field="document", label=DOCUMENT_LABEL)
    async with db.transaction():
        stored = await save_file(data, kind=kind, original_name=filename, actor=actor)
        now = clock.now()
        old_file = claim.document if claim.state == ClaimState.PENDING else None
        if claim.state == ClaimState.REJECTED:
            claim = IdentityClaim(
                user=user_id, id_type=claim.id_type, id_number=claim.id_number, name=claim.name,
                phone=claim.phone, person=claim.person, method=claim.method,
                state=ClaimState.PENDING, created_at=now)
        claim.document = stored.id
        claim.document_consent_at = now
        claim.document_uploaded_at = now
        await claim.save()
        await audit.record(actor, "claim.document_uploaded", "identity_claim", claim.id,
                           after={"consent": DOCUMENT_CONSENT})
    if old_file:
        await delete_file(old_file)


# --- 人社局 officers -----------------------------------------------------------------------


@dataclass(frozen=True)
class PendingDocument:
    """A claim in the officers' queue (a document uploaded, no decision yet): the name and ID
    number entered, both masked, the document type, when the claim was made and when the
    document was uploaded."""

    id: int
    name: str
    id_type: str
    id_number: str
    created_at: datetime
    document_uploaded_at: datetime


async def pending_documents() -> list[PendingDocument]:
    """Claims waiting for an officer (a document uploaded), oldest upload first."""
    rows = await (
        IdentityClaim.select(IdentityClaim.id, IdentityClaim.name, IdentityClaim.id_type,
                             IdentityClaim.id_number, IdentityClaim.created_at,
                             IdentityClaim.document_uploaded_at)
        .where((IdentityClaim.state == ClaimState.PENDING) & IdentityClaim.document.is_not_null())
        .order_by(IdentityClaim.document_uploaded_at)
    )
    return [PendingDocument(**{**r, "name": mask_name(r["name"]),
                               "id_number": mask_id_number(r["id_number"])}) for r in rows]


@dataclass(frozen=True)
class ClaimedRecord:
    """The registry's record of the Person a claim names, as the officer compares it: name,
    ID number and phone masked ("" when none is on file), and whether the recorded name
    matches the one entered (core.identity.names_match)."""

    name_masked: str
    id_type: str
    id_number: str
    phone: str
    birth_date: date | None
    created_at: datetime
    names_match: bool


@dataclass(frozen=True)
class OfficerClaim:
    """One claim as the officer decides it: what was entered (the name as entered; ID number
    and phone masked, phone "" when none), the account's username, the document (stored file
    id, None when never uploaded or deleted, with ``document_deleted_at`` then), the decision
    so far, the Person's record (None when no Person holds the number) and whether that
    Person already has another verified trainee account."""

    id: int
    state: ClaimState
    name: str
    id_type: str
    id_number: str
    phone: str
    username: str
    created_at: datetime
    document: int | None
    document_uploaded_at: datetime | None
    document_deleted_at: datetime | None
    decided_at: datetime | None
    decision_note: str
    person: ClaimedRecord | None
    already_claimed: bool


async def claim_for_officer(claim_id: int) -> OfficerClaim:
    """One claim as the officer sees it. Raises NotFound."""
    claim = await IdentityClaim.objects().where(IdentityClaim.id == claim_id).first()
    if claim is None:
        raise NotFound("未找到该身份申请")
    person = None
    if claim.person:
        row = await Person.objects().where(Person.id == claim.person).first()
        if row is not None:
            person = ClaimedRecord(
                name_masked=mask_name(row.name), id_type=row.id_type,
                id_number=mask_id_number(row.id_number),
                phone=mask_phone(row.phone) if row.phone else "", birth_date=row.birth_date,
                created_at=row.created_at, names_match=names_match(row.name, claim.name))
    username = await User.select(User.username).where(User.id == claim.user).first()
    return OfficerClaim(
        id=claim.id, state=ClaimState(claim.state), name=claim.name, id_type=claim.id_type,
        id_number=mask_id_number(claim.id_number),
        phone=mask_phone(claim.phone) if claim.phone else "",
        username=username["username"] if username else "",
        created_at=claim.created_at, document=claim.document,
        document_uploaded_at=claim.document_uploaded_at,
        document_deleted_at=claim.document_deleted_at,
        decided_at=claim.decided_at, decision_note=claim.decision_note, person=person,
        already_claimed=bool(claim.person) and await _bound_elsewhere(claim.person, claim.user),
    )


async def document_of(claim_id: int, actor: Actor) -> int:
    """The stored file id of a claim's document, for an officer to look at; each look is
    audited (``claim.document_viewed``). Raises NotFound when none is kept."""
    row = await IdentityClaim.select(IdentityClaim.document).where(
        IdentityClaim.id == claim_id).first()
    if row is None or row["document"] is None:
        raise NotFound("证件照片不存在或已删除")
    await audit.record(actor, "claim.document_viewed", "identity_claim", claim_id)
    return row["document"]


async def decide_claim(claim_id: int, accept: bool, note: str, actor: Actor) -> None:
    """An officer accepts (the account is bound) or rejects (``note`` required, told to the
    claimant on the verify page and by SMS to the phone entered) a pending claim. Raises
    ValidationError, NotFound, Conflict (already decided, or the record already has a
    verified account)."""
    note = (note or "").strip()
    if len(note) > 200:
        raise ValidationError("说明过长（最多 200 个字）", "note")
    if not accept and not note:
        raise ValidationError("请填写不通过的原因", "note")
    async with _one_binding_per_person(), db.transaction():
        claim = await IdentityClaim.objects().where(IdentityClaim.id == claim_id).first()
        if claim is None:
            raise NotFound("未找到该身份申请")
        if claim.state != ClaimState.PENDING:
            raise Conflict("该身份申请已处理", "claim")
        if accept:
            if claim.method != ClaimMethod.NEW and not claim.person:
                raise ValidationError("该申请未匹配到登记人员，无法通过", "claim")
            await _bind(claim.id, actor, how="officer", note=note)
            return
        claim.state = ClaimState.REJECTED
        claim.decided_at = clock.now()
        claim.decided_by = actor.user_id
        claim.decision_note = note
        await claim.save()
        await audit.record(actor, "claim.rejected", "identity_claim", claim.id,
                           after={"user_id": claim.user}, note=note)
        if claim.phone:
            await enqueue("sms", claim.phone,
                          f"【托育从业人员平台】您的身份核验申请未通过：{note}。"
                          "可登录后重新上传证件照片。", kind="notice", topic="claim.rejected")


async def accept_pending_claim(user_id: int, note: str, actor: Actor) -> None:
    """Accept the account's pending claim without a code (the demo seeder; an officer who saw
    the person at the counter uses the queue). Raises NotFound when nothing is pending."""
    claim = await _latest_claim(user_id)
    if claim is None or claim.state != ClaimState.PENDING:
        raise NotFound("没有待核验的身份申请")
    await decide_claim(claim.id, True, note, actor)


# --- housekeeping ----------------------------------------------------------------------------


async def purge_decided_documents() -> int:
    """Delete the ID document images kept 30 days (PIPL art. 19): of claims decided (or
    withdrawn, e.g. made moot by another account's binding) more than 30 days ago, and of
    claims still undecided 30 days after the upload (the claim stays pending, out of the
    officers' queue; the claimant may upload again). The claim keeps ``document_deleted_at``.
    Returns how many were deleted."""
    cutoff = clock.now() - DOCUMENT_KEPT_FOR
    decided = IdentityClaim.decided_at.is_not_null() & (IdentityClaim.decided_at <= cutoff)
    undecided = (IdentityClaim.decided_at.is_null() & (IdentityClaim.state == ClaimState.PENDING)
                 & (IdentityClaim.document_uploaded_at <= cutoff))
    due = await IdentityClaim.select(
        IdentityClaim.id, IdentityClaim.document, IdentityClaim.decided_at).where(
        IdentityClaim.document.is_not_null() & (decided | undecided))
    actor = Actor.system("housekeeping")
    for row in due:
        async with db.transaction():
            await IdentityClaim.update({IdentityClaim.document: None,
                                        IdentityClaim.document_deleted_at: clock.now()}).where(
                IdentityClaim.id == row["id"])
            await audit.record(actor, "claim.document_deleted", "identity_claim", row["id"],
                               after={"undecided": row["decided_at"] is None})
        await delete_file(row["document"])
    return len(due)
