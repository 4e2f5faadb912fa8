"""Comments and docstrings point into the repository (ARCHITECTURE.md, docs/domain.md), never
to issue numbers, numbered findings of a review or files outside the repository."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("core", "training", "certification", "employers", "dashboards", "templates",
            "static", "bench", "migrations", "tests")
OUTSIDE = re.compile(r"\bissue[- ]?\d+|\battack findings? \d+|/work/shared|\.\./shared/",
                     re.IGNORECASE)


def _sources() -> list[Path]:
    files = [ROOT / "composition.py", ROOT / "piccolo_conf.py", ROOT / "Makefile"]
    for package in PACKAGES:
        files += [p for p in (ROOT / package).rglob("*")
                  if p.suffix in {".py", ".html", ".css", ".js"} and "node_modules" not in p.parts]
    return files


def test_no_comment_cites_an_issue_number_or_a_file_outside_the_repository():
    me = Path(__file__).resolve()
    found = [f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
             for path in _sources() if path.resolve() != me
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if OUTSIDE.search(line)]
    assert not found, "\n".join(found)


def test_the_check_sees_an_issue_number():
    assert OUTSIDE.search("# rule from issue 6") and OUTSIDE.search("(attack finding 12)")
    assert OUTSIDE.search("see /work/shared/domain.md")
    assert not OUTSIDE.search("an issued certificate; issue_skill(holder.id)")
