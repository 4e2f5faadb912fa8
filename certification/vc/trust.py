"""The trust list shipped with the verifier: which issuers, with which keys, it believes.

``trusted-issuers.json`` (next to this module) lists each issuer's name, its public base URL
(where it publishes ``/.well-known/caregiver-registry/keys.json``, the status lists and its
context), the URLs of its JSON-LD context (mapped to the bundled copy, never fetched) and its
``did:key`` ids, current and retired. A proof made with any other key proves nothing about the
registry: a did:key is self-certifying, anyone can make one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from certification.vc.jsonld import register_registry_context
from certification.vc.keys import (
    KeyResolutionError,
    controller_of,
    resolve_did_key,
    verification_method_id,
)

TRUST_LIST_FILE = Path(__file__).parent / "trusted-issuers.json"
KEYS_PATH = "/.well-known/caregiver-registry/keys.json"


@dataclass(frozen=True)
class TrustedIssuer:
    name: str
    methods: frozenset[str]  # verification method ids ``did:key:z…#z…``
    public_base_url: str | None
    context_urls: tuple[str, ...]
    demo: bool = False


def load_trust_list(path: Path = TRUST_LIST_FILE) -> list[TrustedIssuer]:
    """Read and check a trust list; its context URLs are mapped to the bundled context.

    Raises ValueError (with the Chinese reason) for a malformed file or key.
    """
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("issuers"), list):
        raise ValueError("信任清单应含 issuers 数组 (trust list needs an issuers array)")
    issuers = []
    for entry in data["issuers"]:
        try:
            dids = [str(did) for did in entry["keys"]]
            for did in dids:
                resolve_did_key(controller_of(did))
            methods = frozenset(verification_method_id(controller_of(did)) for did in dids)
            contexts = tuple(str(url) for url in entry.get("contextUrls", []))
            for url in contexts:
                register_registry_context(url)
            base = entry.get("publicBaseUrl")
            issuers.append(TrustedIssuer(
                name=str(entry["name"]), methods=methods,
                public_base_url=str(base).rstrip("/") if base else None,
                context_urls=contexts, demo=bool(entry.get("demo", False)),
            ))
        except (KeyError, TypeError, KeyResolutionError) as error:
            raise ValueError(f"信任清单条目有误 (malformed trust list entry): {error}") from error
    return issuers
