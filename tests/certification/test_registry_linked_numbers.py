"""The officers' certificate registry finds a holder by any of their identity numbers: their
own (of any ID type the search box takes) or one linked to them (core.people.find_person)."""

from __future__ import annotations

from typing import Any

from core.actor import Actor
from core.identity import id_check_char
from core.people import link_id_number
from tests.conftest import login

FOREIGN = "外国人永久居留身份证"
OLD = "USA120501011234"  # the 15-character card issued before 2023-12-01
NEW17 = "91184020050101012"
NEW = NEW17 + id_check_char(NEW17)


def test_registry_search_by_new_and_linked_old_card(client, make_user, make_person,
                                                    issue_skill, run) -> None:
    person = make_person("John Smith", id_number=NEW, id_type=FOREIGN)
    cert = issue_skill(person.id)
    other = issue_skill(make_person("王芳").id)
    run(link_id_number, person.id, FOREIGN, OLD, "旧版永久居留证", Actor.system("test"))
    make_user("hrss_officer", "hr1")
    assert login(client, "hr1").status_code in (302, 303)

    def found(q: str) -> Any:
        r = client.get("/certification/certificates", params={"q": q})
        assert r.status_code == 200, r.text
        return r.text

    for q in (NEW, OLD, OLD.lower()):
        text = found(q)
        assert cert.number in text and other.number not in text, q
    export = client.get("/certification/certificates/export.xlsx", params={"q": OLD})
    assert export.status_code == 200
    # A well-formed number nobody holds finds nothing; certificate-number prefixes still work.
    assert cert.number not in found("GBR120501011234")
    assert cert.number in found(cert.number[:10]) and other.number in found(cert.number[:10])


def test_statistics_rank_levels_as_the_standard_does_not_as_text():
    from certification.services.registry import _level_rank

    names = ["三级/高级工", "五级/初级工", "一级/高级技师", "四级/中级工", "—", "二级/技师"]
    assert sorted(names, key=_level_rank) == [
        "五级/初级工", "四级/中级工", "三级/高级工", "二级/技师", "一级/高级技师", "—"]
