"""The installed composition: every domain's declaration merged, read by the kernel.

The top-level ``composition`` module builds one :class:`Wiring` from the domains' declarations
and installs it once per process (the app factory, the worker and the commands do so before
anything runs). Kernel code reads it (navigation, cards, seeders, hooks) through
:func:`current`; it never changes after installation, and nothing adds to it on import.
Tests that need another wiring use :func:`using`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from core.domain import Background, Card, Domain, Hook, NavEntry, Seeder, Task


@dataclass(frozen=True)
class Wiring:
    """The domains in composition order, and what they declare, merged."""

    domains: tuple[Domain, ...]
    _plugs: dict[Hook[Any], tuple[Any, ...]] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, domains: Sequence[Domain]) -> Wiring:
        """Merge ``domains``; raises ValueError when two share a name. (Two handlers on one
        path and method are refused by Litestar when the app is built.)"""
        names = [d.name for d in domains]
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate domain names: {names}")
        plugs: dict[Hook[Any], list[Any]] = {}
        for domain in domains:
            for hook, impl in domain.plugs:
                plugs.setdefault(hook, []).append(impl)
        return cls(tuple(domains), {h: tuple(v) for h, v in plugs.items()})

    def plugged(self, hook: Hook[Any]) -> tuple[Any, ...]:
        return self._plugs.get(hook, ())

    def with_plugs(self, *pairs: tuple[Hook[Any], Any]) -> Wiring:
        """A copy with more implementations plugged (tests)."""
        plugs = {h: list(v) for h, v in self._plugs.items()}
        for hook, impl in pairs:
            plugs.setdefault(hook, []).append(impl)
        return replace(self, _plugs={h: tuple(v) for h, v in plugs.items()})

    @property
    def routes(self) -> list[Any]:
        return [r for d in self.domains for r in d.routes]

    @property
    def tables(self) -> list[Any]:
        return [t for d in self.domains for t in d.tables]

    @property
    def nav(self) -> list[NavEntry]:
        return sorted((n for d in self.domains for n in d.nav), key=lambda n: n.order)

    @property
    def cards(self) -> list[Card]:
        return sorted((c for d in self.domains for c in d.cards), key=lambda c: c.order)

    @property
    def seeders(self) -> list[Seeder]:
        return sorted((s for d in self.domains for s in d.seeders), key=lambda s: s.order)

    @property
    def tasks(self) -> list[Task]:
        return [t for d in self.domains for t in d.tasks]

    @property
    def on_startup(self) -> list[Any]:
        return [f for d in self.domains for f in d.on_startup]

    @property
    def on_shutdown(self) -> list[Any]:
        return [f for d in self.domains for f in d.on_shutdown]

    @property
    def background(self) -> list[Background]:
        return [b for d in self.domains for b in d.background]


_installed: Wiring | None = None


def install(wiring: Wiring) -> None:
    """Make ``wiring`` this process's composition (the composition module calls this)."""
    global _installed
    _installed = wiring


def current() -> Wiring:
    """The installed wiring; RuntimeError when no composition was installed."""
    if _installed is None:
        raise RuntimeError("no composition installed: build the app or worker through the "
                           "top-level composition module (composition.wire())")
    return _installed


def is_installed() -> bool:
    return _installed is not None


@contextlib.contextmanager
def using(wiring: Wiring) -> Iterator[Wiring]:
    """Install ``wiring`` for the block, then restore the previous one (tests)."""
    global _installed
    previous = _installed
    _installed = wiring
    try:
        yield wiring
    finally:
        _installed = previous
