"""Server-side sessions whose ID is renewed at sign-in, so a planted cookie is worthless
(session fixation)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)

NEW_ID_KEY = "_registry_new_session_id"
SESSION_COOKIE = "registry_session"


class RenewingSessionBackend(ServerSideSessionBackend):
    def get_session_id(self, connection: ASGIConnection) -> str:
        renewed = connection.scope.get(NEW_ID_KEY)  # type: ignore[misc]
        return renewed or super().get_session_id(connection)


@dataclass
class RenewingSessionConfig(ServerSideSessionConfig):
    _backend_class = RenewingSessionBackend  # type: ignore[assignment]


async def renew_session(request: Request) -> None:
    """Drop the current session and continue under a fresh random ID."""
    old_id = request.cookies.get(SESSION_COOKIE)
    if old_id:
        await request.app.stores.get("sessions").delete(old_id)
    request.scope[NEW_ID_KEY] = secrets.token_hex(32)  # type: ignore[literal-required]
    request.clear_session()
