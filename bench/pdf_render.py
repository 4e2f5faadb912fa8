"""How fast does one process render certificate PDFs once warm?

    .venv/bin/python -m bench.pdf_render [-n 50] [--warmup 3] [--kind skill|training]
                                         [--name 吴𠀀镕] [--compare]

Prints wall-clock mean / p50 / p95 per certificate, CPU time per certificate and throughput
per process. Target: < 200 ms per skill certificate after warm-up (without
libharfbuzz-subset0 the same page takes seconds — run ``python -m core.syscheck`` first).
``--name`` prints another holder name, e.g. one outside Noto CJK that needs the fallback font
(within 1.2 × the figure without it).

``--compare`` times, interleaved in one run, the product's skill certificate (also with
WeasyPrint's own font embedding, as before core.pdf embedded CJK fonts compactly) against a bare
one-page WeasyPrint certificate (the same fields and fonts, Noto Serif CJK SC Bold and Noto Sans
CJK SC, and the same QR; no frame, photo or template), rendered by WeasyPrint as it comes (its
own font embedding; stylesheet and ``FontConfiguration`` reused, which is the best it does
unaided) and once more with the product's compact font embedding (``core.pdf``). Prints each
median, size and the ratios (target: product ≤ 1.1 × bare), then where the CPU time of each
goes (QR, template, HTML parse, style and layout, write_pdf and the font embedding inside it)
and what signing the credential costs on top (the worker does both per certificate).
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import time
from collections.abc import Callable
from datetime import date
from html import escape

from PIL import Image
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

import core.pdf
from certification.faces import CertificateFace, TrainingCertificateFace
from certification.pdf import (
    CERTIFICATE_CSS,
    certificate_html,
    format_cn_date,
    qr_data_uri,
    render_certificate_pdf,
    render_training_certificate_pdf,
)


def _photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (330, 440), (40, 60, 90)).save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def skill_face(serial: int, name: str = "欧阳明华") -> CertificateFace:
    number = f"S000112000001264{serial:06d}"
    return CertificateFace(
        holder_name=name,
        id_type="居民身份证",
        id_number="1201**********123X",
        occupation_name="保育师",
        direction=None,
        level_label="四级/中级工",
        certificate_number=number,
        issuer_name="天津市宁河区职业技能培训评价中心有限公司",
        issued_on=date(2026, 11, 29),
        verification_code="K7QF-9M2X",
        verification_url=f"https://zj.ninghe.gov.cn/v/{number}?c=K7QF9M2X",
        photo=_photo(),
        occupation_code="4-10-01-03",
    )


def training_face(serial: int, name: str = "王芳") -> TrainingCertificateFace:
    number = f"PX2026{serial:06d}"
    return TrainingCertificateFace(
        holder_name=name,
        id_type="居民身份证",
        id_number="1202**********1234",
        training_name="婴幼儿保育相关培训",
        class_hours=120,
        provider_name="宁河区芦台街托育人才培训学校",
        starts_on=date(2026, 3, 1),
        ends_on=date(2026, 4, 30),
        issued_on=date(2026, 5, 8),
        certificate_number=number,
        verification_code="M3TQ-8XZP",
        verification_url=f"https://zj.ninghe.gov.cn/v/{number}?c=M3TQ8XZP",
    )


BARE_CSS = """
@page { size: A4; margin: 20mm; }
body { font-family: "Noto Sans CJK SC", sans-serif; font-size: 11pt; }
h1 { font-family: "Noto Serif CJK SC", serif; font-weight: bold; font-size: 30pt;
     text-align: center; }
td { font-family: "Noto Serif CJK SC", serif; font-weight: bold; padding: 2mm 4mm; }
th { font-weight: normal; text-align: left; padding: 2mm 0; }
img { width: 29mm; height: 29mm; }
"""


def bare_html(face: CertificateFace) -> str:
    """The bare certificate: the face's fields in a table, a title, the QR and its text."""
    rows = [("姓名", face.holder_name), ("证件类型", face.id_type), ("证件号码", face.id_number),
            ("职业名称", face.occupation_name), ("工种/职业方向", face.direction_text),
            ("职业技能等级", face.level_label), ("证书编号", face.certificate_number),
            ("评价机构名称", face.issuer_name), ("发证日期", format_cn_date(face.issued_on))]
    cells = "".join(f"<tr><th>{label}</th><td>{escape(value)}</td></tr>" for label, value in rows)
    return (f'<html lang="zh-CN"><head><meta charset="utf-8"><title>{face.title}</title></head>'
            f"<body><h1>{face.title}</h1><table>{cells}</table>"
            f'<img src="{qr_data_uri(face.verification_url)}"><p>扫码核验真伪 核验码 '
            f"{face.verification_code}<br>{escape(face.verification_url)}</p></body></html>")


