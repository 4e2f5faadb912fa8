"""The training pages read the services' typed rows (training.services.*: CourseRow,
CourseEnrolment, SessionRegistration, ExamResultRow …) by attribute: no training template
reads a row by a joined column's key such as ``r["person.name"]``, and no training controller
queries a table, reads a row by key or unpacks one into a response model (``Out(**row)``)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates" / "training"
CONTROLLERS = ROOT / "training" / "controllers"
JOINED_KEY = re.compile(r"""\[\s*["'][a-z_]+\.[a-z_.]+["']\s*\]""")
ROW_IN_CONTROLLER = re.compile(
    r"""\.(select|objects)\(|\b(row|r|a)\[["']|\w+Out\(\*\*|training\.tables""")


def test_training_templates_read_no_joined_column_keys():
    found = [f"{path.name}: {match.group(0)}" for path in sorted(TEMPLATES.glob("*.html"))
             for match in JOINED_KEY.finditer(path.read_text(encoding="utf-8"))]
    assert found == []


def test_the_check_finds_a_joined_key():
    assert JOINED_KEY.search('{{ r["person.name"] }}')
    assert JOINED_KEY.search("{{ r['session.provider.name'] }}")
    assert not JOINED_KEY.search('{{ r.person_name }} {{ quals.get(r.code) }} ["applied"]')


def test_training_controllers_read_typed_rows_from_services():
    found = [f"{path.name}: {match.group(0)}" for path in sorted(CONTROLLERS.glob("*.py"))
             for match in ROW_IN_CONTROLLER.finditer(path.read_text(encoding="utf-8"))]
    assert found == []


def test_the_controller_check_finds_rows():
    for text in ('await ClassSession.select().where(x)', 'row["course"]',
                 'sc.ClassSessionRevisionOut(**rows[-1])', "from training.tables import X"):
        assert ROW_IN_CONTROLLER.search(text), text
    assert not ROW_IN_CONTROLLER.search('form["present"] sc.StateOut(id=1, state="applied")')
