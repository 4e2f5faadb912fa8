"""Where the verifier's trusted keys come from, and what each source vouches for.

A key is trusted from the trust list shipped with the tool, a ``--keys`` file (an issuer's
``/.well-known/caregiver-registry/keys.json``) or, with ``--online``, that document fetched from
the trusted issuers' public addresses or from a BASE_URL the user names. Each trusted verification
method maps to a KeySource saying where it came from, whether it is the public demo key, when it
was retired (it vouches only for credentials signed up to then) and whether it was trusted only
because the user named the address it was fetched from.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from urllib.parse import quote, urlsplit

from certification.vc.demo_key import demo_verification_method
from certification.vc.keys import key_retirements
from certification.vc.trust import KEYS_PATH, TrustedIssuer

LOOKUP_PATH = "/api/v1/public/certificates"
FETCH_TIMEOUT_SECONDS = 10
FETCH_ACCEPT = "application/vc+ld+json, application/ld+json, application/json"

Fetch = Callable[[str], dict]


@dataclass(frozen=True)
class KeySource:
    """Where a trusted key comes from: its label, the issuer's address, a demo key or not, its
    retirement instant (None: not retired) and whether only a user-named address vouches for it."""

    label: str
    base_url: str | None = None
    demo: bool = False
    retired_on: datetime | None = None
    named_by_user: bool = False


def add_source(trusted: dict[str, KeySource], method: str, source: KeySource) -> None:
    """Record ``source`` for ``method``; a key already known keeps its first source, but takes
    the earliest retirement any source publishes and the demo flag from any of them."""
    if method == demo_verification_method():
        source = replace(source, demo=True)
    known = trusted.get(method)
    if known is None:
        trusted[method] = source
        return
    retirements = [m for m in (known.retired_on, source.retired_on) if m is not None]
    trusted[method] = replace(
        known,
        demo=known.demo or source.demo,
        retired_on=min(retirements) if retirements else None,
        named_by_user=known.named_by_user and source.named_by_user,
    )


def trust_list_keys(issuers: Iterable[TrustedIssuer]) -> dict[str, KeySource]:
    """Keys of the trust list shipped with the tool (or --trust-list)."""
    trusted: dict[str, KeySource] = {}
    for issuer in issuers:
        label = f"随工具提供的信任清单 (shipped trust list): {issuer.name}"
        for method in issuer.methods:
            add_source(trusted, method, KeySource(
                label, issuer.public_base_url, issuer.demo, issuer.retired_on.get(method)))
    return trusted


def published_keys(trusted: dict[str, KeySource], published: dict, source: KeySource) -> None:
    """Add every key of a published keys document (current and retired, with retiredOn)."""
    for method, retired_on in key_retirements(published).items():
        add_source(trusted, method, replace(source, retired_on=retired_on))


def online_keys(
    fetch: Fetch, trusted: dict[str, KeySource], bases: dict[str, KeySource]
) -> list[str]:
    """Add the keys published at each base URL (``bases`` maps it to the source to record);
    returns notes for the addresses that could not be reached."""
    notes = []
    for base, source in bases.items():
        url = f"{base}{KEYS_PATH}"
        try:
            published = fetch(url)
            published_keys(trusted, published, replace(source, label=f"{source.label} {url}"))
        except Exception as error:  # noqa: BLE001 — an unreachable issuer is a note, not a crash
            notes.append(f"无法获取发证机关公布的密钥 (cannot fetch published keys {url}): {error}")
    return notes


def http_fetch(base_url: str | None = None) -> Fetch:
    """A JSON fetch over http(s) (only used with --online); ``base_url`` replaces the scheme and
    host of every URL fetched."""

    def fetch(url: str) -> dict:
        if base_url:
            parts = urlsplit(url)
            url = base_url.rstrip("/") + parts.path + (f"?{parts.query}" if parts.query else "")
        if urlsplit(url).scheme not in ("http", "https"):
            raise ValueError(f"只获取 http(s) 地址 (only http(s) URLs are fetched): {url}")
        request = urllib.request.Request(url, headers={"Accept": FETCH_ACCEPT})
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_SECONDS) as response:
            return json.loads(response.read().decode("utf-8"))

    return fetch


def find_replacement(fetch: Fetch, base: str, doc: dict) -> tuple[str | None, str | None]:
    """The replacement's number from the issuer's public lookup (number + holder name), and a
    note when the lookup fails."""
    subject = doc.get("credentialSubject") or {}
    number, name = subject.get("certificateNumber"), subject.get("holderName")
    if not (isinstance(number, str) and isinstance(name, str)):
        return None, None
    url = f"{base}{LOOKUP_PATH}/{quote(number)}?name={quote(name)}"
    try:
        answer = fetch(url)
    except Exception as error:  # noqa: BLE001
        return None, f"无法查询替代证书 (cannot look up the replacement): {error}"
    replacement = answer.get("superseded_by") if isinstance(answer, dict) else None
    return (replacement if isinstance(replacement, str) and replacement else None), None