def _bare_renderer(name: str | None, compact: bool) -> Callable[[int], bytes]:
    """Plain WeasyPrint: ``HTML(...).write_pdf`` with a reused stylesheet and font config;
    ``compact`` wraps the call as ``core.pdf.render_html_to_pdf`` does (compact CJK fonts)."""
    config = FontConfiguration()
    css = CSS(string=BARE_CSS, font_config=config)
    named = {"name": name} if name else {}

    def render(serial: int) -> bytes:
        html = HTML(string=bare_html(skill_face(serial, **named)))
        with core.pdf.compact_fonts(compact):
            return html.write_pdf(stylesheets=[css], font_config=config)
    return render


def _renderer(kind: str, name: str | None) -> Callable[[int], bytes]:
    named = {"name": name} if name else {}
    if kind == "training":
        return lambda serial: render_training_certificate_pdf(training_face(serial, **named))
    return lambda serial: render_certificate_pdf(skill_face(serial, **named))


def _timed(render: Callable[[int], bytes], serial: int) -> tuple[float, float, int]:
    """Wall ms, this process's CPU ms (less swayed by other work on the machine), bytes."""
    started, cpu = time.perf_counter(), time.process_time()
    size = len(render(serial))
    return (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000, size


STOCK_PRODUCT = "product, WeasyPrint's font embedding"


def compare(n: int, warmup: int, name: str | None) -> None:
    """Product vs bare certificates, interleaved round by round so load hits all alike."""
    named = {"name": name} if name else {}
    renders = {"product": _renderer("skill", name),
               STOCK_PRODUCT: lambda serial: core.pdf.render_html_to_pdf(
                   certificate_html(skill_face(serial, **named)), stylesheets=(CERTIFICATE_CSS,),
                   compact=False),
               "bare (WeasyPrint as it comes)": _bare_renderer(name, compact=False),
               "bare + compact fonts": _bare_renderer(name, compact=True)}
    load_before = os.getloadavg()[0]
    for serial in range(warmup):
        for render in renders.values():
            render(serial)
    times: dict[str, list[float]] = {label: [] for label in renders}
    cpu: dict[str, list[float]] = {label: [] for label in renders}
    sizes: dict[str, int] = {}
    for serial in range(warmup, warmup + n):
        for label, render in renders.items():
            ms, cpu_ms, sizes[label] = _timed(render, serial)
            times[label].append(ms)
            cpu[label].append(cpu_ms)
    medians = {label: statistics.median(values) for label, values in times.items()}
    cpu_medians = {label: statistics.median(values) for label, values in cpu.items()}
    print(f"{n} rounds, interleaved; load average before: {load_before:.2f}"
          + (f"; name: {name}" if name else ""))
    for label, median in medians.items():
        print(f"  {label:38s} median {median:6.1f} ms  min {min(times[label]):6.1f} ms  "
              f"cpu median {cpu_medians[label]:6.1f} ms  {sizes[label] / 1024:6.1f} KiB")
    for kind, values in (("wall", medians), ("cpu", cpu_medians)):
        product = values["product"]
        print(f"  {kind}: product / bare (WeasyPrint as it comes) "
              f"{product / values['bare (WeasyPrint as it comes)']:.2f} ×, "
              f"/ bare + compact fonts {product / values['bare + compact fonts']:.2f} ×, "
              f"/ product with WeasyPrint's font embedding {product / values[STOCK_PRODUCT]:.2f} ×")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


def _unsigned_credential(serial: int, did: str) -> dict:
    """A skill certificate's unsigned credential as the worker signs it (a demo issuer)."""
    from certification.vc.credential import CertificateFacts, build_certificate_credential
    from core.settings import get_settings

    number = f"S000112000001264{serial:06d}"
    facts = CertificateFacts(
        number=number, holder_name="欧阳明华", id_number_hash="hmac-sha256:" + "ab" * 32,
        qualification_code="CHILDCARE_WORKER", occupation_name="保育师",
        occupation_code="4-10-01-03", direction=None, level=4, level_name="四级/中级工",
        kind="skill", assessment_body_name="天津市宁河区职业技能培训评价中心有限公司",
        issued_on=date(2026, 11, 29), expires_on=None)
    status = {"id": f"https://zj.ninghe.gov.cn/status/1#{serial}",
              "type": "BitstringStatusListEntry", "statusPurpose": "revocation",
              "statusListIndex": str(serial),
              "statusListCredential": "https://zj.ninghe.gov.cn/status/1"}
    return build_certificate_credential(facts, {"id": did, "name": "人社局"}, [status],
                                        f"urn:uuid:{serial:032d}", get_settings().context_url)


def _phases(face: CertificateFace, html_of: Callable[[CertificateFace], str],
            sheets: list, font_config: FontConfiguration) -> dict[str, float]:
    """CPU ms of each step of one render, as ``core.pdf.render_html_to_pdf`` takes them."""
    import weasyprint.pdf

    spent: dict[str, float] = {}
    stock = weasyprint.pdf.build_fonts_dictionary

    def fonts(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        started = time.process_time()
        try:
            return stock(*args, **kwargs)
        finally:
            spent["font embedding (subset, CFF)"] = (time.process_time() - started) * 1000

    def step(label: str, work: Callable[[], object]) -> object:
        started = time.process_time()
        result = work()
        spent[label] = (time.process_time() - started) * 1000
        return result

    step("QR code (segno SVG)", lambda: qr_data_uri(face.verification_url))
    html = step("template (Jinja, incl. QR)", lambda: html_of(face))
    document = step("HTML parse", lambda: HTML(
        string=html, base_url=core.pdf.TEMPLATES_DIR.as_uri() + "/",
        url_fetcher=core.pdf._FETCHER))
    rendered = step("style + layout", lambda: document.render(
        stylesheets=sheets, font_config=font_config))
    weasyprint.pdf.build_fonts_dictionary = fonts
    try:
        with core.pdf.compact_fonts(True):
            step("write_pdf (draw, fonts, serialise)", rendered.write_pdf)
    finally:
        weasyprint.pdf.build_fonts_dictionary = stock
    return spent


def breakdown(n: int, warmup: int, name: str | None) -> None:
    """Where the CPU time of one skill certificate goes, product vs bare (compact fonts both),
    and the worker's signing of its credential: CPU ms medians of ``n`` rounds."""
    from certification.signing import sign_credential
    from certification.vc.keys import did_key, generate_private_key, private_key_to_pem

    named = {"name": name} if name else {}
    key = generate_private_key()
    pem, did = private_key_to_pem(key).decode("ascii"), did_key(key.public_key())
    bare_config = FontConfiguration()
    bare_css = [CSS(string=BARE_CSS, font_config=bare_config)]
    product_css = [core.pdf.base_stylesheet(), core.pdf.stylesheet(CERTIFICATE_CSS)]
    kinds = {"product": (certificate_html, product_css, core.pdf.font_config()),
             "bare": (bare_html, bare_css, bare_config)}
    rows: dict[str, dict[str, list[float]]] = {kind: {} for kind in kinds}
    signing: list[float] = []
    for serial in range(warmup + n):
        face = skill_face(serial, **named)
        for kind, (html_of, sheets, config) in kinds.items():
            for label, ms in _phases(face, html_of, sheets, config).items():
                if serial >= warmup:
                    rows[kind].setdefault(label, []).append(ms)
        started = time.process_time()
        sign_credential(_unsigned_credential(serial, did), pem, did)
        if serial >= warmup:
            signing.append((time.process_time() - started) * 1000)
    print(f"where the CPU time goes (median ms of {n}; load average {os.getloadavg()[0]:.2f}):")
    print(f"  {'step':38s} {'product':>8s} {'bare':>8s}")
    for label in rows["product"]:
        product, bare = (statistics.median(rows[kind][label]) for kind in kinds)
        print(f"  {label:38s} {product:8.1f} {bare:8.1f}")
    print("  (font embedding is inside write_pdf; the QR code inside the template)")
    print(f"  {'signing the credential (RDFC + Ed25519)':38s} {statistics.median(signing):8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=50, help="certificates to time (default 50)")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--kind", choices=("skill", "training"), default="skill")
    parser.add_argument("--name", help="holder name printed (default: a common one)")
    parser.add_argument("--compare", action="store_true",
                        help="product vs bare WeasyPrint certificates, interleaved")
    args = parser.parse_args()
    if args.compare:
        compare(args.n, args.warmup, args.name)
        breakdown(args.n, args.warmup, args.name)
        return
    render = _renderer(args.kind, args.name)

    started = time.perf_counter()
    for serial in range(args.warmup):
        render(serial)
    warmup_ms = (time.perf_counter() - started) * 1000

    wall: list[float] = []
    cpu: list[float] = []
    sizes: list[int] = []
    for serial in range(args.warmup, args.warmup + args.n):
        wall_start, cpu_start = time.perf_counter(), time.process_time()
        sizes.append(len(render(serial)))
        cpu.append((time.process_time() - cpu_start) * 1000)
        wall.append((time.perf_counter() - wall_start) * 1000)

    mean = statistics.fmean(wall)
    p95 = statistics.quantiles(wall, n=20)[-1] if len(wall) >= 2 else wall[0]
    named = f"; name: {args.name}" if args.name else ""
    print(f"kind: {args.kind}{named}; warm-up: {args.warmup} renders in {warmup_ms:.0f} ms")
    print(f"timed: {args.n} certificates, {statistics.fmean(sizes) / 1024:.0f} KiB each on average")
    print(
        f"wall per certificate: mean {mean:.1f} ms, p50 {statistics.median(wall):.1f} ms, "
        f"p95 {p95:.1f} ms, min {min(wall):.1f} ms"
    )
    print(f"cpu per certificate:  mean {statistics.fmean(cpu):.1f} ms")
    print(f"throughput: {1000 / mean:.1f} certificates/s per process")


if __name__ == "__main__":
    main()
