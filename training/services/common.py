"""Shared helpers of the training services: who may see which provider's data, and the base
of the typed rows the API answers as they are."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from core.actor import Actor
from core.errors import Forbidden, NotFound
from core.roles import Role

OFFICER_ROLES = frozenset({Role.HRSS_OFFICER.value, Role.ADMIN.value})
READ_ROLES = OFFICER_ROLES | {Role.EDU_OFFICER.value}


class Row(BaseModel):
    """A typed row a service returns: frozen, built from the selected columns by name (a
    state's value becomes its StrEnum). Where the API answers the same shape, its response
    model in training.schemas subclasses the row, so the fields are declared here once."""

    model_config = ConfigDict(frozen=True)


def is_officer(actor: Actor) -> bool:
    return actor.role in OFFICER_ROLES


def own_provider_id(actor: Actor) -> int:
    """The provider a staff user works for; anybody else is refused."""
    if actor.role != Role.PROVIDER_STAFF.value or actor.organisation_id is None:
        raise Forbidden("仅培训机构工作人员可以办理")
    return actor.organisation_id


def check_provider_access(actor: Actor, provider_id: int, message: str = "未找到该记录") -> None:
    """Staff see only their provider's data; officers see all; others: 404 (not revealed)."""
    if actor.role in READ_ROLES:
        return
    if actor.role == Role.PROVIDER_STAFF.value and actor.organisation_id == provider_id:
        return
    raise NotFound(message)


def person_of(actor: Actor) -> int:
    if actor.person_id is None:
        raise Forbidden("账号未关联人员信息，请以学员身份登录")
    return actor.person_id
