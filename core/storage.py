"""Where stored files' contents live, chosen by FILE_STORAGE: ``local`` (files under FILES_DIR,
the embedded default; several machines need it on shared storage) or ``database`` (pieces of at
most CHUNK_BYTES in the ``stored_file_chunk`` table: every process that reaches the database
reaches the files, on PostgreSQL and SQLite alike).

Both backends address contents as a StoredFile row does: by the file's SHA-256 and its
``path`` under FILES_DIR, so identical contents are stored once and the rows need no change when
the contents move (``python -m core.manage files move``). Contents are read as an async iterator
of pieces; core.files checks the whole file's size and SHA-256 at the end, the database backend
also each piece's own SHA-256 before handing it out. Errors: NotFound("文件不存在") when the
contents are missing, NotFound("文件已损坏") when a piece does not match its digest."""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import BinaryIO, Protocol

from piccolo.columns.combination import Where

from core import db
from core.errors import NotFound
from core.settings import get_settings
from core.tables import StoredChunk, StoredFile

CHUNK_BYTES = 256 * 1024

MISSING = "文件不存在"
DAMAGED = "文件已损坏"


class Storage(Protocol):
    """What a backend does with the contents of ``sha256`` (the whole file's hex SHA-256), kept
    locally at ``path`` (relative to FILES_DIR)."""

    name: str

    async def put(self, sha256: str, path: str, data: bytes) -> None:
        """Keep ``data`` (whose SHA-256 is ``sha256``); a no-op when already kept."""

    async def has(self, sha256: str, path: str) -> bool:
        """Whether contents are kept (not whether they are intact)."""

    def chunks(self, sha256: str, path: str) -> AsyncIterator[bytes]:
        """The contents piece by piece; NotFound as in the module docstring."""

    async def precheck(self, sha256: str, path: str, size: int) -> None:
        """What can be checked before a streamed download starts (NotFound as above): on disk
        the whole file's size and SHA-256 (a file has no per-piece digests); in the database
        the pieces' total size (each piece's digest is checked as it is read)."""

    def sharing(self, sha256: str, path: str) -> Where:
        """The StoredFile rows that share these contents (deleting one keeps them)."""

    async def discard(self, sha256: str, path: str) -> None:
        """Delete the contents (nothing when absent)."""


class LocalStorage:
    """Files under ``root`` (FILES_DIR), written whole to a temporary name, then renamed."""

    name = "local"

    def __init__(self, root: Path) -> None:
        self.root = root

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".part")
        tmp.write_bytes(data)
        tmp.replace(path)

    async def put(self, sha256: str, path: str, data: bytes) -> None:
        await asyncio.to_thread(self._write, self.root / path, data)

    async def has(self, sha256: str, path: str) -> bool:
        return await asyncio.to_thread((self.root / path).is_file)

    async def chunks(self, sha256: str, path: str) -> AsyncIterator[bytes]:
        try:
            handle: BinaryIO = await asyncio.to_thread((self.root / path).open, "rb")
        except FileNotFoundError:
            raise NotFound(MISSING) from None
        try:
            while piece := await asyncio.to_thread(handle.read, CHUNK_BYTES):
                yield piece
        finally:
            handle.close()

    async def precheck(self, sha256: str, path: str, size: int) -> None:
        def digest() -> tuple[int, str]:
            with (self.root / path).open("rb") as handle:
                return os.fstat(handle.fileno()).st_size, hashlib.file_digest(
                    handle, "sha256").hexdigest()

        try:
            found = await asyncio.to_thread(digest)
        except FileNotFoundError:
            raise NotFound(MISSING) from None
        if found != (size, sha256):
            raise NotFound(DAMAGED)

    def sharing(self, sha256: str, path: str) -> Where:
        return StoredFile.path == path

    async def discard(self, sha256: str, path: str) -> None:
        await asyncio.to_thread((self.root / path).unlink, True)


class DatabaseStorage:
    """Rows of ``stored_file_chunk``: (sha256, seq 0, 1, …) with each piece's own SHA-256. All
    the pieces of a file are written in one transaction (the caller's, when it has one), so a
    file is there whole or not at all; a writer meeting the same contents written meanwhile by
    another process skips them (ON CONFLICT DO NOTHING on the unique (sha256, seq))."""

    name = "database"

    async def put(self, sha256: str, path: str, data: bytes) -> None:
        if await self.has(sha256, path):
            return
        async with db.transaction():
            for seq, start in enumerate(range(0, max(len(data), 1), CHUNK_BYTES)):
                piece = data[start:start + CHUNK_BYTES]
                await StoredChunk.insert(StoredChunk(
                    sha256=sha256, seq=seq, digest=hashlib.sha256(piece).hexdigest(),
                    data=piece)).on_conflict(
                    target=(StoredChunk.sha256, StoredChunk.seq), action="DO NOTHING")

    async def has(self, sha256: str, path: str) -> bool:
        return await StoredChunk.exists().where(
            (StoredChunk.sha256 == sha256) & (StoredChunk.seq == 0))

    async def chunks(self, sha256: str, path: str) -> AsyncIterator[bytes]:
        seq = 0
        while True:
            row = await StoredChunk.select(StoredChunk.digest, StoredChunk.data).where(
                (StoredChunk.sha256 == sha256) & (StoredChunk.seq == seq)).first()
            if row is None:
                if seq == 0:
                    raise NotFound(MISSING)
                return
            piece = bytes(row["data"])
            if hashlib.sha256(piece).hexdigest() != row["digest"]:
                raise NotFound(DAMAGED)
            yield piece
            seq += 1

    async def precheck(self, sha256: str, path: str, size: int) -> None:
        [found] = await StoredChunk.raw(
            "SELECT COUNT(*) AS pieces, COALESCE(SUM(LENGTH(data)), 0) AS size "
            "FROM stored_file_chunk WHERE sha256 = {}", sha256)
        if not found["pieces"]:
            raise NotFound(MISSING)
        if found["size"] != size:
            raise NotFound(DAMAGED)

    def sharing(self, sha256: str, path: str) -> Where:
        return StoredFile.sha256 == sha256

    async def discard(self, sha256: str, path: str) -> None:
        await StoredChunk.delete().where(StoredChunk.sha256 == sha256)


def storage_named(name: str) -> Storage:
    """The backend of that FILE_STORAGE value (``local`` or ``database``); ValueError else."""
    if name == "local":
        return LocalStorage(get_settings().files_dir)
    if name == "database":
        return DatabaseStorage()
    raise ValueError(f"FILE_STORAGE 应为 local 或 database，实为 {name!r}")


def current() -> Storage:
    """The backend FILE_STORAGE names."""
    return storage_named(get_settings().file_storage)
