"""Labour-rights pages: the operator's staff records, officers' findings, register, reminders."""

from __future__ import annotations

from collections import Counter
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from core.accounts.auth import actor_of, require_user, roles
from core.clock import today
from core.errors import DomainError, NotFound
from core.forms import FormReader
from core.pagination import clamp_page
from core.reporting.exports import Sheet, xlsx_response
from core.roles import Role
from core.web import FormData, PageNumber, errors_of, form_page, page, redirect_with
from employers.labour import staff
from employers.labour.forms import (
    FIELD_ALIASES,
    read_case,
    read_contract,
    read_insurance,
    read_minimum_wage,
    read_record,
    read_wage,
)
from employers.labour.labels import SEVERITIES
from employers.labour.records import (
    CaseKind,
    CaseStatus,
    ContractType,
    EmploymentForm,
    FindingCode,
    InsuranceKind,
    Severity,
)
from employers.labour.services import records
from employers.labour.services.access import CORRECTING_ROLES, facility_for, link_for
from employers.labour.services.files import labour_file
from employers.labour.services.findings import (
    FindingFilter,
    all_district_findings,
    district_findings,
    facility_findings,
)
from employers.labour.services.minimum_wage import add_rate, list_rates
from employers.labour.services.register import REGISTER_HEADERS, register_cells, register_rows
from employers.labour.services.reminders import (
    district_reminders,
    facilities_reminders,
    facility_reminders,
    person_reminders,
)
from employers.labour.tables import LabourCase, LabourContract, WageEntry

RECORD_ROLES = (Role.FACILITY_OPERATOR, Role.HRSS_OFFICER, Role.ADMIN)
OFFICERS = (Role.HRSS_OFFICER, Role.ADMIN)
FINDING_HEADERS = ("街镇", "托育机构", "从业人员", "问题类型", "严重程度", "说明", "起始日期",
                   "涉及金额（元）", "计算日期")
SEVERITY_LABELS = SEVERITIES  # the label table's labour_severity kind

CHOICES = {
    "forms": [(f.value, f.label) for f in EmploymentForm],
    "contract_types": [(t.value, t.label) for t in ContractType],
    "insurance_kinds": [(k.value, k.label) for k in InsuranceKind],
    "case_kinds": [(k.value, k.label) for k in CaseKind],
    "case_statuses": [(s.value, s.label) for s in CaseStatus],
    "finding_codes": [(c.value, c.label) for c in FindingCode],
    "severities": [(s.value, SEVERITY_LABELS[s.value]) for s in Severity],
}


def _yuan_cell(fen: int | None) -> float | None:
    return None if fen is None else fen / 100


def _read(data: dict[str, Any], read: Any, *args: Any, **kwargs: Any) -> Any:
    """Read a whole form with ``read`` (employers.labour.forms); FieldErrors with every field
    at fault, else the schema for the service."""
    reader = FormReader(data)
    value = read(reader, *args, **kwargs)
    reader.done()
    return value


def _service_errors(exc: DomainError, section: str = "") -> dict[str, str]:
    """The refused form's errors on the form's inputs: amounts typed in 元, and on the staff
    file (several forms on one page) the section's own reason and kind inputs."""
    errors: dict[str, str] = {}
    for name, message in errors_of(exc).items():
        field = FIELD_ALIASES.get(name, name)
        if section and (field == "reason" or (section == "insurance" and field == "kind")):
            field = f"{section}_{field}"
        errors.setdefault(field, message)
    return errors


def _filters(code: str | None, facility_id: str | None, street: str | None,
             severity: str | None) -> FindingFilter:
    """Query-string filters of the findings page; an empty select means "all"."""
    facility = (facility_id or "").strip()
    return FindingFilter(code=(code or "").strip(),
                         facility_id=int(facility) if facility.isdigit() else None,
                         street=(street or "").strip(), severity=(severity or "").strip())


