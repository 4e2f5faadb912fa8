"""The holder's share section (QR code, visible link, copy button), /verify/<number> without a
code, a superseded certificate's new number (pages and API), one wording for superseded and for
levels, ID numbers masked on the exam-session page, and the favicon."""

from __future__ import annotations

import html
import re

import pytest

from tests.conftest import api_token, csrf_token, login, post_form


@pytest.fixture
def officer(make_user):
    make_user("hrss_officer", "officer")
    return "officer"


def _section(text: str, element_id: str) -> str:
    """The HTML of the <section id=…> in ``text`` (sections are not nested in it)."""
    match = re.search(rf'<section[^>]*id="{element_id}".*?</section>', text, re.S)
    assert match, f"section {element_id} missing"
    return match.group(0)


def _reissue(client, officer, cert_id) -> dict:
    response = client.post(f"/api/v1/certification/certificates/{cert_id}/reissue",
                           json={"kind": "lost", "evidence": "遗失声明 2026-11-01"},
                           headers=api_token(client, officer))
    assert response.status_code == 201, response.text
    return response.json()


# --- the share section --------------------------------------------------------------------------

def test_holder_page_shares_by_qr_code_and_a_visible_link(client, run, holder, issue_skill):
    from certification.qr import qr_data_uri
    from certification.services.lifecycle import suspend
    from core.actor import Actor

    cert = issue_skill(holder.id)
    suspended = issue_skill(holder.id, level=3)
    run(suspend, suspended.id, "调查中", Actor.system("t"))
    login(client, "wangfang")
    page = client.get("/my/certificates/")
    assert page.status_code == 200
    share = _section(page.text, f"share-{cert.id}")
    link = re.search(r'class="cert-number cert-share-url"[^>]*><a href="([^"]+)">([^<]+)</a>',
                     share)
    # the link is in the page as text (readable and selectable without JavaScript) …
    assert link and html.unescape(link.group(2)).endswith(
        f"/verify/{cert.number}?code={cert.verification_code}")
    assert html.unescape(link.group(1)) == html.unescape(link.group(2))
    # … the QR code is an inline image of that same link …
    img = re.search(r'<img class="cert-qr" src="([^"]+)"[^>]*alt="([^"]+)"', share)
    assert img and img.group(1).startswith("data:image/svg+xml")
    assert html.unescape(img.group(1)) == qr_data_uri(html.unescape(link.group(2)), border=4)
    assert cert.number in img.group(2)
    # … and the copy button (shown by static/js/app.js) copies the element holding the link
    copy = re.search(r'<button type="button" class="button button-primary" data-copy="([^"]+)"',
                     share)
    assert copy and f'id="{copy.group(1)}"' in share
    assert 'role="status"' in share
    # the action that leads there is a filled or outlined button, not a ghost one
    assert f'<a class="button button-secondary" href="#share-{cert.id}">分享证书</a>' in page.text
    # a suspended certificate is not offered for sharing
    assert f'id="share-{suspended.id}"' not in page.text


def test_share_script_and_styles_are_served(client):
    script = client.get("/static/js/app.js")
    assert script.status_code == 200 and "[data-copy]" in script.text
    assert "navigator.clipboard" in script.text
    css = client.get("/static/css/certification.css")
    assert css.status_code == 200 and ".cert-share" in css.text and ".cert-qr" in css.text


# --- /verify/<number> without a code -------------------------------------------------------------

def test_verify_link_without_code_shows_the_form_with_the_number(client, make_person,
                                                                  issue_skill):
    cert = issue_skill(make_person("王芳").id)
    page = client.get(f"/verify/{cert.number}")
    assert page.status_code == 200
    assert re.search(rf'<input[^>]*name="number"[^>]*value="{cert.number}"', page.text) or \
        re.search(rf'<input[^>]*value="{cert.number}"[^>]*name="number"', page.text)
    assert 'name="name"' in page.text and 'action="/verify"' in page.text
    assert "请输入持证人姓名" in page.text
    # nothing about the certificate is shown before the name is given
    assert "alert-error" not in page.text and "王芳" not in page.text
    blank = client.get(f"/verify/{cert.number}", params={"code": " "})
    assert blank.status_code == 200 and "请输入持证人姓名" in blank.text
    # the form then verifies as usual
    result = post_form(client, "/verify", {"number": cert.number, "name": "王芳"})
    assert result.status_code == 200 and "证书有效" in result.text
    # a wrong code still answers as before
    assert client.get(f"/verify/{cert.number}", params={"code": "AAAAAAAA"}).status_code == 404


