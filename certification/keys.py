"""The registry's signing keys, kept in the database, and the rotation command.

    python -m certification.keys rotate     # new current key; the old one is retired
    python -m certification.keys list
    python -m certification.keys seal       # encrypt the keys still kept in clear
    OLD_SIGNING_KEY_PASSPHRASE=… python -m certification.keys seal   # change the passphrase

A key is stored as PKCS#8 PEM, encrypted with SIGNING_KEY_PASSPHRASE when that is set (as it
should be in production: a copy of the database alone then cannot sign anything); without it
(the embedded demo set-up) in clear. ``seal`` encrypts the keys written before it was set.

A key is generated on first use. A retired key signs nothing new, but keeps signing the status
lists of the credentials it issued (verifiers require a list's issuer to be the credential's
issuer), so rotating leaves every earlier credential verifiable.
"""

from __future__ import annotations

import asyncio
import os
import sys
from functools import lru_cache
from typing import TYPE_CHECKING

from certification.tables import SigningKey
from certification.vc import keys as vckeys
from core import audit, clock, db
from core.actor import Actor
from core.settings import get_settings

REGISTRY_NAME = "天津市宁河区人力资源和社会保障局"

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


ENCRYPTED_PEM = "-----BEGIN ENCRYPTED PRIVATE KEY-----"
KEYS_LOCK = 610_020  # pg_advisory_xact_lock key: one transaction at a time creates or retires keys


class SigningKeyLocked(RuntimeError):
    """An encrypted signing key and no (or the wrong) SIGNING_KEY_PASSPHRASE."""


def _passphrase() -> bytes | None:
    value = get_settings().signing_key_passphrase
    return value.encode("utf-8") if value else None


def private_key(pem: str) -> Ed25519PrivateKey:
    return _load(pem, _passphrase())


@lru_cache(maxsize=32)
def _load(pem: str, passphrase: bytes | None) -> Ed25519PrivateKey:
    if not pem.startswith(ENCRYPTED_PEM):
        return vckeys.private_key_from_pem(pem.encode("ascii"))
    if not passphrase:
        raise SigningKeyLocked("签名密钥已加密保存：请设置环境变量 SIGNING_KEY_PASSPHRASE")
    try:
        return vckeys.private_key_from_pem(pem.encode("ascii"), passphrase)
    except ValueError:
        raise SigningKeyLocked(
            "无法解开签名密钥：SIGNING_KEY_PASSPHRASE 与加密时所用的不同") from None


def _stored_pem(key: Ed25519PrivateKey) -> str:
    return vckeys.private_key_to_pem(key, _passphrase()).decode("ascii")


async def _create(actor: Actor, key: Ed25519PrivateKey | None = None) -> SigningKey:
    key = key or vckeys.generate_private_key()
    row = SigningKey(
        did=vckeys.did_key(key.public_key()),
        private_pem=_stored_pem(key),
        status=vckeys.KeyStatus.CURRENT, since=clock.now(),
    )
    await row.save()
    await audit.record(actor, "signing_key.create", "signing_key", row.id, after={"did": row.did})
    return row


async def _lock_keys() -> None:
    """Hold, until the transaction ends, the right to create or retire keys: the processes
    (web processes, workers, the keys command) that find no current key at the same moment
    then create one key, not one each. PostgreSQL: a transaction-scoped advisory lock; SQLite:
    the write lock the IMMEDIATE transaction (core.db.transaction) already holds. The partial
    unique index ``signing_key_one_current`` refuses a second current key either way."""
    if not db.is_sqlite():
        await db.engine().run_ddl(f"SELECT pg_advisory_xact_lock({KEYS_LOCK})")


async def _newest_current() -> SigningKey | None:
    return await SigningKey.objects().where(SigningKey.status == vckeys.KeyStatus.CURRENT).order_by(
        SigningKey.id, ascending=False).first()


