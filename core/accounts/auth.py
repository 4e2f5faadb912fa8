"""Who is calling: bearer tokens on /api, the session cookie on pages. Plus the guards.

Guards: 401 without credentials, 403 for a wrong role. An object of another organisation
is answered with 404 by the services (existence not revealed).
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from core.accounts.lifecycle import SESSION_VERSION_KEY, load_session_user
from core.accounts.services import user_for_token
from core.actor import Actor, CurrentUser
from core.roles import Role

API_PREFIX = "/api/"
SESSION_USER_KEY = "user_id"


class AuthMiddleware(AbstractAuthenticationMiddleware):
    """Sets ``request.user`` to a CurrentUser, or None for anonymous visitors."""

    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        if connection.scope["path"].startswith(API_PREFIX):
            header = connection.headers.get("authorization", "")
            scheme, _, token = header.partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                user = await user_for_token(token.strip())
                if user is None:
                    raise NotAuthorizedException("访问令牌无效或已过期")
                return AuthenticationResult(user=user, auth=token.strip())
            return AuthenticationResult(user=None, auth=None)
        session = connection.scope.get("session", {}) or {}
        user_id = session.get(SESSION_USER_KEY) if isinstance(session, dict) else None
        user = None
        if user_id:
            version = session.get(SESSION_VERSION_KEY, 0)
            user = await load_session_user(int(user_id), int(version))
            if user is None:  # disabled, or sessions ended: forget this one in the store too
                connection.scope["session"] = {}
        return AuthenticationResult(user=user, auth="session" if user else None)


def current_user(connection: ASGIConnection) -> CurrentUser | None:
    return connection.scope.get("user")


def client_ip(connection: ASGIConnection) -> str:
    client = connection.scope.get("client")
    return client[0] if client else ""


def actor_of(connection: ASGIConnection) -> Actor:
    return Actor.of(current_user(connection), client_ip(connection))


def login_required(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    if current_user(connection) is None:
        raise NotAuthorizedException("请先登录")


def roles(*allowed: Role) -> Any:
    """A guard admitting the given roles (admins are not admitted implicitly)."""
    allowed_set = frozenset(allowed)

    def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        user = current_user(connection)
        if user is None:
            raise NotAuthorizedException("请先登录")
        if user.role not in allowed_set:
            raise PermissionDeniedException("您的角色无权访问此页面或接口")

    guard.__name__ = "roles_" + "_".join(sorted(allowed_set))
    return guard


def require_user(connection: ASGIConnection) -> CurrentUser:
    user = current_user(connection)
    if user is None:
        raise NotAuthorizedException("请先登录")
    return user

