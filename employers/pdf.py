"""PDFs of the filing: 托育机构人员配备情况表 and the 备案回执 (templates/employers/pdf/)."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from core.pdf import TEMPLATES_DIR, render_html_to_pdf
from employers.facilities import CLASS_TYPES, EMPLOYMENT, POSITIONS, SERVICE_TYPES

_env = Environment(loader=FileSystemLoader(TEMPLATES_DIR), autoescape=select_autoescape(["html"]),
                   undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
LABELS = {"class_types": CLASS_TYPES, "positions": POSITIONS, "employment": EMPLOYMENT,
          "service_types": SERVICE_TYPES}


def staffing_form_pdf(facility: dict[str, Any], snapshot: dict[str, Any], report: dict[str, Any],
                      explanation: str, submitted_at: str) -> bytes:
    html = _env.get_template("employers/pdf/staffing_form.html").render(
        facility=facility, snapshot=snapshot, report=report, explanation=explanation,
        submitted_at=submitted_at, labels=LABELS)
    return render_html_to_pdf(html)


def receipt_pdf(facility: dict[str, Any], filing: dict[str, Any]) -> bytes:
    html = _env.get_template("employers/pdf/receipt.html").render(facility=facility, filing=filing,
                                                                  labels=LABELS)
    return render_html_to_pdf(html)
