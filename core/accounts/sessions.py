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
from litestar.types import Empty, Message, ScopeSession

NEW_ID_KEY = "_registry_new_session_id"
SESSION_COOKIE = "registry_session"


class RenewingSessionBackend(ServerSideSessionBackend):
    def get_session_id(self, connection: ASGIConnection) -> str:
        renewed = connection.scope.get(NEW_ID_KEY)  # type: ignore[misc]
        return renewed or super().get_session_id(connection)

    async def store_in_message(self, scope_session: ScopeSession, message: Message,
                               connection: ASGIConnection) -> None:
        """Keep nothing for a visitor with nothing to keep: an empty session is neither written
        to the store nor sent as a cookie (otherwise every anonymous request would leave a
        session behind). An emptied session that had a cookie is deleted and its cookie
        expired."""
        if scope_session is not Empty and not scope_session:
            had_cookie = bool(connection.cookies.get(self.config.key))
            if not had_cookie and not connection.scope.get(NEW_ID_KEY):  # type: ignore[misc]
                return
            scope_session = Empty
        await super().store_in_message(scope_session, message, connection)


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
