"""The ``files`` command: ``python -m core.manage files move --to database|local
[--delete-source]`` copies every stored file's contents from the other backend (core.storage)
into the one named, before FILE_STORAGE is switched to it.

Each distinct content (SHA-256 and path, as the StoredFile rows name it) is read from the
source, checked against its row's size and SHA-256, written to the target, then read back from
the target and checked again. Contents the target already holds intact are skipped, so the
command may be run again after an interruption (it resumes) or twice (nothing changes). The
source is kept unless ``--delete-source`` is given, and then only for contents whose copy was
checked. Contents missing or damaged in the source are listed by file id and make the command
exit with status 1; the others are moved all the same."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field

from core import storage
from core.errors import NotFound
from core.files import verified
from core.settings import FILE_STORAGES
from core.tables import StoredFile


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add the ``files`` command and its sub-commands to the manage parser."""
    files = sub.add_parser("files", help="存储文件：在本地目录与数据库之间移动（见 FILE_STORAGE）")
    ops = files.add_subparsers(dest="operation", required=True)
    move = ops.add_parser(
        "move", help="把全部存储文件从另一种存储复制到 --to 指定的存储，逐个校验 SHA-256；"
                     "可重复运行（已复制的跳过），中断后再运行即继续")
    move.add_argument("--to", required=True, choices=FILE_STORAGES,
                      help="目标存储：local（FILES_DIR 目录）或 database（数据库）")
    move.add_argument("--delete-source", action="store_true",
                      help="复制并校验无误后删除源存储中的文件（默认保留）")


@dataclass
class MoveReport:
    """Counts of distinct contents: ``copied`` now, ``present`` (already intact in the target),
    ``deleted`` from the source; ``failed``: ids of StoredFile rows whose contents were missing
    or damaged in the source (and not intact in the target)."""

    copied: int = 0
    present: int = 0
    deleted: int = 0
    failed: list[int] = field(default_factory=list)


async def _intact(row: StoredFile, backend: storage.Storage) -> bool:
    try:
        async for _ in verified(row, backend):
            pass
    except NotFound:
        return False
    return True


async def move_files(to: str, *, delete_source: bool = False) -> MoveReport:
    """Copy every stored file's contents into the backend ``to`` (``local`` or ``database``)
    from the other one, as the module docstring says; returns the counts."""
    target = storage.storage_named(to)
    source = storage.storage_named("local" if to == "database" else "database")
    report = MoveReport()
    done: set[tuple[str, str]] = set()
    moved: list[StoredFile] = []
    for row in await StoredFile.objects().order_by(StoredFile.id):
        key = (row.sha256, row.path)
        if key in done:
            continue
        done.add(key)
        if await _intact(row, target):
            report.present += 1
        else:
            try:
                data = b"".join([piece async for piece in verified(row, source)])
            except NotFound:
                report.failed.append(row.id)
                continue
            if await target.has(row.sha256, row.path):
                await target.discard(row.sha256, row.path)  # a damaged copy of an earlier run
            await target.put(row.sha256, row.path, data)
            if not await _intact(row, target):
                report.failed.append(row.id)
                continue
            report.copied += 1
        moved.append(row)
    if delete_source:
        discarded: set[str] = set()
        for row in moved:
            key = row.sha256 if source.name == "database" else row.path
            if key not in discarded and await source.has(row.sha256, row.path):
                await source.discard(row.sha256, row.path)
                report.deleted += 1
            discarded.add(key)
    return report


async def run(args: argparse.Namespace) -> int:
    """Run one ``files`` operation and print what it did (zh-CN); returns the exit status: 1
    when some contents could not be moved (listed on stderr), else 0."""
    report = await move_files(args.to, delete_source=args.delete_source)
    where = {"local": "本地目录（FILES_DIR）", "database": "数据库"}[args.to]
    print(f"移动到{where}：新复制 {report.copied} 个，目标中已有 {report.present} 个，"
          f"已删除源文件 {report.deleted} 个，失败 {len(report.failed)} 个。")
    if report.failed:
        ids = "、".join(str(i) for i in report.failed)
        print(f"以下文件在源存储中缺失或已损坏，未能移动（文件编号）：{ids}", file=sys.stderr)
        return 1
    print(f"全部文件已在目标存储中并已校验。请设置 FILE_STORAGE={args.to} 后重启全部进程。")
    return 0
