"""Stored files on both backends (FILE_STORAGE=local, files under FILES_DIR; =database, pieces
in stored_file_chunk) and on both engines: what is saved reads back the same, identical
contents are kept once, damage and loss answer 文件已损坏 / 文件不存在, and
``python -m core.manage files move`` moves everything either way, checked."""

from __future__ import annotations

import argparse
import hashlib
import os

import pytest

from core import storage
from core.errors import NotFound
from core.settings import InvalidSettings, get_settings, load_settings
from core.tables import StoredChunk, StoredFile

BIG = os.urandom(2 * storage.CHUNK_BYTES + 1234)  # three pieces in the database


@pytest.fixture(autouse=True)
def own_files_dir(tmp_path, monkeypatch):
    """FILES_DIR of this test alone (the suite's is shared by every test)."""
    monkeypatch.setenv("FILES_DIR", str(tmp_path / "files"))
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture(params=["local", "database"])
def file_storage(request, monkeypatch):
    """FILE_STORAGE for this test (read on each use: core.storage.current)."""
    use(monkeypatch, request.param)
    yield request.param
    monkeypatch.undo()
    get_settings.cache_clear()


def use(monkeypatch, name: str) -> None:
    monkeypatch.setenv("FILE_STORAGE", name)
    get_settings.cache_clear()


def save(run, data: bytes = BIG, name: str = "scan.pdf") -> StoredFile:
    from core.files import save_file

    return run(save_file, data, kind="pdf", original_name=name)


def on_disk(row: StoredFile) -> bool:
    return (get_settings().files_dir / row.path).is_file()


def chunks(run, row: StoredFile) -> int:
    return run(StoredChunk.count().where(StoredChunk.sha256 == row.sha256))


def refused(run, fn, *args) -> str:
    with pytest.raises(NotFound) as caught:
        run(fn, *args)
    return caught.value.message


def test_the_setting_defaults_to_local_and_refuses_other_values(monkeypatch):
    monkeypatch.delenv("FILE_STORAGE", raising=False)
    assert load_settings().file_storage == "local"
    monkeypatch.setenv("FILE_STORAGE", "Database")
    assert load_settings().file_storage == "database"
    monkeypatch.setenv("FILE_STORAGE", "s3")
    with pytest.raises(InvalidSettings) as caught:
        load_settings()
    assert str(caught.value) == "FILE_STORAGE 应为 local 或 database，实为 's3'"


def test_saved_contents_read_back_whole_and_streamed(client, run, file_storage):
    from core.files import open_file, read_file

    row = save(run)
    assert (row.sha256, row.size) == (hashlib.sha256(BIG).hexdigest(), len(BIG))
    again, data = run(read_file, row.id)
    assert data == BIG and again.original_name == "scan.pdf"

    async def pieces() -> list[bytes]:
        _, stream = await open_file(row.id)
        return [piece async for piece in stream]

    streamed = run(pieces)
    assert b"".join(streamed) == BIG
    assert max(len(p) for p in streamed) <= storage.CHUNK_BYTES
    if file_storage == "database":
        assert chunks(run, row) == 3 and not on_disk(row)
    else:
        assert chunks(run, row) == 0 and on_disk(row)


def test_an_empty_file_reads_back_empty(client, run, file_storage):
    from core.files import read_file

    row = save(run, b"")
    assert run(read_file, row.id)[1] == b""


def test_identical_contents_are_kept_once_until_the_last_row_goes(client, run, file_storage):
    from core.files import delete_file, read_file

    first, second = save(run, name="a.pdf"), save(run, name="b.pdf")
    assert first.id != second.id and first.sha256 == second.sha256
    if file_storage == "database":
        assert run(StoredChunk.count()) == 3
    run(delete_file, first.id)
    assert run(read_file, second.id)[1] == BIG
    run(delete_file, second.id)
    assert not run(storage.current().has, second.sha256, second.path)
    assert run(StoredChunk.count()) == 0 and not on_disk(second)
    assert refused(run, read_file, second.id) == "文件不存在"


def test_damaged_contents_answer_damaged(client, run, file_storage):
    from core.files import open_file, read_file

    row = save(run)
    if file_storage == "database":  # a piece whose bytes no longer match its digest
        run(StoredChunk.update({StoredChunk.data: b"x" * 10}).where(
            (StoredChunk.sha256 == row.sha256) & (StoredChunk.seq == 1)))
    else:
        (get_settings().files_dir / row.path).write_bytes(BIG[:-1] + b"!")
    assert refused(run, read_file, row.id) == "文件已损坏"
    if file_storage == "database":  # the first piece is checked before a download starts
        run(StoredChunk.update({StoredChunk.data: b"y" * 10}).where(
            (StoredChunk.sha256 == row.sha256) & (StoredChunk.seq == 1)))
        run(StoredChunk.update({StoredChunk.data: b"y" * (storage.CHUNK_BYTES - 10)}).where(
            (StoredChunk.sha256 == row.sha256) & (StoredChunk.seq == 0)))
    assert refused(run, open_file, row.id) == "文件已损坏"  # a file on disk: checked whole


