"""Who may download a holder's certificates (PDF and signed credential).

The holder, bureau officers, and — through a checker the employers package registers — operators
of a facility that employs the holder with the holder's consent. Everyone else gets 404.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from core.actor import CurrentUser
from core.domain import Hook
from core.roles import Role

DownloadChecker = Callable[[CurrentUser, int], Awaitable[bool]]
OFFICER_ROLES = frozenset({Role.HRSS_OFFICER, Role.EDU_OFFICER, Role.HEALTH_REVIEWER, Role.ADMIN})
# Who runs issuance and the lifecycle (人社局).
ISSUING_ROLES = frozenset({Role.HRSS_OFFICER, Role.ADMIN})

# Extension point: ``fn(user, person_id) -> Awaitable[bool]``; True admits ``user`` to the
# person's certificates (employers plugs: an operator whose facility employs the person, with
# consent).
DOWNLOAD_CHECKERS: Hook[DownloadChecker] = Hook("certificate download checker")


async def may_download(user: CurrentUser | None, person_id: int) -> bool:
    if user is None:
        return False
    if user.person_id == person_id or user.role in OFFICER_ROLES:
        return True
    for checker in DOWNLOAD_CHECKERS.all():
        if await checker(user, person_id):
            return True
    return False
