"""The identity claim of a self-registered trainee account (one row per attempt).

``method``: how the claim can be proved —
  ``new``      no Person holds the number: a code to the phone entered; the Person is created
               (phone verified) when it is entered;
  ``sms``      a Person holds it, names match, phone on file: a code to the phone ON FILE;
  ``officer``  a Person holds it, names match, no phone on file: an ID document image and an
               人社局 officer's decision;
  ``none``     nothing the claimant can enter proves it (the name does not match the record, or
               the record already has a verified trainee account): a decoy code is kept so that
               the answers look exactly like ``sms``; only an officer can still accept it.
``state``: pending → verified | rejected | withdrawn; a verified ``new`` claim becomes
``disputed`` when an organisation first records the person with another phone or none
(core.claims.corroboration), else it gets ``corroborated_at``.
"""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import (
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from core.tables import Person, StoredFile, User


class ClaimMethod(StrEnum):
    """How an identity claim can be proved (IdentityClaim.method; see the module docstring);
    the values are what the database holds."""

    NEW = "new"
    SMS = "sms"
    OFFICER = "officer"
    NONE = "none"


METHODS = tuple(ClaimMethod)


class ClaimState(StrEnum):
    """An identity claim's state (IdentityClaim.state); the values are what the database holds."""

    PENDING = "pending"
    VERIFIED = "verified"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    DISPUTED = "disputed"


STATES = tuple(ClaimState)


class IdentityClaim(Table, tablename="identity_claim"):
    """What a claimant entered (normalised), the Person it matched and how it was decided.
    ``phone`` is the number entered (verified only for method ``new``); the document image is
    visible to 人社局 officers only and deleted 30 days after the decision
    (``document_deleted_at``)."""

    id = Serial(primary_key=True)
    user = ForeignKey(User, index=True)
    id_type = Varchar(length=20)
    id_number = Varchar(length=32, index=True)
    name = Varchar(length=50)
    phone = Varchar(length=20, default="")
    person = ForeignKey(Person, null=True, default=None, index=True)
    method = Varchar(length=10)
    state = Varchar(length=10, default="pending", index=True)
    document = ForeignKey(StoredFile, null=True, default=None, on_delete=OnDelete.set_null)
    document_consent_at = Timestamptz(null=True, default=None)
    document_uploaded_at = Timestamptz(null=True, default=None)
    document_deleted_at = Timestamptz(null=True, default=None)
    phone_verified_at = Timestamptz(null=True, default=None)
    # method "new" only: when an organisation first recorded the person with the same phone
    corroborated_at = Timestamptz(null=True, default=None)
    decided_by = Integer(null=True, default=None)
    decided_at = Timestamptz(null=True, default=None, index=True)
    decision_note = Text(default="")
    created_at = Timestamptz()


TABLES = [IdentityClaim]
