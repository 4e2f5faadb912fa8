"""The audit log writes a level the one way (五级/初级工 …), never a bare digit."""

import composition
from core import wiring
from core.labels import audit_summary


def test_audit_summary_writes_levels_in_words() -> None:
    with wiring.using(composition.WIRING):
        parts = audit_summary({"after": {"level": 4, "number": "DEMO-KG-0001"},
                               "before": {"level": "5"}}, "credential")
    assert parts == [("变更后", [("等级", "四级/中级工"), ("编号", "DEMO-KG-0001")]),
                     ("变更前", [("等级", "五级/初级工")])]
