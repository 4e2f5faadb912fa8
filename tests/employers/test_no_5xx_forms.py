"""Page forms with non-numeric, non-finite or huge numbers answer 422
naming the field and write nothing."""

from __future__ import annotations

import re

import pytest

from employers.tables import ClassAssignment
from tests.conftest import login, post_form


@pytest.mark.parametrize("value", ["abc", "inf", "NaN", str(2**63), "1e400", ""])
def test_class_assignment_with_a_bad_staff_link_id_is_422(client, run, staffed, value):
    world = staffed()
    before = run(ClassAssignment.count())
    login(client, "op1")
    r = post_form(client, f"/employers/facilities/{world['id']}/classes/{world['class_id']}",
                  {"action": "assign", "staff_link_id": value})
    assert r.status_code == 422, r.text[:300]
    assert re.search(r"请填写从业人员|从业人员应为整数|从业人员应在", r.text), r.text[:300]
    assert run(ClassAssignment.count()) == before
