"""The training pages read the services' typed rows (training.services.*: CourseRow,
CourseEnrolment, SessionRegistration, ExamResultRow …) by attribute: no training template
reads a row by a joined column's key such as ``r["person.name"]``."""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "training"
JOINED_KEY = re.compile(r"""\[\s*["'][a-z_]+\.[a-z_.]+["']\s*\]""")


def test_training_templates_read_no_joined_column_keys():
    found = [f"{path.name}: {match.group(0)}" for path in sorted(TEMPLATES.glob("*.html"))
             for match in JOINED_KEY.finditer(path.read_text(encoding="utf-8"))]
    assert found == []


def test_the_check_finds_a_joined_key():
    assert JOINED_KEY.search('{{ r["person.name"] }}')
    assert JOINED_KEY.search("{{ r['session.provider.name'] }}")
    assert not JOINED_KEY.search('{{ r.person_name }} {{ quals.get(r.code) }} ["applied"]')
