"""发证统计: an officer sees the certificates issued here counted by qualification, level, month
and status, within the issue dates asked for (counted in SQL on both engines)."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

from certification.services import lifecycle
from core.actor import Actor
from tests.conftest import login

STATS = "/certification/certificates/stats"


def _tables(html: str) -> dict[str, list[list[str]]]:
    """Each data table of the page by its caption: the rows of its body as cell texts."""
    tables = {}
    for caption, body in re.findall(r"<caption[^>]*>(.*?)</caption>(.*?)</table>", html, re.S):
        rows = re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>", 1)[-1], re.S)
        tables[unescape(caption.strip())] = [
            [
                unescape(re.sub(r"<[^>]+>", "", cell)).strip()
                for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
            ]
            for row in rows
        ]
    return tables


def test_statistics_count_each_status_level_and_month(
    client, run, make_user, make_person, issue_skill
):
    june = issue_skill(make_person("王芳").id, level=4, issued_on=date(2026, 6, 1))
    issue_skill(make_person("李娜").id, level=3, issued_on=date(2026, 7, 2))
    suspended = issue_skill(make_person("张伟").id, level=4, issued_on=date(2026, 7, 20))
    revoked = issue_skill(make_person("赵敏").id, level=4, issued_on=date(2026, 8, 3))
    issue_skill(make_person("陈静").id, level=4, issued_on=date(2026, 8, 31))
    system = Actor.system("test")
    run(lifecycle.suspend, suspended.id, "调查中", system)
    run(lifecycle.revoke, revoked.id, "材料不实", system)
    run(lifecycle.revoke, june.id, "材料不实", system)
    make_user("hrss_officer", "officer")
    assert login(client, "officer").status_code in (302, 303)

    page = client.get(STATS)
    assert page.status_code == 200
    assert "共 5 本" in page.text
    tables = _tables(page.text)
    assert tables["按状态"] == [["已撤销", "2"], ["已暂停", "1"], ["有效", "2"]]
    assert tables["按月份"] == [["2026-06", "1"], ["2026-07", "2"], ["2026-08", "2"]]
    [(qualification, total)] = tables["按职业 / 培训类别"]
    assert total == "5"
    assert tables["按等级"] == [
        [qualification, "四级/中级工", "4"],
        [qualification, "三级/高级工", "1"],
    ]

    # Within the dates asked for (both included): July and August only.
    july_on = client.get(STATS, params={"date_from": "2026-07-02", "date_to": "2026-08-31"})
    assert july_on.status_code == 200 and "共 4 本" in july_on.text
    tables = _tables(july_on.text)
    assert tables["按状态"] == [["已撤销", "1"], ["已暂停", "1"], ["有效", "2"]]
    assert tables["按月份"] == [["2026-07", "2"], ["2026-08", "2"]]
    assert tables["按等级"] == [
        [qualification, "四级/中级工", "3"],
        [qualification, "三级/高级工", "1"],
    ]
