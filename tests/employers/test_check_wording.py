"""What an operator's credential check says: why only the public result is shown (the person
withdrew or refused their consent to the operator's facility, or gave none), the level named
as on the certificate, and the same person found by a linked identity number."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from core.actor import Actor
from core.people import link_id_number
from core.tables import Person
from tests.conftest import PASSWORD, api_token, login, post_form
from tests.employers.conftest import id_number, link, register

CERT = "S0601120000012640001"
FOREIGN = "外国人永久居留身份证"
OLD_CARD = "USA120501011234"  # the 15-character card issued before 2023-12-01


def _bind(client: Any, run: Callable, person_id: int, username: str) -> dict[str, str]:
    from core.accounts.services import NewUser, create_user

    run(create_user, NewUser(username, PASSWORD, "trainee", "学员", None, person_id),
        Actor.system("test"))
    return api_token(client, username)


def _check(client: Any, operator: dict, number: str, name: str, cert: str = "",
           id_type: str = "居民身份证") -> dict:
    r = client.post("/api/v1/credential-checks", headers=operator, json={
        "id_type": id_type, "id_number": number, "name": name, "reason": "核验",
        "certificate_number": cert})
    assert r.status_code == 200, r.text
    return r.json()


def _id_of(run: Callable, person_id: int) -> str:
    return run(Person.select(Person.id_number).where(Person.id == person_id).first())[
        "id_number"]


def test_withdrawn_and_refused_consent_are_named(client, operator, make_user, make_credential,
                                                 run):
    fid = register(client, operator)
    staff = link(client, operator, fid, "赵雪", ["caregiver"], consent=False)
    number = _id_of(run, staff["person_id"])
    make_credential(staff["person_id"], "CHILDCARE_WORKER", level=4, number=CERT)
    trainee = _bind(client, run, staff["person_id"], "zhao")

    # Pending: no consent yet, the general wording.
    r = _check(client, operator, number, "赵雪", CERT)
    assert r["message"] == "未获本人授权（无在职关联或同意），仅显示公开查验结果"

    assert client.post(f"/api/v1/staff-links/{staff['id']}/accept",
                       headers=trainee).status_code == 200
    assert client.post(f"/api/v1/staff-links/{staff['id']}/withdraw-consent",
                       headers=trainee).status_code == 200
    r = _check(client, operator, number, "赵雪", CERT)
    assert r["basis"] == "public" and [c["number"] for c in r["credentials"]] == [CERT]
    assert r["message"] == "本人已撤回授权，仅显示公开查验结果"
    r = _check(client, operator, number, "赵雪")
    assert r["credentials"] == []
    assert r["message"] == "本人已撤回授权，需凭证书编号和姓名进行公开查验"

    # On the checks page too.
    login(client, "op1")
    page = post_form(client, "/employers/checks", {
        "id_type": "居民身份证", "id_number": number, "name": "赵雪", "reason": "核验",
        "certificate_number": CERT})
    assert page.status_code == 200 and "本人已撤回授权，仅显示公开查验结果" in page.text
    assert "无在职关联或同意" not in page.text

    # Another operator (no link with this person) reads the general wording.
    make_user("facility_operator", "op2")
    other = api_token(client, "op2")
    assert _check(client, other, number, "赵雪", CERT)["message"] == (
        "未获本人授权（无在职关联或同意），仅显示公开查验结果")

    # The page the consent SMS names ("我的任职与查询记录") is called so in its heading and menu.
    login(client, "zhao")
    mine = client.get("/employers/my").text
    assert re.search(r"<h1[^>]*>\s*我的任职与查询记录\s*</h1>", mine)
    assert re.search(r'href="/employers/my"[^>]*>\s*我的任职与查询记录\s*<', mine)
    # On a phone both tables read as cards: every cell carries its column heading.
    for section in ("我的授权记录", "谁查看过我的证书记录"):
        table = mine.split(section)[1].split("</table>")[0]
        assert "data-table-stack" in table
        cells = re.findall(r"<td[^>]*>", table)
        assert cells and all("data-label=" in td for td in cells)
    assert re.search(r'<span class="nowrap">入职 \d{4}-\d{2}-\d{2}</span>', mine)

    # Refused: a second person refuses the operator's request.
    refusing = link(client, operator, fid, "钱多", ["caregiver"], consent=False)
    token = _bind(client, run, refusing["person_id"], "qian")
    assert client.post(f"/api/v1/staff-links/{refusing['id']}/refuse",
                       headers=token).status_code == 200
    r = _check(client, operator, _id_of(run, refusing["person_id"]), "钱多")
    assert r["message"] == "本人已拒绝授权，需凭证书编号和姓名进行公开查验"


def test_check_names_the_level_as_the_certificate_does(client, operator, make_credential, run):
    fid = register(client, operator)
    staff = link(client, operator, fid, "林晓", ["caregiver"])
    number = _id_of(run, staff["person_id"])
    make_credential(staff["person_id"], "CHILDCARE_WORKER", level=4, number=CERT)
    r = _check(client, operator, number, "林晓")
    assert r["basis"] == "consent"
    [cert] = r["credentials"]
    assert (cert["level"], cert["level_name"]) == (4, "四级/中级工")
    login(client, "op1")
    page = post_form(client, "/employers/checks", {
        "id_type": "居民身份证", "id_number": number, "name": "林晓", "reason": "核验"})
    assert "保育师（四级/中级工）" in page.text and "（4级）" not in page.text
    person_page = client.get(f"/employers/facilities/{fid}/staff/{staff['id']}")
    assert person_page.status_code == 200
    assert "保育师（四级/中级工）" in person_page.text and "（4级）" not in person_page.text


def test_a_linked_old_foreign_card_finds_the_same_person(client, operator, make_credential,
                                                        run):
    fid = register(client, operator)
    number = id_number()
    staff = link(client, operator, fid, "Anna Lee", ["caregiver"], number=number)
    make_credential(staff["person_id"], "CHILDCARE_WORKER", level=4, number=CERT)
    run(link_id_number, staff["person_id"], FOREIGN, OLD_CARD, "旧版永久居留证",
        Actor.system("test"))
    by_own = _check(client, operator, number, "Anna Lee")
    by_old = _check(client, operator, OLD_CARD.lower(), "ANNA LEE", id_type=FOREIGN)
    assert by_own["basis"] == by_old["basis"] == "consent"
    assert [c["number"] for c in by_old["credentials"]] == [CERT]
    # A card nobody holds identifies nobody.
    assert _check(client, operator, "GBR120501011234", "Anna Lee",
                  id_type=FOREIGN)["basis"] == "public"