async def current_key(actor: Actor | None = None) -> SigningKey:
    """The key that signs new credentials; created on first use, once however many processes
    ask at the same moment (checked again under ``_lock_keys``). Inside a transaction the key
    is created in it, and the lock held until it ends; outside, in a transaction of its own."""
    row = await _newest_current()
    if row is not None:
        return row
    async with db.transaction():
        await _lock_keys()
        row = await _newest_current()  # created by another process while this one waited
        return row or await _create(actor or Actor.system("keys"))


async def adopt_first_key(key: Ed25519PrivateKey, actor: Actor) -> SigningKey | None:
    """Make ``key`` the current key when the registry has none yet (the demo's fixed key);
    None when a key already exists (it is kept)."""
    async with db.transaction():
        await _lock_keys()
        if await SigningKey.exists().where(SigningKey.id.is_not_null()):
            return None
        return await _create(actor, key)


async def key_by_id(key_id: int) -> SigningKey | None:
    return await SigningKey.objects().where(SigningKey.id == key_id).first()


def issuer_of(row: SigningKey) -> dict:
    return {"id": row.did, "name": REGISTRY_NAME}


async def rotate(actor: Actor) -> SigningKey:
    async with db.transaction():
        await _lock_keys()
        now = clock.now()
        olds = await SigningKey.objects().where(SigningKey.status == vckeys.KeyStatus.CURRENT)
        for old in olds:
            old.status, old.retired_on = vckeys.KeyStatus.RETIRED, now
            await old.save()
            await audit.record(actor, "signing_key.retire", "signing_key", old.id)
        return await _create(actor)


async def seal(actor: Actor, old_passphrase: bytes | None = None) -> int:
    """Encrypt with SIGNING_KEY_PASSPHRASE every key still stored in clear, and with
    ``old_passphrase`` also re-encrypt the keys sealed with it (a passphrase change); all or
    nothing. Returns how many keys were written."""
    if not _passphrase():
        raise SigningKeyLocked("请先设置环境变量 SIGNING_KEY_PASSPHRASE")
    async with db.transaction():
        rows = await SigningKey.objects().order_by(SigningKey.id)
        sealed = 0
        for row in rows:
            if row.private_pem.startswith(ENCRYPTED_PEM):
                if old_passphrase is None:
                    continue
                key = _load(row.private_pem, old_passphrase)
            else:
                key = private_key(row.private_pem)
            row.private_pem = _stored_pem(key)
            await row.save()
            await audit.record(actor, "signing_key.seal", "signing_key", row.id,
                               after={"did": row.did})
            sealed += 1
    return sealed


async def published_keys() -> dict:
    """The public keys, read from the did:key identifiers (the private keys are not read)."""
    rows = await SigningKey.select(
        SigningKey.did, SigningKey.status, SigningKey.since, SigningKey.retired_on
    ).order_by(SigningKey.id)
    return vckeys.build_published_keys(REGISTRY_NAME, [
        vckeys.PublishedKey(
            public_key=vckeys.resolve_did_key(row["did"]), status=row["status"],
            since=row["since"], retired_on=row["retired_on"],
        ) for row in rows
    ])


async def _main(argv: list[str]) -> int:
    command = argv[0] if argv else "list"
    await db.on_startup()
    try:
        if command == "rotate":
            row = await rotate(Actor.system("keys-command"))
            print(f"新的签名密钥 (new current key): {row.did}")
        elif command == "seal":
            old = os.environ.get("OLD_SIGNING_KEY_PASSPHRASE", "").encode("utf-8") or None
            count = await seal(Actor.system("keys-command"), old)
            print(f"已加密保存 {count} 个签名密钥")
        elif command == "list":
            for row in await SigningKey.objects().order_by(SigningKey.id):
                since = clock.to_china_date(row.since)  # the day an officer means, not UTC's
                print(f"{row.id}\t{row.status}\t{since}\t{row.did}")
        else:
            print("用法: python -m certification.keys [list|rotate|seal]", file=sys.stderr)
            return 2
    except SigningKeyLocked as error:
        print(error, file=sys.stderr)
        return 1
    finally:
        await db.on_shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(_main(sys.argv[1:])))
