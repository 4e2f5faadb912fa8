"""What a domain package brings to the system, declared in one visible place.

Each domain package (``training``, ``certification``, ``employers``, ``employers.labour``,
``dashboards``) has a ``domain.py`` holding one :class:`Domain`; the kernel has its own in
``core.kernel``. The top-level ``composition`` module reads them all and builds the Litestar app,
the Piccolo app and the worker from them. Nothing here registers itself on import: a declaration
is plain data until the composition installs it (``core.wiring``). See ARCHITECTURE.md.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from core.roles import Role

if TYPE_CHECKING:
    from piccolo.table import Table

    from core.actor import Actor

T = TypeVar("T")


@dataclass(frozen=True)
class NavEntry:
    """A link in the top navigation: shown to ``roles`` (None = everyone), sorted by ``order``."""

    label: str
    href: str
    roles: frozenset[Role] | None
    order: int = 50


def nav(label: str, href: str, roles: Iterable[Role] | None, order: int = 50) -> NavEntry:
    return NavEntry(label, href, frozenset(roles) if roles is not None else None, order)


@dataclass(frozen=True)
class Card:
    """A card on a role's home page (工作台), sorted by ``order``."""

    title: str
    description: str
    href: str
    roles: frozenset[Role]
    order: int = 50


def card(title: str, description: str, href: str, roles: Iterable[Role],
         order: int = 50) -> Card:
    return Card(title, description, href, frozenset(roles), order)


@dataclass(frozen=True)
class Seeder:
    """Demo data of a domain, run on an empty database after the demo users, by ``order``
    (the signing key before anything issues a certificate, courses before certificates…)."""

    order: int
    run: Callable[[Actor], Awaitable[None]]


@dataclass(frozen=True)
class Task:
    """An idempotent clean-up or daily task the worker runs every hour (``name`` for logs)."""

    name: str
    run: Callable[[], Awaitable[object]]


@dataclass(frozen=True)
class Background:
    """Long-running work of the worker (render-and-sign jobs, message delivery): ``start``
    begins it in the running event loop, ``stop`` ends it and waits for the item in hand."""

    name: str
    start: Callable[[], Awaitable[None]]
    stop: Callable[[], Awaitable[None]]


class Hook(Generic[T]):
    """An extension point that any number of domains plug into (``Domain.plugs``); the
    implementations come back in composition order from :meth:`all`.

    Declared by the package that calls it (a module constant, e.g.
    ``core.credentials.LISTENERS``); filled only by the composition, never on import."""

    def __init__(self, name: str) -> None:
        self.name = name

    def all(self) -> tuple[T, ...]:
        from core.wiring import current

        return current().plugged(self)

    def __repr__(self) -> str:
        return f"Hook({self.name!r})"


class Port(Hook[T]):
    """An extension point with exactly one implementation, offered by a domain higher up
    (e.g. training asks for certification's issuer without importing certification).
    :meth:`get` raises LookupError when none or several are plugged."""

    def get(self) -> T:
        found = self.all()
        if len(found) != 1:
            raise LookupError(f"{self.name}: {len(found)} implementations wired, expected 1")
        return found[0]

    def __repr__(self) -> str:
        return f"Port({self.name!r})"


@dataclass(frozen=True)
class Domain:
    """Everything one package brings. All fields are tuples: a declaration is immutable.

    - ``routes``: Litestar controllers and handlers.
    - ``nav`` / ``cards``: navigation links and home-page cards, per role.
    - ``tables``: Piccolo tables in creation order (one migration history for all).
    - ``seeders``: demo data.
    - ``tasks``: hourly idempotent tasks run by the worker (clean-up, daily reminders, expiry).
    - ``background``: long-running work of the worker.
    - ``on_startup`` / ``on_shutdown``: web-process lifecycle (e.g. closing lookup connections).
    - ``plugs``: ``(hook, implementation)`` pairs for extension points declared elsewhere.
    """

    name: str
    routes: tuple[Any, ...] = ()
    nav: tuple[NavEntry, ...] = ()
    cards: tuple[Card, ...] = ()
    tables: tuple[type[Table], ...] = ()
    seeders: tuple[Seeder, ...] = ()
    tasks: tuple[Task, ...] = ()
    background: tuple[Background, ...] = ()
    on_startup: tuple[Callable[[], Awaitable[None]], ...] = ()
    on_shutdown: tuple[Callable[[], Awaitable[None]], ...] = ()
    plugs: tuple[tuple[Hook[Any], Any], ...] = ()
