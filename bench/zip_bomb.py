"""Zip bombs refused quickly: how long parse_results_file takes to refuse an XLSX whose sheet
inflates to 300 MB (over the total limit) or to 20 MB (under it, but compressed 1000:1), against
parsing an honest results file of a few rows in the same run (the baseline: what any upload
costs); then the same end to end, POSTed to /api/v1/exam-sessions/{id}/results on a scratch
SQLite database (a session of 30 confirmed candidates), the bomb against the honest upload. The
tests assert the refusal and its message; this measures that it comes before anything large is
decompressed.

    .venv/bin/python -m bench.zip_bomb
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

from bench.parse_results import build_xlsx
from training.results_file import parse_results_file

REPEAT = 5
BOMB_MESSAGE = "文件解压后过大（疑似压缩炸弹），请只保留成绩表后重新上传"


def build_bomb(path: Path, megabytes: int) -> bytes:
    """An XLSX-shaped zip whose one sheet inflates to ``megabytes`` MB of zeros."""
    chunk = b"0" * (1024 * 1024)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            for _ in range(megabytes):
                sheet.write(chunk)
    return path.read_bytes()


def timed(action: Callable[[], object]) -> float:
    """Median seconds of REPEAT runs of ``action``."""
    runs = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        action()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def over_http(scratch: Path) -> None:
    """Runs in a child process whose DATABASE_URL and VAR_DIR point into ``scratch``."""
    from litestar.testing import TestClient

    from bench.upload import _arrange
    from composition import create_app
    from core.manage import migrate

    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
    with contextlib.redirect_stdout(io.StringIO()):
        asyncio.run(migrate())
    honest, candidates = build_xlsx(30)
    bomb = build_bomb(scratch / "bomb.xlsx", 300)
    with TestClient(app=create_app()) as client:
        session_id = client.blocking_portal.call(_arrange, candidates)
        token = client.post("/api/v1/auth/token", json={"username": "bench_staff",
                                                          "password": "Bench2026pass"}).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}

        def post(data: bytes, status: int) -> None:
            response = client.post(f"/api/v1/exam-sessions/{session_id}/results",
                                   headers=headers,
                                   files={"file": ("r.xlsx", data, "application/octet-stream")})
            assert response.status_code == status, response.text[:300]

        accepted = timed(lambda: post(honest, 200))
        refused = timed(lambda: post(bomb, 422))
    print(f"end to end (SQLite): honest 30-row upload {accepted * 1000:8.1f} ms, "
          f"300 MB bomb refused {refused * 1000:8.1f} ms   ratio {refused / accepted:.2f}")


def main() -> None:
    if sys.argv[1:2] == ["--http"]:
        over_http(Path(sys.argv[2]))
        return
    honest, _ = build_xlsx(30)
    baseline = timed(lambda: parse_results_file(honest, "r.xlsx", needs_review=False))
    print(f"honest 30-row file ({len(honest) / 1024:.0f} KB), parsed: "
          f"{baseline * 1000:8.1f} ms   (median of {REPEAT})")
    with tempfile.TemporaryDirectory() as scratch:
        for megabytes in (300, 20):
            data = build_bomb(Path(scratch) / f"bomb{megabytes}.xlsx", megabytes)
            parsed = parse_results_file(data, "r.xlsx", needs_review=False)
            assert [e.message for e in parsed.errors] == [BOMB_MESSAGE], parsed.errors
            refused = timed(lambda d=data: parse_results_file(d, "r.xlsx", needs_review=False))
            bare = timed(lambda d=data: zipfile.ZipFile(io.BytesIO(d)).infolist())
            print(f"bomb inflating to {megabytes:3d} MB ({len(data) / 1024:.0f} KB), refused: "
                  f"{refused * 1000:8.3f} ms   ratio to honest file {refused / baseline:.3f}, "
                  f"bare zip directory read {bare * 1000:.3f} ms")
        env = {**os.environ, "VAR_DIR": f"{scratch}/var", "DEMO_DATA": "0",
               "LOG_LEVEL": "WARNING", "ARGON2_TIME_COST": "1", "ARGON2_MEMORY_KIB": "256",
               "SECRET_KEY": "bench-secret-key-not-for-production", "RUN_JOBS": "0",
               "DATABASE_URL": f"sqlite:///{scratch}/bench.sqlite3"}
        subprocess.run([sys.executable, "-m", "bench.zip_bomb", "--http", scratch], env=env,
                       check=True)


if __name__ == "__main__":
    main()
