"""Usernames compared the way people read them: one normalisation for lookup, locks and uniqueness.

``edu``, ``"edu "``, ``EDU`` and full-width ``ｅｄｕ`` are one account: signing in, the login
lock key and the uniqueness check at creation all go through :func:`normalise_username`, and
``app_user.username_key`` stores its result (unique). Pure functions, no I/O.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable

# NFKC after case folding can change the text again (and vice versa) for a few characters;
# repeating the step until it settles makes the function idempotent. Two rounds settle every
# string seen by the property tests; the bound only guards against a pathological input.
_MAX_ROUNDS = 4


def _step(value: str) -> str:
    return unicodedata.normalize("NFKC", value).casefold().strip()


def normalise_username(raw: str) -> str:
    """The comparison key of a username: trimmed, Unicode NFKC, case-folded.

    Compatibility forms collapse (full-width ``ｅｄｕ`` → ``edu``, the ideographic space is
    whitespace), case is folded (``EDU`` → ``edu``, ``ß`` → ``ss``) and surrounding whitespace
    is dropped, so two names a person cannot tell apart share one key (Unicode TR 15 NFKC and
    the case folding of Unicode TR 44 CaseFolding.txt, as Python's ``str.casefold``; RFC 8265
    recommends the same for usernames). Idempotent: ``normalise_username(normalise_username(x))
    == normalise_username(x)``. Returns ``""`` for blank input; never raises.
    """
    value = raw or ""
    for _ in range(_MAX_ROUNDS):
        normalised = _step(value)
        if normalised == value:
            break
        value = normalised
    return value


def colliding_usernames(usernames: Iterable[str]) -> list[list[str]]:
    """Groups of distinct stored usernames that share one key, e.g. ``[["Edu", "edu"]]``.

    Each group is sorted, groups are sorted by key; empty when every key is unique. Used by
    the migration that introduces ``username_key``: it stops while any group remains.
    """
    groups: dict[str, list[str]] = defaultdict(list)
    for username in usernames:
        groups[normalise_username(username)].append(username)
    return [sorted(names) for _, names in sorted(groups.items()) if len(names) > 1]
