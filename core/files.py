"""File storage: uploads and generated documents on disk under FILES_DIR, one StoredFile row
each, addressed by id and checked by SHA-256. Production with several workers mounts FILES_DIR
on shared storage."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path

from core import clock
from core.actor import Actor
from core.errors import NotFound
from core.settings import get_settings
from core.tables import StoredFile
from core.uploads import KIND_BY_CODE


def _root() -> Path:
    return get_settings().files_dir


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".part")
    tmp.write_bytes(data)
    tmp.replace(path)


async def save_file(
    data: bytes, *, kind: str, original_name: str = "", actor: Actor | None = None
) -> StoredFile:
    """Store bytes of a checked kind (see core.uploads) and record them."""
    digest = hashlib.sha256(data).hexdigest()
    relative = Path(digest[:2]) / f"{digest}.{kind}"
    await asyncio.to_thread(_write, _root() / relative, data)
    row = StoredFile(
        sha256=digest,
        path=str(relative),
        content_type=KIND_BY_CODE[kind].media_type,
        size=len(data),
        original_name=original_name[:255],
        created_by=actor.user_id if actor else None,
        created_at=clock.now(),
    )
    await row.save()
    return row


async def read_file(file_id: int) -> tuple[StoredFile, bytes]:
    row = await StoredFile.objects().where(StoredFile.id == file_id).first()
    if row is None:
        raise NotFound("文件不存在")
    path = _root() / row.path
    try:
        data = await asyncio.to_thread(path.read_bytes)
    except FileNotFoundError:
        raise NotFound("文件不存在") from None
    if hashlib.sha256(data).hexdigest() != row.sha256:
        raise NotFound("文件已损坏")
    return row, data
