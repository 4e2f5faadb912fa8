"""``python -m employers.compliance SNAPSHOT.json`` (or ``-`` for stdin).

Prints the report JSON on stdout and exits 0 when compliant, 1 when a rule fails, 2 when the
snapshot is invalid or unreadable (nothing on stdout; a Chinese message on stderr).
"""

from __future__ import annotations

import json
import sys

from core.errors import ValidationError
from employers.compliance.engine import evaluate
from employers.compliance.snapshot import Snapshot

EXIT_COMPLIANT, EXIT_FAILS, EXIT_INVALID = 0, 1, 2
USAGE = "用法：python -m employers.compliance SNAPSHOT.json（或用 - 从标准输入读取）"


def _err(text: str) -> None:
    sys.stderr.buffer.write((text + "\n").encode("utf-8"))
    sys.stderr.buffer.flush()


def _read(source: str) -> bytes:
    if source == "-":
        return sys.stdin.buffer.read()
    with open(source, "rb") as handle:
        return handle.read()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        _err(USAGE)
        return EXIT_INVALID
    source = args[0]
    try:
        raw = _read(source)
    except OSError as error:
        _err(f"无法读取快照文件 {source}：{error.strerror or error}")
        return EXIT_INVALID
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        _err("快照不是 UTF-8 编码的文本")
        return EXIT_INVALID
    except json.JSONDecodeError as error:
        _err(f"快照不是有效的 JSON：第 {error.lineno} 行第 {error.colno} 列，{error.msg}")
        return EXIT_INVALID
    except (ValueError, RecursionError):
        _err("快照不是有效的 JSON")
        return EXIT_INVALID
    try:
        report = evaluate(Snapshot.from_dict(data))
    except ValidationError as error:
        _err(f"快照无效：{error.message}")
        return EXIT_INVALID
    sys.stdout.buffer.write((report.to_json() + "\n").encode("utf-8"))
    sys.stdout.buffer.flush()
    return EXIT_COMPLIANT if report.compliant else EXIT_FAILS


if __name__ == "__main__":
    sys.exit(main())
