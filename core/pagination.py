"""A page of results with what templates and the API need to navigate."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from math import ceil
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

T = TypeVar("T")

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 200


# No list holds 200 million rows: a page number beyond this is past the last page anyway, and
# capping it keeps OFFSET inside the 64-bit range of both databases (a 2**63 page gave a 500).
MAX_PAGE = 1_000_000


def clamp_page(page: int | None, per_page: int | None) -> tuple[int, int]:
    """(page, per_page) within 1..MAX_PAGE and 1..MAX_PER_PAGE; a page past the last stays
    past it (the API answers an empty page with the real total)."""
    per = min(max(per_page or DEFAULT_PER_PAGE, 1), MAX_PER_PAGE)
    return min(max(page or 1, 1), MAX_PAGE), per


def offset_of(page: int, per_page: int) -> int:
    """The OFFSET of a page (1-based), with page and per_page clamped as ``clamp_page`` does."""
    number, per = clamp_page(page, per_page)
    return (number - 1) * per


@dataclass
class Page(Generic[T]):
    items: list[T]
    number: int
    per_page: int
    total: int
    query: dict[str, Any] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(ceil(self.total / self.per_page), 1)

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def offset(self) -> int:
        """Rows to skip; never past ``total``, so a page beyond the last is empty."""
        return min(offset_of(self.number, self.per_page), self.total)

    def url_for_page(self, n: int) -> str:
        params = {k: v for k, v in self.query.items() if v not in (None, "")}
        params["page"] = n
        return "?" + urlencode(params)

    def map(self, fn: Callable[[T], Any]) -> Page[Any]:
        return Page([fn(i) for i in self.items], self.number, self.per_page, self.total, self.query)