async def _overview(request: Request, facility_id: int, others: list[int] | None = None
                    ) -> Template:
    actor = actor_of(request)
    facility = await facility_for(actor, facility_id)
    day = today()
    found = await facility_findings(facility.id, day)
    links = await staff.links_of_facility(facility.id)
    per_link = Counter(link.link_id for link, f in found if f.severity != Severity.INFO)
    tally = Counter(f.code.label for _, f in found)
    reminders = await facility_reminders(facility.id, day)
    return page(request, "labour/facility.html", page_title=f"{facility.name} 劳动保障",
                facility=facility, links=links, per_link=per_link, findings=found,
                tally=sorted(tally.items()), reminders=reminders, today=day,
                is_officer=actor.role in CORRECTING_ROLES,
                others=list((await staff.facilities_by_ids(others or [])).values()))


def _officer(request: Request) -> bool:
    return actor_of(request).role in CORRECTING_ROLES


class LabourPages(Controller):
    path = "/labour"
    include_in_schema = False
    guards = [roles(*RECORD_ROLES)]

    @get("/")
    async def index(self, request: Request) -> Template | Redirect:
        user = require_user(request)
        if user.role in CORRECTING_ROLES:
            return Redirect(path="/labour/findings")
        facilities = await staff.facilities_of_user(user.id)
        if not facilities:
            raise NotFound("账号未关联托育机构")
        return await _overview(request, facilities[0], others=facilities[1:])

    @get("/facilities/{facility_id:int}")
    async def facility(self, request: Request, facility_id: FromPath[int]) -> Template:
        return await _overview(request, facility_id)

    @get("/facilities/{facility_id:int}/findings.xlsx")
    async def facility_export(self, request: Request, facility_id: FromPath[int]) -> Response:
        facility = await facility_for(actor_of(request), facility_id)
        found = await facility_findings(facility.id, today())
        rows = [[facility.street, facility.name, link.name, f.code.label,
                 SEVERITY_LABELS[str(f.severity)], f.message, f.since, _yuan_cell(f.amount_fen),
                 today()] for link, f in found]
        return xlsx_response(f"{facility.name}-劳动保障问题.xlsx",
                             [Sheet("劳动保障问题", FINDING_HEADERS, rows)])

    @get("/facilities/{facility_id:int}/register")
    async def register(self, request: Request, facility_id: FromPath[int]) -> Template:
        facility = await facility_for(actor_of(request), facility_id)
        rows = await register_rows(facility.id, full=True)
        return page(request, "labour/register.html", page_title="职工名册", facility=facility,
                    rows=rows, headers=REGISTER_HEADERS)

    @get("/facilities/{facility_id:int}/register.xlsx")
    async def register_export(self, request: Request, facility_id: FromPath[int]) -> Response:
        facility = await facility_for(actor_of(request), facility_id)
        rows = [register_cells(r) for r in await register_rows(facility.id, full=True)]
        return xlsx_response(f"{facility.name}-职工名册.xlsx",
                             [Sheet("职工名册", REGISTER_HEADERS, rows)])

    @get("/findings", guards=[roles(*OFFICERS)])
    async def findings(self, request: Request, code: FromQuery[str | None] = None,
                       facility_id: FromQuery[str | None] = None,
                       street: FromQuery[str | None] = None,
                       severity: FromQuery[str | None] = None,
                       page_number: PageNumber = 1) -> Template:
        filters = _filters(code, facility_id, street, severity)
        number, per = clamp_page(page_number, 50)
        result, tally = await district_findings(filters, number, per, today())
        return page(request, "labour/findings.html", page_title="全区劳动保障问题",
                    result=result, tally=tally, filters=filters,
                    streets=await staff.streets(), facilities=await staff.facility_choices(),
                    choices=CHOICES, labels=dict(CHOICES["finding_codes"]),
                    severity_labels=SEVERITY_LABELS, export_query=urlencode({
                        "code": filters.code, "facility_id": filters.facility_id or "",
                        "street": filters.street, "severity": filters.severity}))

    @get("/findings.xlsx", guards=[roles(*OFFICERS)])
    async def findings_export(self, code: FromQuery[str | None] = None,
                              facility_id: FromQuery[str | None] = None,
                              street: FromQuery[str | None] = None,
                              severity: FromQuery[str | None] = None) -> Response:
        filters = _filters(code, facility_id, street, severity)
        items = await all_district_findings(filters, today())
        rows = [[r.street, r.facility_name, r.staff_name, r.label,
                 SEVERITY_LABELS.get(r.severity, r.severity), r.message, r.since,
                 _yuan_cell(r.amount_fen), r.computed_on]
                for r in items]
        return xlsx_response("全区劳动保障问题.xlsx",
                             [Sheet("劳动保障问题", FINDING_HEADERS, rows)])

    async def _file_page(self, request: Request, link_id: int, status_code: int = 200,
                         form: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
                         section: str = "") -> Template:
        actor = actor_of(request)
        link = await link_for(actor, link_id)
        file = await labour_file(link, today(), full=True)
        context = dict(page_title=f"{link.name} 劳动保障档案", file=file, link=link,
                       choices=CHOICES, is_officer=actor.role in CORRECTING_ROLES,
                       section=section)
        if errors:
            return form_page(request, "labour/file.html", form or {}, errors, **context)
        return page(request, "labour/file.html", status_code=status_code, **context)

    @get("/staff/{link_id:int}")
    async def file(self, request: Request, link_id: FromPath[int]) -> Template:
        return await self._file_page(request, link_id)

    async def _submit(self, request: Request, link_id: int, form: dict[str, Any], section: str,
                      action: Any, message: str) -> Template | Redirect:
        await link_for(actor_of(request), link_id)  # 404 before anything else
        try:
            await action()
        except DomainError as exc:
            return await self._file_page(request, link_id, form=form,
                                         errors=_service_errors(exc, section), section=section)
        return redirect_with(request, f"/labour/staff/{link_id}#{section}", message)

    @post("/staff/{link_id:int}/record")
    async def post_record(self, request: Request, link_id: FromPath[int],
                          data: FormData) -> Template | Redirect:
        async def act() -> None:
            await records.save_record(actor_of(request), link_id,
                                      _read(data, read_record, "record_reason"))
        return await self._submit(request, link_id, data, "record", act, "已保存用工信息")

    @post("/staff/{link_id:int}/contracts")
    async def post_contract(self, request: Request, link_id: FromPath[int],
                            data: FormData) -> Template | Redirect:
        async def act() -> None:
            await records.add_contract(actor_of(request), link_id, _read(
                data, read_contract, "contracts_reason", officer=_officer(request)))
        return await self._submit(request, link_id, data, "contracts", act, "已登记劳动合同")

    @post("/staff/{link_id:int}/insurance")
    async def post_insurance(self, request: Request, link_id: FromPath[int],
                             data: FormData) -> Template | Redirect:
        async def act() -> None:
            await records.set_insurance(actor_of(request), link_id, _read(
                data, read_insurance, "insurance_reason", officer=_officer(request)))
        return await self._submit(request, link_id, data, "insurance", act, "已登记社会保险")

    @post("/staff/{link_id:int}/wages")
    async def post_wage(self, request: Request, link_id: FromPath[int],
                        data: FormData) -> Template | Redirect:
        async def act() -> None:
            await records.add_wage(actor_of(request), link_id, _read(
                data, read_wage, "wages_reason", officer=_officer(request)))
        return await self._submit(request, link_id, data, "wages", act, "已登记工资")

    @post("/staff/{link_id:int}/cases")
    async def post_case(self, request: Request, link_id: FromPath[int],
                        data: FormData) -> Template | Redirect:
        async def act() -> None:
            await records.add_case(actor_of(request), link_id, _read(
                data, read_case, "cases_reason", officer=_officer(request)))
        return await self._submit(request, link_id, data, "cases", act, "已登记案件")

    @get("/{kind:str}/{row_id:int}/edit")
    async def edit(self, request: Request, kind: FromPath[str], row_id: FromPath[int]) -> Template:
        row, link_id = await _editable(request, kind, row_id)
        return page(request, "labour/edit.html", page_title="更正记录", kind=kind, row=row,
                    form=_form_of(kind, row), link_id=link_id, choices=CHOICES,
                    is_officer=actor_of(request).role in CORRECTING_ROLES)

    @post("/{kind:str}/{row_id:int}/edit")
    async def save_edit(self, request: Request, kind: FromPath[str], row_id: FromPath[int],
                        data: FormData) -> Template | Redirect:
        row, link_id = await _editable(request, kind, row_id)
        actor = actor_of(request)
        officer = actor.role in CORRECTING_ROLES
        try:
            if kind == "contracts":
                await records.update_contract(actor, row_id,
                                              _read(data, read_contract, officer=officer))
            elif kind == "wages":
                await records.update_wage(actor, row_id, _read(data, read_wage, officer=officer))
            else:
                await records.update_case(actor, row_id, _read(data, read_case, officer=officer))
        except DomainError as exc:
            return form_page(request, "labour/edit.html", data, _service_errors(exc), kind=kind,
                             row=row, link_id=link_id, choices=CHOICES,
                             is_officer=actor.role in CORRECTING_ROLES)
        return redirect_with(request, f"/labour/staff/{link_id}#{kind}", "已保存更正")

    @get("/reminders")
    async def reminders(self, request: Request) -> Template:
        """An operator: the reminders of their facilities' staff. The 人社局 (and admin): the
        same items of every facility in the district, each naming its facility."""
        user = require_user(request)
        if user.role in OFFICERS:
            return page(request, "labour/reminders.html", page_title="全区到期提醒",
                        reminders=await district_reminders(today()), heading="全区到期提醒",
                        district=True)
        facilities = await staff.facilities_of_user(user.id)
        return page(request, "labour/reminders.html", page_title="到期提醒",
                    reminders=await facilities_reminders(facilities, today()),
                    heading="到期提醒", district=False)