def test_a_consistent_forgery_of_a_piece_fails_the_whole_file_check(client, run, monkeypatch):
    from core.files import open_file, read_file

    use(monkeypatch, "database")
    row = save(run)
    forged = b"z" * storage.CHUNK_BYTES
    run(StoredChunk.update({StoredChunk.data: forged,
                            StoredChunk.digest: hashlib.sha256(forged).hexdigest()}).where(
        (StoredChunk.sha256 == row.sha256) & (StoredChunk.seq == 1)))
    assert refused(run, read_file, row.id) == "文件已损坏"
    run(StoredChunk.delete().where((StoredChunk.sha256 == row.sha256) & (StoredChunk.seq == 2)))
    assert refused(run, read_file, row.id) == "文件已损坏"  # a lost last piece
    assert refused(run, open_file, row.id) == "文件已损坏"  # told before a download starts


def test_missing_contents_and_unknown_ids_answer_missing(client, run, file_storage):
    from core.files import open_file, read_file

    row = save(run)
    run(storage.current().discard, row.sha256, row.path)
    assert refused(run, read_file, row.id) == "文件不存在"
    assert refused(run, open_file, row.id) == "文件不存在"
    assert refused(run, read_file, row.id + 1000) == "文件不存在"


def move(run, capsys, to: str, delete_source: bool = False, status: int = 0) -> str:
    """What ``python -m core.manage files move --to <to>`` prints, on stdout then stderr (its
    exit status checked)."""
    from core import manage_files

    assert run(manage_files.run, argparse.Namespace(
        operation="move", to=to, delete_source=delete_source)) == status
    printed = capsys.readouterr()
    return printed.out + printed.err


def test_move_to_the_database_and_back_checks_every_file(client, run, monkeypatch, capsys):
    from core.files import read_file

    use(monkeypatch, "local")
    big, small = save(run), save(run, b"%PDF-small")
    save(run, name="same-contents.pdf")

    out = move(run, capsys, "database")
    assert "新复制 2 个，目标中已有 0 个，已删除源文件 0 个，失败 0 个" in out
    assert "请设置 FILE_STORAGE=database" in out
    assert on_disk(big)  # kept without --delete-source
    use(monkeypatch, "database")
    assert run(read_file, big.id)[1] == BIG and run(read_file, small.id)[1] == b"%PDF-small"
    # again (or after an interruption): nothing to copy, the source goes only when asked
    assert "新复制 0 个，目标中已有 2 个，已删除源文件 2 个" in move(
        run, capsys, "database", delete_source=True)
    assert not on_disk(big) and not on_disk(small)
    assert run(read_file, big.id)[1] == BIG

    out = move(run, capsys, "local", delete_source=True)
    assert "新复制 2 个，目标中已有 0 个，已删除源文件 2 个，失败 0 个" in out
    assert run(StoredChunk.count()) == 0
    use(monkeypatch, "local")
    assert run(read_file, big.id)[1] == BIG and on_disk(big)


def test_move_lists_what_the_source_lacks_and_moves_the_rest(client, run, monkeypatch, capsys):
    from core.files import read_file

    use(monkeypatch, "local")
    lost, kept = save(run, b"%PDF-lost"), save(run)
    (get_settings().files_dir / lost.path).unlink()
    out = move(run, capsys, "database", delete_source=True, status=1)
    assert "新复制 1 个" in out and "请设置 FILE_STORAGE" not in out
    assert f"以下文件在源存储中缺失或已损坏，未能移动（文件编号）：{lost.id}\n" in out
    use(monkeypatch, "database")
    assert run(read_file, kept.id)[1] == BIG


def test_move_replaces_a_damaged_copy_in_the_target(client, run, monkeypatch, capsys):
    from core.files import read_file

    use(monkeypatch, "local")
    row = save(run)
    move(run, capsys, "database")
    run(StoredChunk.update({StoredChunk.data: b"bad"}).where(StoredChunk.seq == 0))
    assert "新复制 1 个，目标中已有 0 个" in move(run, capsys, "database")
    use(monkeypatch, "database")
    assert run(read_file, row.id)[1] == BIG
