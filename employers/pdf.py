"""PDFs of the filing: 托育机构人员配备情况表 and the 备案回执 (templates/employers/pdf/)."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from core.fonts import check_printable
from core.labels import label
from core.levels import level_label
from core.pdf import TEMPLATES_DIR, render_html_to_pdf
from employers.compliance.snapshot import display_names, display_report
from employers.facilities import CLASS_TYPES, EMPLOYMENT, POSITIONS, SERVICE_TYPES

_env = Environment(loader=FileSystemLoader(TEMPLATES_DIR), autoescape=select_autoescape(["html"]),
                   undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
_env.globals["label"] = label  # the one label table (core.labels), as on the pages
_env.filters["level_label"] = level_label  # the one wording of a level (core.levels)
LABELS = {"class_types": CLASS_TYPES, "positions": POSITIONS, "employment": EMPLOYMENT,
          "service_types": SERVICE_TYPES}


def _facility_fields(facility: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [("机构名称", facility.get("name")), ("地址", facility.get("address")),
            ("所在街镇", facility.get("street")), ("统一社会信用代码", facility.get("uscc"))]


def staffing_form_pdf(facility: dict[str, Any], snapshot: dict[str, Any], report: dict[str, Any],
                      explanation: str, submitted_at: str) -> bytes:
    """The staffing form; staff are named as people read them (display_names: no internal ids,
    namesakes told apart by position) in the tables and in the rules' messages. Raises
    ``core.fonts.UnprintableCharacter`` (a ValidationError naming the field and the character)
    if a printed value holds a character no font covers."""
    check_printable([
        *_facility_fields(facility), ("书面说明", explanation),
        *(("人员姓名", staff.get("name")) for staff in snapshot.get("staff", [])),
        *(("班级", str(room.get("code") or "")) for room in snapshot.get("classes", [])),
    ])
    return render_html_to_pdf(staffing_form_html(facility, snapshot, report, explanation,
                                                 submitted_at))


def staffing_form_html(facility: dict[str, Any], snapshot: dict[str, Any],
                       report: dict[str, Any], explanation: str, submitted_at: str) -> str:
    """The staffing form's HTML, as staffing_form_pdf prints it."""
    return _env.get_template("employers/pdf/staffing_form.html").render(
        facility=facility, snapshot=snapshot, report=display_report(report, snapshot),
        names=display_names(snapshot.get("staff", [])), explanation=explanation,
        submitted_at=submitted_at, labels=LABELS)


def receipt_pdf(facility: dict[str, Any], filing: dict[str, Any]) -> bytes:
    """The 备案回执; refuses unprintable characters like ``staffing_form_pdf``."""
    check_printable(_facility_fields(facility))
    html = _env.get_template("employers/pdf/receipt.html").render(facility=facility, filing=filing,
                                                                  labels=LABELS)
    return render_html_to_pdf(html)
