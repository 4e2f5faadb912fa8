"""Names print as written.

A name outside Noto CJK (吴𠀀镕, U+20000 in CJK Extension B) prints with the fallback font
(HanaMin, Debian fonts-hanazono) and reads back as written; a character no document font covers
stops that certificate's rendering with a message naming it, shown on the officer's job listing,
and the certificate is not marked rendered. Never a box.
"""

from __future__ import annotations

import pickle
import re
import shutil
import subprocess
import tempfile
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certification.faces import CertificateFace, TrainingCertificateFace
from certification.pdf import render_certificate_pdf, render_training_certificate_pdf
from core import fonts
from core.pdf import render_html_to_pdf
from tests.conftest import api_token, login

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                reason="poppler-utils not installed (bin/system-deps --tests)")

EXT_B_NAME = "吴\U00020000镕"  # 吴𠀀镕
# Plane 15 private use: no font on a Debian machine covers it.
NO_FONT = "\U000F0000"
NO_FONT_MESSAGE = f"姓名中的字符 “{NO_FONT}”（U+F0000）无可用字体，无法打印"

FACE = CertificateFace(
    holder_name=EXT_B_NAME, id_type="居民身份证", id_number="1201**********123X",
    occupation_name="保育师", direction=None, level_label="四级/中级工",
    certificate_number="S000112000001264000123", issuer_name="宁河职业培训学校",
    issued_on=date(2026, 11, 29), verification_code="K7QF-9M2X",
    verification_url="https://zj.ninghe.gov.cn/v/S000112000001264000123?c=K7QF9M2X",
)
TRAINING = TrainingCertificateFace(
    holder_name=EXT_B_NAME, id_type="居民身份证", id_number="1202**********1234",
    training_name="婴幼儿保育相关培训", class_hours=120, provider_name="宁河区托育人才培训学校",
    starts_on=date(2026, 3, 1), ends_on=date(2026, 4, 30), issued_on=date(2026, 5, 8),
    certificate_number="PX2026000123", verification_code="M3TQ-8XZP",
    verification_url="https://zj.ninghe.gov.cn/v/PX2026000123?c=M3TQ8XZP",
)


def _poppler(tool: str, pdf: bytes, *args: str) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        command = [tool, *args, file.name] + (["-"] if tool == "pdftotext" else [])
        return subprocess.run(command, capture_output=True, text=True, check=True,
                              timeout=60).stdout


def _text(pdf: bytes) -> str:
    return re.sub(r"\s+", "", _poppler("pdftotext", pdf, "-raw"))


def test_fallback_fonts_are_installed_and_cover_extension_b() -> None:
    assert fonts.installed_families() == fonts.DOCUMENT_FAMILIES
    covered = fonts.covered_code_points()
    assert 0x20000 in covered and ord("吴") in covered and ord("镕") in covered
    assert 0xF0000 not in covered


@pytest.mark.parametrize("render", [lambda: render_certificate_pdf(FACE),
                                    lambda: render_training_certificate_pdf(TRAINING)])
def test_extension_b_name_prints_with_the_fallback_font(render) -> None:
    pdf = render()
    used = _poppler("pdffonts", pdf)
    assert "HanaMin" in used, used
    assert EXT_B_NAME in _text(pdf)


def test_plain_names_do_not_embed_the_fallback() -> None:
    pdf = render_certificate_pdf(replace(FACE, holder_name="王芳"))
    assert "HanaMin" not in _poppler("pdffonts", pdf)


@pytest.mark.parametrize(("change", "label"), [
    ({"holder_name": f"吴{NO_FONT}镕"}, "姓名"),
    ({"issuer_name": f"宁河{NO_FONT}"}, "评价机构名称"),
    ({"direction": f"婴幼儿{NO_FONT}"}, "工种/职业方向"),
    # CJK Extension G (U+30000): a real ideograph, beyond HanaMin too.
    ({"holder_name": "王\U00030000"}, "姓名"),
])
def test_a_character_no_font_covers_is_refused_naming_field_and_character(change, label) -> None:
    with pytest.raises(fonts.UnprintableCharacter) as refused:
        render_certificate_pdf(replace(FACE, **change))
    char = refused.value.char
    assert refused.value.message == (
        f"{label}中的字符 “{char}”（U+{ord(char):04X}）无可用字体，无法打印")


