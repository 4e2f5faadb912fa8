"""Results file parsing speed: a 10,000-row XLSX through parse_results_file versus a bare read.

The target: a 10,000-row upload end to end under 5 s, and the ratio to bare parsing time.
This measures the pure part (checks included, plus the checks against the candidates and, for a
file with errors, the annotated copy); the HTTP and database part is measured by the service.

    .venv/bin/python -m bench.parse_results [ROWS]
"""

from __future__ import annotations

import io
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta

import openpyxl
import python_calamine

from core.identity import id_check_char
from training.results_feedback import annotate_file
from training.results_file import check_against_candidates, parse_results_file

REPEAT = 5


SURNAMES = "王李张刘陈杨赵黄周吴"
GIVEN = "芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚"


def make_id(serial: int) -> str:
    born = date(1975, 1, 1) + timedelta(days=serial // 999)
    first17 = f"120101{born:%Y%m%d}{serial % 999 + 1:03d}"
    return first17 + id_check_char(first17)


def make_name(serial: int) -> str:
    return SURNAMES[serial % 10] + GIVEN[serial // 10 % 20] + GIVEN[serial // 200 % 20]


def build_xlsx(rows: int, bad_every: int = 0) -> tuple[bytes, dict[str, str]]:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("成绩")
    sheet.append(["身份证号", "姓名", "理论成绩", "实操成绩"])
    candidates = {}
    for i in range(rows):
        number = make_id(i)
        candidates[number] = make_name(i)
        theory = "八十" if bad_every and i % bad_every == 0 else 60 + i % 40
        sheet.append([number, make_name(i), theory, 55.5 + i % 45])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue(), candidates


def timed(action: Callable[[], object]) -> float:
    runs = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        action()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def bare_calamine(data: bytes) -> object:
    sheet = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
    return sheet.to_python(skip_empty_area=False)


def bare_openpyxl(data: bytes) -> object:
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    return list(workbook.worksheets[0].iter_rows(values_only=True))


def main(rows: int = 10_000) -> None:
    data, candidates = build_xlsx(rows)

    def full() -> None:
        parsed = parse_results_file(data, "bench.xlsx", needs_review=False)
        assert parsed.ok and len(parsed.rows) == rows, parsed.errors[:3]
        assert not check_against_candidates(parsed, candidates)

    ours = timed(full)
    calamine = timed(lambda: bare_calamine(data))
    reference = timed(lambda: bare_openpyxl(data))
    bad, _ = build_xlsx(rows, bad_every=10)
    bad_parse = timed(lambda: parse_results_file(bad, "bench.xlsx", needs_review=False))
    parsed_bad = parse_results_file(bad, "bench.xlsx", needs_review=False)
    annotate = timed(lambda: annotate_file(bad, parsed_bad, parsed_bad.errors))

    print(f"rows: {rows:,}  file: {len(data) / 1024:.0f} KB  (median of {REPEAT})")
    print(f"parse_results_file + candidate check: {ours * 1000:8.1f} ms")
    for label, bare in (
        ("bare calamine read (to_python):", calamine),
        ("bare openpyxl read_only read:", reference),
    ):
        print(f"{label:38s}{bare * 1000:8.1f} ms   ratio {ours / bare:.2f}")
    print(f"parse with {len(parsed_bad.errors):,} row errors:          {bad_parse * 1000:8.1f} ms")
    print(f"annotated copy (openpyxl):            {annotate * 1000:8.1f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
