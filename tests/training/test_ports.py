"""Training sits below certification: no training module imports certification, not even
inside a function; what training needs from it (the training certificate of a completed
enrolment, the officers' review queue) comes through ``training.ports.CERTIFICATION``, which
the composition plugs with certification's implementation."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import training
from training.ports import CERTIFICATION, CertificationPort

TRAINING = Path(training.__file__).parent


def _imported_modules(source: str) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def test_no_training_module_imports_certification() -> None:
    offending = [
        f"{path.relative_to(TRAINING.parent)}:{line} {module}"
        for path in sorted(TRAINING.rglob("*.py"))
        for line, module in _imported_modules(path.read_text(encoding="utf-8"))
        if module == "certification" or module.startswith("certification.")
    ]
    assert offending == []


def test_the_scan_sees_an_import_inside_a_function() -> None:
    source = "async def f():\n    from certification.services.reviews import enqueue\n"
    assert _imported_modules(source) == [(2, "certification.services.reviews")]


def test_the_composition_plugs_one_certification_with_every_call_training_makes() -> None:
    implementation = CERTIFICATION.get()  # LookupError unless exactly one is plugged
    wanted = {name for name, _ in inspect.getmembers(CertificationPort, inspect.isfunction)
              if not name.startswith("_")}
    assert wanted == {"issue_training_certificate", "enqueue_review", "enqueue_hours_short",
                      "review_count"}
    for name in wanted:
        method = getattr(implementation, name)
        assert inspect.iscoroutinefunction(method), name
        assert (list(inspect.signature(method).parameters)
                == list(inspect.signature(getattr(CertificationPort, name)).parameters)[1:])
