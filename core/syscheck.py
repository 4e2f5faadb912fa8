"""Are the system libraries and fonts that PDF rendering needs installed?

    python -m core.syscheck            # runtime needs; exit 1 and print apt-get if any is missing
    python -m core.syscheck --tests    # also the tools the test-suite uses (poppler-utils)

Why each matters: WeasyPrint needs Pango; without
HarfBuzz's subset library it falls back to fontTools and a one-page Chinese certificate takes
seconds instead of ~0.1 s; without a CJK font, Chinese prints as empty boxes.
"""

from __future__ import annotations

import ctypes.util
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

# Font families the certificate and filing templates name explicitly.
REQUIRED_FONT_FAMILIES = ("Noto Serif CJK SC", "Noto Sans CJK SC")


def _has_library(name: str) -> Callable[[], bool]:
    return lambda: ctypes.util.find_library(name) is not None


def _fc_list(pattern: str) -> str:
    if shutil.which("fc-list") is None:
        return ""
    result = subprocess.run(
        ["fc-list", pattern, "family"], capture_output=True, text=True, timeout=20, check=False
    )
    return result.stdout if result.returncode == 0 else ""


def _has_cjk_fonts() -> bool:
    families = _fc_list(":lang=zh")
    return bool(families.strip()) and all(name in families for name in REQUIRED_FONT_FAMILIES)


def _has_program(name: str) -> Callable[[], bool]:
    return lambda: shutil.which(name) is not None


@dataclass(frozen=True)
class Requirement:
    package: str  # Debian package providing it
    purpose: str
    present: Callable[[], bool]
    for_tests_only: bool = False


REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement("libpango-1.0-0", "Pango 文字排版（WeasyPrint）", _has_library("pango-1.0")),
    Requirement(
        "libpangoft2-1.0-0", "Pango FreeType 后端（WeasyPrint）", _has_library("pangoft2-1.0")
    ),
    Requirement(
        "libharfbuzz-subset0",
        "HarfBuzz 字体子集化（缺少时每张证书需数秒）",
        _has_library("harfbuzz-subset"),
    ),
    Requirement("fonts-noto-cjk", "思源/Noto 中文字体（Serif 与 Sans CJK SC）", _has_cjk_fonts),
    Requirement(
        "fonts-hanazono",
        "花园明朝 HanaMin A/B（Noto 未收录的生僻字，如扩展B区 𠀀；缺少时这些姓名无法打印）",
        lambda: all(name in _fc_list(":family=" + name) for name in ("HanaMinA", "HanaMinB")),
    ),
    Requirement(
        "poppler-utils",
        "pdftotext / pdftoppm（测试读取 PDF 文本）",
        _has_program("pdftotext"),
        True,
    ),
)


def missing(*, include_tests: bool = False) -> list[Requirement]:
    """The requirements that are not satisfied on this machine."""
    return [
        requirement
        for requirement in REQUIREMENTS
        if (include_tests or not requirement.for_tests_only) and not requirement.present()
    ]


def install_command(requirements: Sequence[Requirement]) -> str:
    packages = " ".join(requirement.package for requirement in requirements)
    return f"apt-get install -y --no-install-recommends {packages}"


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    include_tests = "--tests" in args
    absent = missing(include_tests=include_tests)
    checked = [r for r in REQUIREMENTS if include_tests or not r.for_tests_only]
    for requirement in checked:
        mark = "缺少" if requirement in absent else "正常"
        print(f"[{mark}] {requirement.package}: {requirement.purpose}")
    if absent:
        print("\n请安装缺少的系统软件包：")
        print(f"  {install_command(absent)}")
        return 1
    print("\nPDF 渲染所需的系统依赖均已安装。")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
