"""Who is acting: carried from the request into services, recorded by the audit log."""

from __future__ import annotations

from dataclasses import dataclass

from core.roles import Role


@dataclass(frozen=True)
class CurrentUser:
    """The signed-in user as handlers and templates see it (no password hash)."""

    id: int
    username: str
    display_name: str
    role: Role
    organisation_id: int | None = None
    person_id: int | None = None
    must_change_password: bool = False  # pages lead to /account/password; the API answers 403
    # a trainee whose identity claim is not proved yet (core.claims): pages lead to
    # /account/verify, and person_id is None
    identity_unverified: bool = False

    @property
    def role_label(self) -> str:
        return self.role.label


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str
    role: str
    ip: str = ""
    organisation_id: int | None = None
    person_id: int | None = None

    @classmethod
    def of(cls, user: CurrentUser | None, ip: str = "") -> Actor:
        if user is None:
            return cls(None, "", "anonymous", ip)
        return cls(user.id, user.username, str(user.role), ip, user.organisation_id, user.person_id)

    @classmethod
    def system(cls, name: str = "system") -> Actor:
        return cls(None, name, "system")