# --- superseded: the new number on every page and in the API -------------------------------------

def test_superseded_certificate_names_and_links_its_new_number(client, run, holder, issue_skill,
                                                               officer):
    from core.credentials import STATUS_LABELS

    cert = issue_skill(holder.id)
    new = _reissue(client, officer, cert.id)
    new_id, new_number = new["id"], new["number"]
    assert STATUS_LABELS["superseded"] == "已被替代"

    # API: the officer's and the holder's answers name the new number and its API address
    one = client.get(f"/api/v1/certificates/{cert.id}", headers=api_token(client, officer))
    assert one.status_code == 200
    body = one.json()
    assert body["status"] == "superseded" and body["superseded_by"] == new_id
    assert body["superseded_by_number"] == new_number
    assert body["superseded_by_url"] == f"/api/v1/certificates/{new_id}"
    assert client.get(body["superseded_by_url"],
                      headers=api_token(client, officer)).json()["number"] == new_number
    mine = client.get("/api/v1/me/certificates/", headers=api_token(client, "wangfang")).json()
    old = next(c for c in mine if c["id"] == cert.id)
    assert old["superseded_by_number"] == new_number
    assert next(c for c in mine if c["id"] == new_id)["superseded_by_number"] is None
    listed = client.get("/api/v1/certification/certificates/",
                        params={"q": cert.number}, headers=api_token(client, officer))
    assert listed.status_code == 200, listed.text
    items = {c["id"]: c for c in listed.json()["items"]}
    assert items[cert.id]["superseded_by_number"] == new_number

    # the holder's page: a link to the new certificate on the same page
    login(client, "wangfang")
    mine_page = client.get("/my/certificates/").text
    assert f'<a href="#cert-{new_id}">{new_number}</a>' in mine_page
    assert f'id="cert-{new_id}"' in mine_page
    assert "已被替代" in mine_page and "已被替换" not in mine_page

    # the public verification result: a link to the verification form of the new number
    by_code = client.get(f"/verify/{cert.number}", params={"code": cert.verification_code})
    assert by_code.status_code == 200
    assert f'<a href="/verify/{new_number}">{new_number}</a>' in by_code.text
    assert "已被替代" in by_code.text and "已被替换" not in by_code.text
    follow = client.get(f"/verify/{new_number}")
    assert follow.status_code == 200 and f'value="{new_number}"' in follow.text

    # the officer's detail page and the registry list
    client.cookies.clear()
    login(client, officer)
    detail = client.get(f"/certification/certificates/{cert.id}").text
    assert f'<a href="/certification/certificates/{new_id}">{new_number}</a>' in detail
    assert "已被替代" in detail and "已被替换" not in detail
    registry = client.get("/certification/certificates/", params={"q": holder.name}).text
    assert f'href="/certification/certificates/{new_id}">{new_number}</a>' in registry
    assert "已被替换" not in registry


def test_stamped_copy_and_staffing_check_use_the_one_wording(client, run, make_person):
    from certification.stamp import STAMP_WORDS
    from employers.compliance.qualifications import STATUS_NAMES

    assert STAMP_WORDS["superseded"][0] == "已被替代"
    assert STATUS_NAMES["superseded"] == "已被替代"


# --- levels ---------------------------------------------------------------------------------------

def test_level_label_is_the_one_wording():
    from core.levels import level_choices, level_label

    assert [level_label(n) for n in (5, 4, 3, 2, 1)] == [
        "五级/初级工", "四级/中级工", "三级/高级工", "二级/技师", "一级/高级技师"]
    assert level_label("4") == "四级/中级工"
    assert level_label(None) == "" and level_label("") == ""
    assert level_choices()[0] == ("5", "五级/初级工")


