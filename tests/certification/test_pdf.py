"""Certificate PDFs, read back with poppler (pdftotext, pdfinfo, pdffonts, pdfimages).

Rendering takes ~0.2 s, so each document is rendered once per module.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
import segno
from PIL import Image

from certification.faces import CertificateFace, TrainingCertificateFace
from certification.pdf import (
    certificate_html,
    format_cn_date,
    qr_data_uri,
    render_certificate_pdf,
    render_training_certificate_pdf,
    verification_qr,
)
from core import syscheck
from core.pdf import TEMPLATES_DIR, LocalOnlyFetcher, render_html_to_pdf

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None,
    reason="poppler-utils not installed (python -m core.syscheck --tests)",
)

URL = "https://zj.ninghe.gov.cn/v/S000112000001264000123?c=K7QF9M2X"


def _photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (330, 440), (40, 60, 90)).save(buffer, format="JPEG")
    return buffer.getvalue()


FACE = CertificateFace(
    holder_name="欧阳明华",
    id_type="居民身份证",
    id_number="1201**********123X",
    occupation_name="保育师",
    direction=None,
    level_label="四级/中级工",
    certificate_number="S000112000001264000123",
    issuer_name="天津市宁河区职业技能培训评价中心有限公司",
    issued_on=date(2026, 11, 29),
    verification_code="K7QF-9M2X",
    verification_url=URL,
    photo=_photo(),
    occupation_code="4-10-01-03",
)
TRAINING = TrainingCertificateFace(
    holder_name="王芳",
    id_type="居民身份证",
    id_number="120221199001011234",
    training_name="婴幼儿保育相关培训",
    class_hours=120,
    provider_name="宁河区芦台街托育人才培训学校",
    starts_on=date(2026, 3, 1),
    ends_on=date(2026, 4, 30),
    issued_on=date(2026, 5, 8),
    certificate_number="PX2026000123",
    verification_code="M3TQ-8XZP",
    verification_url="https://zj.ninghe.gov.cn/v/PX2026000123?c=M3TQ8XZP",
)


def _poppler(tool: str, pdf: bytes, *args: str) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        command = [tool, *args, file.name] + (["-"] if tool == "pdftotext" else [])
        return subprocess.run(
            command, capture_output=True, text=True, check=True, timeout=60
        ).stdout


def _text(pdf: bytes) -> str:
    """The PDF's text in drawing order, whitespace removed (letter-spacing and wrapping add
    spaces; drawing order keeps a wrapped URL in one piece where column order would not)."""
    return re.sub(r"\s+", "", _poppler("pdftotext", pdf, "-raw"))  # -raw: content order


def _pages(pdf: bytes) -> tuple[int, str]:
    info = _poppler("pdfinfo", pdf)
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    size = re.search(r"^Page size:\s+(.*)$", info, re.M).group(1)
    return pages, size


@pytest.fixture(scope="module")
def certificate_pdf() -> bytes:
    return render_certificate_pdf(FACE)


@pytest.fixture(scope="module")
def no_photo_pdf() -> bytes:
    return render_certificate_pdf(replace(FACE, photo=None))


@pytest.fixture(scope="module")
def training_pdf() -> bytes:
    return render_training_certificate_pdf(TRAINING)


def test_certificate_is_one_a4_page(certificate_pdf: bytes) -> None:
    assert certificate_pdf.startswith(b"%PDF-")
    pages, size = _pages(certificate_pdf)
    assert pages == 1
    assert "(A4)" in size


def test_certificate_prints_every_mandatory_face_field(certificate_pdf: bytes) -> None:
    text = _text(certificate_pdf)
    for label in (
        "姓名",
        "证件类型",
        "证件号码",
        "职业名称",
        "工种/职业方向",
        "职业技能等级",
        "证书编号",
        "评价机构名称",
        "发证日期",
    ):
        assert label in text
    for value in (
        "职业技能等级证书",
        "欧阳明华",
        "居民身份证",
        "1201**********123X",
        "保育师",
        "四级/中级工",
        "S000112000001264000123",
        "天津市宁河区职业技能培训评价中心有限公司",
        "2026年11月29日",
        "K7QF-9M2X",
        URL,
    ):
        assert value in text, value
    # No 工种/职业方向: the face says "--" right after the label.
    assert "工种/职业方向--" in text


def test_certificate_embeds_the_named_cjk_fonts(certificate_pdf: bytes) -> None:
    fonts = _poppler("pdffonts", certificate_pdf)
    embedded = [line for line in fonts.splitlines() if "CJK" in line]
    assert any("Noto-Serif-CJK-SC" in line for line in embedded)
    assert any("Noto-Sans-CJK-SC" in line for line in embedded)
    for line in embedded:
        emb, sub = line.split()[-5:-3]
        assert (emb, sub) == ("yes", "yes"), line


def test_photo_is_embedded_and_placeholder_only_without_one(
    certificate_pdf: bytes, no_photo_pdf: bytes
) -> None:
    assert "未提供照片" not in _text(certificate_pdf)
    assert "jpeg" in _poppler("pdfimages", certificate_pdf, "-list")
    assert "未提供照片" in _text(no_photo_pdf)
    images = _poppler("pdfimages", no_photo_pdf, "-list").splitlines()[2:]
    assert images == []  # the QR code is vector (SVG), so no raster image at all
    assert _pages(no_photo_pdf)[0] == 1


def test_png_photo_is_accepted() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (30, 40), (200, 200, 200)).save(buffer, format="PNG")
    html = certificate_html(replace(FACE, photo=buffer.getvalue()))
    assert 'src="data:image/png;base64,' in html


def test_qr_encodes_the_verification_url() -> None:
    qr = verification_qr(URL)
    assert qr.matrix == segno.make(URL, error="m", micro=False).matrix
    assert qr.matrix != verification_qr(URL.replace("K7QF9M2X", "K7QF9M2Y")).matrix
    assert qr.designator.endswith(("M", "Q", "H"))  # at least 15 % error correction
    # Printed 29 mm wide with a 2-module border: modules must stay >= 0.5 mm to scan.
    assert 29 / (qr.symbol_size(scale=1, border=2)[0]) >= 0.5
    assert qr_data_uri(URL) in certificate_html(FACE)


def test_face_text_is_escaped() -> None:
    html = certificate_html(replace(FACE, holder_name='<img src="http://x/">张三'))
    assert "&lt;img" in html
    assert '<img src="http://x/">' not in html


def test_long_values_still_fit_on_one_page() -> None:
    face = replace(
        FACE,
        holder_name="阿卜杜热合曼·买买提艾力·克里木",
        id_type="外国人永久居留身份证",
        occupation_name="婴幼儿发展引导员",
        direction="婴幼儿早期发展指导与家庭养育支持方向（试点）",
        level_label="一级/高级技师",
        issuer_name="天津市宁河区芦台街道某某托育服务集团有限公司职业技能等级认定分中心（社会培训评价组织）",
        verification_url="https://zhengshu.renshe.ninghe.tianjin.gov.cn/verify/Y123412000001264000123?code=K7QF9M2XABCD",
    )
    pdf = render_certificate_pdf(face)
    assert _pages(pdf)[0] == 1
    assert "婴幼儿早期发展指导与家庭养育支持方向（试点）" in _text(pdf)


def test_pdf_a_variant() -> None:
    pdf = render_certificate_pdf(FACE, pdf_variant="pdf/a-3u")
    meta = _poppler("pdfinfo", pdf, "-meta")
    assert 'pdfaid:part="3"' in meta


def test_training_certificate(training_pdf: bytes) -> None:
    assert _pages(training_pdf) == (1, "595.276 x 841.89 pts (A4)")
    text = _text(training_pdf)
    for value in (
        "培训合格证明",
        "王芳",
        "居民身份证",
        "120221199001011234",
        "婴幼儿保育相关培训",
        "120学时",
        "宁河区芦台街托育人才培训学校",
        "2026年3月1日至2026年4月30日",
        "2026年5月8日",
        "PX2026000123",
        "M3TQ-8XZP",
        TRAINING.verification_url,
    ):
        assert value in text, value


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"holder_name": " "}, "holder_name"),
        ({"verification_url": ""}, "verification_url"),
        ({"photo": b"GIF89a..."}, "JPEG or PNG"),
    ],
)
def test_incomplete_face_is_refused(change: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        replace(FACE, **change)


def test_training_dates_must_be_in_order() -> None:
    with pytest.raises(ValueError):
        replace(TRAINING, ends_on=date(2026, 2, 1))


def test_cn_date() -> None:
    assert format_cn_date(date(2026, 1, 5)) == "2026年1月5日"


def test_fetcher_allows_only_data_and_template_files() -> None:
    fetcher = LocalOnlyFetcher((TEMPLATES_DIR,))
    for url in (
        "http://example.com/x.png",
        "https://example.com/x.css",
        "ftp://example.com/x",
        "file:///etc/passwd",
        f"file://{TEMPLATES_DIR}/../pyproject.toml",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    response = fetcher.fetch("data:text/plain;base64,5L2g5aW9")
    assert response.read() == "你好".encode()
    css = Path(TEMPLATES_DIR, "certification", "pdf", "certificate.css")
    assert fetcher.fetch(css.as_uri()).read().startswith(b"/*")


def test_generic_render_ignores_remote_and_local_resources() -> None:
    html = (
        '<html lang="zh-CN"><head><title>人员配备情况表</title>'
        '<link rel="stylesheet" href="file:///etc/passwd"></head><body><h1>人员配备情况表</h1>'
        '<img src="http://127.0.0.1:9/x.png"><img src="file:///etc/hostname"></body></html>'
    )
    pdf = render_html_to_pdf(html)
    assert "人员配备情况表" in _text(pdf)
    assert _poppler("pdfimages", pdf, "-list").splitlines()[2:] == []


def test_syscheck_reports_the_apt_command(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    assert syscheck.main([]) == 0  # this machine renders PDFs, so it has them all
    absent = syscheck.Requirement("libharfbuzz-subset0", "子集化", lambda: False)
    monkeypatch.setattr(syscheck, "REQUIREMENTS", (*syscheck.REQUIREMENTS[:2], absent))
    assert syscheck.main([]) == 1
    out = capsys.readouterr().out
    assert "apt-get install -y --no-install-recommends libharfbuzz-subset0" in out