def test_training_certificate_is_checked_too() -> None:
    with pytest.raises(fonts.UnprintableCharacter, match=re.escape(NO_FONT_MESSAGE)):
        render_training_certificate_pdf(replace(TRAINING, holder_name=f"吴{NO_FONT}镕"))


def test_any_document_refuses_as_a_backstop() -> None:
    html = f'<html lang="zh-CN"><title>x</title><p>张{NO_FONT}</p></html>'
    with pytest.raises(fonts.UnprintableCharacter, match="文档中的字符"):
        render_html_to_pdf(html)


def test_refusal_survives_the_render_pool() -> None:
    """The job runner gets the refusal back from a pool process by pickling."""
    error = pickle.loads(pickle.dumps(fonts.UnprintableCharacter("姓名", NO_FONT, "name")))
    assert error.message == NO_FONT_MESSAGE and error.field == "name"


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=12))
def test_first_unprintable_is_the_first_uncovered_character(text: str) -> None:
    covered = fonts.covered_code_points()
    expected = next((c for c in text if c not in "\t\n\r \u00a0\u3000"
                     and ord(c) not in covered), None)
    assert fonts.first_unprintable(text) == expected


# --- the rendering job -------------------------------------------------------------------


def _run_jobs(run):
    from certification.jobs import run_pending_jobs

    return run(run_pending_jobs)


def test_job_renders_extension_b_name(client, run, make_person, issue_skill, make_user):
    cert = issue_skill(make_person(EXT_B_NAME).id)
    assert _run_jobs(run) == 1
    make_user("hrss_officer", "officer")
    pdf = client.get(f"/api/v1/certificates/{cert.id}/pdf", headers=api_token(client, "officer"))
    assert pdf.status_code == 200
    assert EXT_B_NAME in _text(pdf.content)
    assert "HanaMin" in _poppler("pdffonts", pdf.content)


def test_job_refuses_unprintable_name_and_tells_the_officer(client, run, make_person,
                                                            issue_skill, make_user):
    from certification.tables import CertificateRecord, IssuanceJob, IssuanceJobItem
    from core.tables import Person

    # A private-use character is refused at entry today (core.name_rules); a record from
    # before that rule can still hold one, and printing it must still fail cleanly.
    person = make_person("吴镕")
    run(Person.update({Person.name: f"吴{NO_FONT}镕"}).where(Person.id == person.id))
    cert = issue_skill(person.id)
    _run_jobs(run)
    item = run(IssuanceJobItem.select().first())
    # Refused at once (no retries: the answer would be the same), with the Chinese message.
    assert item["state"] == "failed" and item["attempts"] == 1
    assert item["error"] == NO_FONT_MESSAGE
    job = run(IssuanceJob.select().first())
    assert job["state"] == "failed" and job["failed_count"] == 1 and job["done_count"] == 0
    record = run(CertificateRecord.select().where(CertificateRecord.credential == cert.id).first())
    assert record["pdf"] is None and record["needs_render"] is True and not record["vc_json"]

    make_user("hrss_officer", "officer")
    headers = api_token(client, "officer")
    api = client.get(f"/api/v1/certification/jobs/{job['id']}", headers=headers).json()
    assert api["failures"] == [{"credential_id": cert.id, "number": cert.number,
                                "holder_name": f"吴{NO_FONT}镕", "error": NO_FONT_MESSAGE}]
    download = client.get(f"/api/v1/certificates/{cert.id}/pdf", headers=headers)
    assert download.status_code == 409 and NO_FONT_MESSAGE in download.text
    login(client, "officer")
    listing = client.get("/certification/sessions/").text
    assert NO_FONT_MESSAGE in listing and cert.number in listing