def test_levels_are_written_one_way_on_pages_and_in_messages(client, run, officer, holder,
                                                            issue_skill):
    from training.eligibility import level_label as used_by_eligibility

    assert used_by_eligibility(5) == "五级/初级工"
    cert = issue_skill(holder.id, level=4)
    login(client, officer)
    registry = client.get("/certification/certificates/").text
    for text in ("五级/初级工", "四级/中级工", "三级/高级工", "二级/技师", "一级/高级技师"):
        assert f">{text}</option>" in registry
    assert ">五级</option>" not in registry
    detail = client.get(f"/certification/certificates/{cert.id}").text
    assert "四级/中级工" in detail
    catalogue = client.get("/courses").text
    assert ">五级/初级工</option>" in catalogue and ">五级</option>" not in catalogue
    client.cookies.clear()
    login(client, "wangfang")
    assert "四级/中级工" in client.get("/my/certificates/").text
    assert client.get("/api/v1/me/certificates/", headers=api_token(client, "wangfang")
                      ).json()[0]["level_name"] == "四级/中级工"


def test_catalogue_stores_levels_in_the_one_wording(client, run, make_user):
    from core.tables import Qualification, QualificationLevel

    make_user("admin", "root")
    login(client, "root")
    data = {"code": "NEW_SKILL", "name": "新职业", "kind": "skill",
            "levels_text": "5\n4 四级\n3 三级/高级工", "_csrf_token": csrf_token(client)}
    ok = client.post("/certification/catalogue/qualifications", data=data,
                     follow_redirects=False)
    assert ok.status_code in (200, 302, 303), ok.text
    qid = run(Qualification.select(Qualification.id).where(
        Qualification.code == "NEW_SKILL").first())["id"]
    names = run(QualificationLevel.select(QualificationLevel.level, QualificationLevel.name).where(
        QualificationLevel.qualification == qid).order_by(QualificationLevel.level))
    assert [(r["level"], r["name"]) for r in names] == [
        (3, "三级/高级工"), (4, "四级/中级工"), (5, "五级/初级工")]
    bad = post_form(client, "/certification/catalogue/qualifications",
                    {"code": "OTHER_SKILL", "name": "另一职业", "kind": "skill",
                     "levels_text": "4 中级"})
    assert bad.status_code == 422 and "等级 4 的名称应为“四级/中级工”" in bad.text


# --- the exam-session page -----------------------------------------------------------------------

def test_exam_session_page_masks_id_numbers(client, run, officer, submitted_session):
    from core.identity import mask_id_number
    from core.tables import Person

    session_id = submitted_session([("王芳", 85, 90), ("李娜", 59, 95)])
    numbers = [p["id_number"] for p in run(Person.select(Person.id_number))]
    login(client, officer)
    page = client.get(f"/certification/sessions/{session_id}")
    assert page.status_code == 200 and "王芳" in page.text
    for number in numbers:
        assert number not in page.text
        assert mask_id_number(number) in page.text


# --- favicon --------------------------------------------------------------------------------------

def test_favicon_is_served_and_linked(client):
    ico = client.get("/favicon.ico")
    assert ico.status_code == 200 and ico.headers["content-type"].startswith("image/x-icon")
    assert ico.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
    svg = client.get("/static/favicon.svg")
    assert svg.status_code == 200 and svg.text.startswith("<svg")
    home = client.get("/").text
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in home
    assert 'href="/favicon.ico"' in home


def test_staffing_form_pdf_writes_levels_the_one_way(run):
    from core import labels
    from employers import pdf

    run(labels.refresh_catalogue)
    snapshot = {"as_of": "2026-11-30", "classes": [], "staff": [
        {"id": "s1", "name": "周慧", "positions": ["caregiver"], "employment": "full_time",
         "health_check_on": None, "background_check": "clear",
         "credentials": [{"code": "CHILDCARE_WORKER", "level": 4, "number": "N1",
                          "status": "valid"}]}]}
    html_text = pdf.staffing_form_html(
        {"name": "园", "uscc": "", "address": "", "street": "", "capacity": 1},
        snapshot, {"compliant": True, "as_of": "2026-11-30", "rules": []}, "", "")
    assert "（四级/中级工）" in html_text and "（4级）" not in html_text
