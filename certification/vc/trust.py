"""The trust list shipped with the verifier: which issuers, with which keys, it believes.

``trusted-issuers.json`` (next to this module) lists each issuer's name, its public base URL
(where it publishes ``/.well-known/caregiver-registry/keys.json``, the status lists and its
context), the URLs of its JSON-LD context (mapped to the bundled copy, never fetched) and its
``did:key`` ids, current and retired. A proof made with any other key proves nothing about the
registry: a did:key is self-certifying, anyone can make one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from certification.vc.jsonld import checked_registry_context
from certification.vc.keys import (
    KeyResolutionError,
    controller_of,
    parse_retired_on,
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
    retired_on: dict[str, datetime] = field(default_factory=dict)  # method id → retiredOn


def load_trust_list(path: Path = TRUST_LIST_FILE) -> list[TrustedIssuer]:
    """Read and check a trust list. Its context URLs name the bundled context: the verifier
    maps them while it checks (``certification.vc.jsonld.registry_contexts``).

    Raises ValueError (with the Chinese reason) for a malformed file or key.
    """
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("issuers"), list):
        raise ValueError("信任清单应含 issuers 数组 (trust list needs an issuers array)")
    issuers = []
    for entry in data["issuers"]:
        try:
            keys = [key if isinstance(key, dict) else {"id": key} for key in entry["keys"]]
            retired_on = {}
            for key in keys:
                did = controller_of(str(key["id"]))
                resolve_did_key(did)
                if (moment := parse_retired_on(key.get("retiredOn"))) is not None:
                    retired_on[verification_method_id(did)] = moment
            methods = frozenset(verification_method_id(controller_of(str(k["id"]))) for k in keys)
            contexts = tuple(checked_registry_context(str(url))
                             for url in entry.get("contextUrls", []))
            base = entry.get("publicBaseUrl")
            issuers.append(TrustedIssuer(
                name=str(entry["name"]), methods=methods,
                public_base_url=str(base).rstrip("/") if base else None,
                context_urls=contexts, demo=bool(entry.get("demo", False)),
                retired_on=retired_on,
            ))
        except (KeyError, TypeError, KeyResolutionError) as error:
            raise ValueError(f"信任清单条目有误 (malformed trust list entry): {error}") from error
    return issuers
