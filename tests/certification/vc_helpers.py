"""A test issuer of verifiable credentials (its own key and status lists, no database), and the
runners of our verifier command and of the independent JavaScript verifier."""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from certification.vc import dataintegrity, keys, status_list
from certification.vc.credential import CertificateFacts, build_certificate_credential
from certification.vc.jsonld import REGISTRY_CONTEXT, registry_contexts

REPO = Path(__file__).resolve().parents[2]
INTEROP = Path(__file__).parent / "interop"
BASE = "https://caregiver-registry.example"
REVOCATION_URL = f"{BASE}/credentials/status/revocation/1-1"
SUSPENSION_URL = f"{BASE}/credentials/status/suspension/1-1"
MESSAGE_URL = f"{BASE}/credentials/status/message/1-1"
SIGNED_AT = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
TODAY = date(2025, 6, 1)
# Status lists are generated on the day they are checked (08:00 China time on TODAY) and stay
# fresh for LIST_WINDOW, as the app signs them (STATUS_LIST_VALIDITY_HOURS, default 24).
LIST_SIGNED_AT = datetime(2025, 6, 1, 0, 0, tzinfo=UTC)
LIST_WINDOW = timedelta(hours=24)
FACTS = CertificateFacts(
    number="S123412001000124400001",
    holder_name="张晓燕",
    id_number_hash="sha256:5f2b…salted",
    qualification_code="CHILDCARE_WORKER",
    occupation_name="保育师",
    occupation_code="4-10-01-03",
    direction=None,
    level=4,
    level_name="四级/中级工",
    kind="skill",
    assessment_body_name="天津市某职业技能评价中心",
    issued_on=date(2024, 3, 1),
    expires_on=date(2029, 2, 28),
)
MESSAGE = {name: value for value, name in enumerate(status_list.CERTIFICATE_STATUS_MESSAGES)}


class Issuer:
    """A bureau with its own Ed25519 key. ``credential(legacy=True)`` is shaped like those
    issued before the message entry existed (revocation and suspension only)."""

    def __init__(self) -> None:
        self.key = keys.generate_private_key()
        self.did = keys.did_key(self.key.public_key())
        self.method = keys.verification_method_id(self.did)
        self.issuer = {"id": self.did, "name": "某区人力资源和社会保障局"}

    def sign(self, document: dict) -> dict:
        return dataintegrity.sign(document, self.key, self.method, SIGNED_AT)

    def entries(self, index: int = 42, legacy: bool = False) -> list[dict]:
        entries = [
            status_list.status_entry(REVOCATION_URL, index, "revocation"),
            status_list.status_entry(SUSPENSION_URL, index, "suspension"),
        ]
        if not legacy:
            entries.append(status_list.message_status_entry(MESSAGE_URL, index))
        return entries

    def credential(
        self, index: int = 42, legacy: bool = False, context: str = REGISTRY_CONTEXT, facts=FACTS
    ) -> dict:
        unsigned = build_certificate_credential(
            facts, self.issuer, self.entries(index, legacy), "urn:uuid:c-1", context
        )
        with registry_contexts((context,)):  # as the issuer's app maps its CONTEXT_URL
            return self.sign(unsigned)

    def status_list(
        self, url: str, purpose: str, set_indexes=(), at: datetime = LIST_SIGNED_AT,
        window: timedelta | None = LIST_WINDOW,
    ) -> dict:
        """A list generated at ``at``, fresh for ``window`` (None: no validUntil)."""
        until = at + window if window is not None else None
        unsigned = status_list.build_status_list_credential(
            url, purpose, set_indexes, self.issuer, at, valid_until=until
        )
        return self.list_sign(unsigned, at)

    def list_sign(self, document: dict, at: datetime) -> dict:
        return dataintegrity.sign(document, self.key, self.method, at)

    def lists(
        self, revoked=(), suspended=(), messages: dict[int, str] | None = None,
        at: datetime = LIST_SIGNED_AT, window: timedelta | None = LIST_WINDOW,
    ) -> dict:
        """The three lists, generated at ``at`` and fresh for ``window`` (None: without
        validUntil, as lists were before); ``messages`` maps index → message ("superseded", …)."""
        values = {index: MESSAGE[name] for index, name in (messages or {}).items()}
        until = at + window if window is not None else None
        message_list = status_list.build_message_list_credential(
            MESSAGE_URL, values, self.issuer, at, until
        )
        return {
            REVOCATION_URL: self.status_list(REVOCATION_URL, "revocation", revoked, at, window),
            SUSPENSION_URL: self.status_list(SUSPENSION_URL, "suspension", suspended, at, window),
            MESSAGE_URL: self.list_sign(message_list, at),
        }

    def published_keys(self) -> dict:
        return keys.build_published_keys(
            "某区人社局", [keys.PublishedKey(self.key.public_key(), "current", SIGNED_AT)]
        )


def forge(signed: dict) -> tuple[Issuer, dict]:
    """The issue's forgery: holder and level changed, status entries removed, re-signed with a
    fresh key that names itself as issuer (a did:key anyone can make)."""
    impostor = Issuer()
    forged = {k: v for k, v in copy.deepcopy(signed).items() if k not in ("proof",)}
    forged.pop("credentialStatus")
    forged["issuer"] = {**forged["issuer"], "id": impostor.did}
    forged["credentialSubject"] |= {"holderName": "李四", "skillLevel": 1,
                                    "levelName": "一级/高级技师"}
    return impostor, impostor.sign(forged)


def write_json(path: Path, data: dict) -> str:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def run_command(*args: str, today: date = TODAY) -> subprocess.CompletedProcess:
    """``python -m certification.verify`` as a third party runs it (its own process)."""
    return subprocess.run(
        [sys.executable, "-m", "certification.verify", *args, "--today", today.isoformat()],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )


def list_args(paths: list[str]) -> list[str]:
    return [arg for path in paths for arg in ("--status-list", path)]


# In CI (REQUIRE_INTEROP=1) a missing verifier fails instead of skipping.
needs_node_modules = pytest.mark.skipif(
    os.environ.get("REQUIRE_INTEROP") != "1"
    and (not (INTEROP / "node_modules").is_dir() or shutil.which("node") is None),
    reason="JS interop verifier not installed: run `make interop`",
)


def js_verify(
    tmp_path: Path,
    credential: dict,
    lists: dict[str, dict] | None = None,
    now: str | None = f"{TODAY.isoformat()}T12:00:00+08:00",
    context_aliases: tuple[str, ...] = (),
) -> dict:
    """Digital Bazaar's verifier (tests/certification/interop/verify.mjs): proof, dates and the
    status bits. It does not know whose keys are the issuer's: that is our command's job."""
    args = [write_json(tmp_path / "js-credential.json", credential)]
    for number, doc in enumerate((lists or {}).values()):
        args += ["--status-list", write_json(tmp_path / f"js-list{number}.json", doc)]
    for url in context_aliases:
        args += ["--context-alias", url]
    if now:
        args += ["--now", now]
    completed = subprocess.run(
        ["node", str(INTEROP / "verify.mjs"), *args], capture_output=True, text=True, timeout=120
    )
    assert completed.returncode == 0, completed.stderr + completed.stdout
    return json.loads(completed.stdout)
