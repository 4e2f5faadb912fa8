"""File storage: uploads and generated documents, one StoredFile row each, addressed by id and
checked by SHA-256. The contents live where FILE_STORAGE says (core.storage: files under
FILES_DIR, or pieces in the database); nothing else touches them."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

from core import clock, db, storage
from core.actor import Actor
from core.errors import NotFound
from core.tables import StoredFile
from core.uploads import KIND_BY_CODE


async def store_bytes(data: bytes, *, content_type: str, extension: str,
                      original_name: str = "", actor: Actor | None = None) -> StoredFile:
    """Keep ``data`` (any kind the caller has checked) under its SHA-256 and record it: one new
    StoredFile row; identical contents already kept are not stored twice."""
    digest = hashlib.sha256(data).hexdigest()
    relative = str(Path(digest[:2]) / f"{digest}.{extension}")
    await storage.current().put(digest, relative, data)
    row = StoredFile(
        sha256=digest,
        path=relative,
        content_type=content_type,
        size=len(data),
        original_name=original_name[:255],
        created_by=actor.user_id if actor else None,
        created_at=clock.now(),
    )
    await row.save()
    return row


async def save_file(
    data: bytes, *, kind: str, original_name: str = "", actor: Actor | None = None
) -> StoredFile:
    """Store bytes of a checked kind (see core.uploads) and record them."""
    return await store_bytes(data, content_type=KIND_BY_CODE[kind].media_type, extension=kind,
                             original_name=original_name, actor=actor)


async def verified(row: StoredFile, backend: storage.Storage | None = None,
                   ) -> AsyncIterator[bytes]:
    """The row's contents piece by piece from ``backend`` (FILE_STORAGE's by default), checked
    as they come (core.storage) and whole at the end: NotFound("文件已损坏") when the size or
    the SHA-256 of the whole differ from the row's, NotFound("文件不存在") when missing."""
    backend = backend or storage.current()
    digest = hashlib.sha256()
    size = 0
    async for piece in backend.chunks(row.sha256, row.path):
        digest.update(piece)
        size += len(piece)
        if size > row.size:
            raise NotFound(storage.DAMAGED)
        yield piece
    if size != row.size or digest.hexdigest() != row.sha256:
        raise NotFound(storage.DAMAGED)


async def _row(file_id: int) -> StoredFile:
    row = await StoredFile.objects().where(StoredFile.id == file_id).first()
    if row is None:
        raise NotFound(storage.MISSING)
    return row


async def read_file(file_id: int) -> tuple[StoredFile, bytes]:
    """The row and its whole contents, checked; NotFound("文件不存在" / "文件已损坏")."""
    row = await _row(file_id)
    return row, b"".join([piece async for piece in verified(row)])


async def open_file(file_id: int) -> tuple[StoredFile, AsyncIterator[bytes]]:
    """The row and its contents as an async iterator of pieces (at most
    core.storage.CHUNK_BYTES each), for a streamed download. A missing file, a damaged file on
    disk, pieces in the database of the wrong total size or a damaged first piece raise
    NotFound here, before anything is sent (core.storage's precheck); damage found later (a
    piece that fails its digest) ends the iteration with NotFound: the response is cut short
    rather than finished with wrong bytes."""
    row = await _row(file_id)
    backend = storage.current()
    await backend.precheck(row.sha256, row.path, row.size)
    pieces = verified(row, backend)
    first = await anext(pieces, b"")

    async def stream() -> AsyncIterator[bytes]:
        yield first
        async for piece in pieces:
            yield piece

    return row, stream()


async def delete_file(file_id: int) -> None:
    """Drop a stored file's row, and its contents when no other row shares them. Nothing when
    the row is gone already. Contents in the database go in the row's transaction; a file on
    disk once it has committed."""
    backend = storage.current()
    async with db.transaction():
        row = await StoredFile.objects().where(StoredFile.id == file_id).first()
        if row is None:
            return
        await StoredFile.delete().where(StoredFile.id == file_id)
        shared = await StoredFile.exists().where(backend.sharing(row.sha256, row.path))
        if not shared and backend.name == "database":
            await backend.discard(row.sha256, row.path)
    if not shared and backend.name != "database":
        await backend.discard(row.sha256, row.path)
