"""How fast does one process render certificate PDFs once warm?

    .venv/bin/python -m bench.pdf_render [-n 50] [--warmup 3] [--kind skill|training]
                                         [--name 吴𠀀镕]

Prints wall-clock mean / p50 / p95 per certificate, CPU time per certificate and throughput
per process. Target: < 200 ms per skill certificate after warm-up (stack-notes: without
libharfbuzz-subset0 the same page takes seconds — run ``python -m core.syscheck`` first).
``--name`` prints another holder name, e.g. one outside Noto CJK that needs the fallback font
(issue 10: within 1.2 × the figure without it).
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from collections.abc import Callable
from datetime import date

from PIL import Image

from certification.faces import CertificateFace, TrainingCertificateFace
from certification.pdf import render_certificate_pdf, render_training_certificate_pdf


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


def _renderer(kind: str, name: str | None) -> Callable[[int], bytes]:
    named = {"name": name} if name else {}
    if kind == "training":
        return lambda serial: render_training_certificate_pdf(training_face(serial, **named))
    return lambda serial: render_certificate_pdf(skill_face(serial, **named))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=50, help="certificates to time (default 50)")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--kind", choices=("skill", "training"), default="skill")
    parser.add_argument("--name", help="holder name printed (default: a common one)")
    args = parser.parse_args()
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
