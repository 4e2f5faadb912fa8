"""The audit log writes a level the one way (五级/初级工 …), never a bare digit."""

import composition
from core import wiring
from core.labels import audit_sentences


def test_audit_sentences_write_levels_in_words() -> None:
    with wiring.using(composition.WIRING):
        sentences = audit_sentences({"after": {"level": 4, "number": "DEMO-KG-0001"},
                                     "before": {"level": "5"}}, "credential")
    assert sentences == ["等级由“五级/初级工”改为“四级/中级工”；编号：DEMO-KG-0001。"]