EDIT_TABLES = {"contracts": LabourContract, "wages": WageEntry, "cases": LabourCase}


async def _editable(request: Request, kind: str, row_id: int) -> tuple[dict[str, Any], int]:
    table = EDIT_TABLES.get(kind)
    if table is None:
        raise NotFound()
    row = await table.select().where(table.id == row_id).first()
    if row is None:
        raise NotFound()
    await link_for(actor_of(request), row["staff_link"])
    return row, row["staff_link"]


def _form_of(kind: str, row: dict[str, Any]) -> dict[str, Any]:
    form = {k: ("" if v is None else v) for k, v in row.items()}
    if kind == "wages":
        form["gross"] = f"{row['gross_fen'] / 100:.2f}"
        form["countable"] = f"{row['countable_fen'] / 100:.2f}"
        form["hours"] = "" if row["hours_centi"] is None else f"{row['hours_centi'] / 100:.2f}"
    return form


class TraineeReminders(Controller):
    include_in_schema = False

    @get("/me/reminders", guards=[roles(Role.TRAINEE)])
    async def mine(self, request: Request) -> Template:
        user = require_user(request)
        if user.person_id is None:
            raise NotFound("账号未关联人员信息")
        reminders = await person_reminders(user.person_id, user.display_name, today())
        return page(request, "labour/reminders.html", page_title="我的到期提醒",
                    reminders=reminders, heading="我的到期提醒", own=True)




class MinimumWagePages(Controller):
    path = "/labour/minimum-wage"
    include_in_schema = False
    guards = [roles(*RECORD_ROLES)]

    @get("/")
    async def show(self, request: Request) -> Template:
        return page(request, "labour/minimum_wage.html", page_title="最低工资标准",
                    rates=await list_rates(),
                    can_edit=actor_of(request).role in CORRECTING_ROLES)

    @post("/", guards=[roles(*OFFICERS)])
    async def save(self, request: Request, data: FormData) -> Template | Redirect:
        try:
            await add_rate(actor_of(request), _read(data, read_minimum_wage))
        except DomainError as exc:
            return form_page(request, "labour/minimum_wage.html", data, _service_errors(exc),
                             rates=await list_rates(), can_edit=True)
        return redirect_with(request, "/labour/minimum-wage",
                             "已保存最低工资标准，全区问题已重新计算")
