"""Operator (and officer) pages: facility list, registration, the facility page with its live
report, what-if, forecast, classes, staff, checks and filing."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, MultipartBody
from litestar.response import Redirect, Stream, Template

from core import files
from core.accounts.auth import actor_of, roles
from core.confirm import ask, confirmed
from core.errors import DomainError, NotFound
from core.forms import FormReader
from core.identity import mask_id_number
from core.people import EDUCATION_LABELS
from core.reporting.exports import XLSX_MEDIA_TYPE, attachment
from core.roles import Role
from core.web import FormData, PageNumber, errors_of, form_page, page, redirect_with
from employers import whatif
from employers.compliance.engine import evaluate_dict
from employers.compliance.snapshot import display_names, display_report
from employers.controllers.common import (
    LABELS,
    form_of,
    many,
    read_class,
    read_facility,
    read_person,
    read_terms,
    upload_of,
)
from employers.facilities import LinkStatus, document_kinds
from employers.services import checks, classes, consents, facilities, filings, staff
from employers.services.access import OFFICER_ROLES, facility_for, may_act
from employers.services.snapshots import build_snapshot
from employers.services.staff import CheckInput
from employers.tables import Filing

BASE = "/employers/facilities"
SEE = (Role.FACILITY_OPERATOR, *OFFICER_ROLES)


def end_question(name: str, facility: str) -> str:
    """What ending the staff link of ``name`` at ``facility`` will do (core.confirm)."""
    return (f"为 {name} 办理离职（{facility}）？离职后该机构对其证书记录的查询权限随即终止，"
            "其岗位不再计入人员配备核查，不能撤回。确定办理离职吗？")


async def facility_context(request: Request, facility_id: int,
                           what_if: dict | None = None) -> dict[str, Any]:
    actor = actor_of(request)
    facility = await facility_for(facility_id, actor)
    snapshot = await build_snapshot(facility_id)
    report = display_report(evaluate_dict(snapshot), snapshot)
    names = display_names(snapshot["staff"])
    names.update({c["code"]: c["code"] for c in snapshot["classes"]})
    people = await staff.staff_of(facility_id, include_ended=True)
    return {
        "page_title": facility.name, "facility": facility, "report": report, "names": names,
        "classes": await classes.classes_of(facility_id), "people": people,
        "end_questions": {p.id: end_question(p.name, facility.name) for p in people},
        "forecast": whatif.coming_breaks(snapshot), "filings": await filings.history(facility_id),
        "can_act": await may_act(facility_id, actor), "labels": LABELS,
        "education": EDUCATION_LABELS, "documents": document_kinds(),
        "what_if": display_report(what_if, snapshot) if what_if else what_if,
        "snapshot": snapshot, "returned": await filings.returned_filing(facility_id),
    }


class FacilityPages(Controller):
    path = BASE
    include_in_schema = False
    guards = [roles(*SEE)]

    @get("/")
    async def index(self, request: Request, q: FromQuery[str] = "",
                    filing_status: FromQuery[str] = "", page_number: PageNumber = 1) -> Template:
        result = await facilities.search(actor_of(request), q.strip()[:50], filing_status,
                                         page_number)
        return page(request, "employers/facilities.html", page_title="托育机构", result=result,
                    filters={"q": q, "filing_status": filing_status}, labels=LABELS)

    @get("/new", guards=[roles(Role.FACILITY_OPERATOR)])
    async def new(self, request: Request) -> Template:
        return page(request, "employers/facility_form.html", page_title="登记托育机构",
                    labels=LABELS, selected=[])

    @post("/new", guards=[roles(Role.FACILITY_OPERATOR)])
    async def create(self, request: Request, data: FormData) -> Template | Redirect:
        form = form_of(data)
        try:
            reader = FormReader(data)
            facility = read_facility(reader, data)
            reader.done()
            row = await facilities.register_facility(facility, actor_of(request))
        except DomainError as error:
            return form_page(request, "employers/facility_form.html", form,
                             errors_of(error), page_title="登记托育机构",
                             labels=LABELS, selected=many(data, "service_types"))
        return redirect_with(request, f"{BASE}/{row.id}", "机构已登记")

    @get("/export.xlsx", guards=[roles(*OFFICER_ROLES)])
    async def export(self, request: Request, q: FromQuery[str] = "",
                     filing_status: FromQuery[str] = "") -> Response[bytes]:
        """Officers: the facility list with compliance and filing status as XLSX."""
        from employers.exports import facilities_xlsx

        result = await facilities.search(actor_of(request), q.strip()[:50], filing_status, 1,
                                         100_000)
        return attachment(facilities_xlsx(result.items), "facilities.xlsx", XLSX_MEDIA_TYPE)

    @get("/{facility_id:int}/edit", guards=[roles(Role.FACILITY_OPERATOR)])
    async def edit(self, request: Request, facility_id: FromPath[int]) -> Template:
        row = await facility_for(facility_id, actor_of(request), act=True)
        form = {k: getattr(row, k) for k in ("name", "uscc", "registering_authority",
                                             "address", "street", "capacity")}
        form["for_profit"] = "1" if row.for_profit else ""
        form["is_kindergarten_with_toddler_class"] = (
            "1" if row.is_kindergarten_with_toddler_class else "")
        return page(request, "employers/facility_form.html", page_title="修改机构信息",
                    labels=LABELS, selected=list(row.service_types), form=form,
                    action=f"{BASE}/{facility_id}/edit")

    @post("/{facility_id:int}/edit", guards=[roles(Role.FACILITY_OPERATOR)])
    async def update(self, request: Request, facility_id: FromPath[int],
                     data: FormData) -> Template | Redirect:
        form = form_of(data)
        try:
            reader = FormReader(data)
            facility = read_facility(reader, data)
            reader.done()
            await facilities.update_facility(facility_id, facility, actor_of(request))
        except DomainError as error:
            return form_page(request, "employers/facility_form.html", form,
                             errors_of(error), page_title="修改机构信息",
                             labels=LABELS, selected=many(data, "service_types"),
                             action=f"{BASE}/{facility_id}/edit")
        return redirect_with(request, f"{BASE}/{facility_id}", "机构信息已保存")

    @get("/{facility_id:int}")
    async def show(self, request: Request, facility_id: FromPath[int]) -> Template:
        return page(request, "employers/facility.html",
                    **await facility_context(request, facility_id))

    async def _again(self, request: Request, facility_id: int, form: dict,
                     error: DomainError, **extra: Any) -> Template:
        context = await facility_context(request, facility_id, **extra)
        return form_page(request, "employers/facility.html", form, errors_of(error), **context)

    @post("/{facility_id:int}/what-if")
    async def what_if(self, request: Request, facility_id: FromPath[int],
                      data: FormData) -> Template:
        form = form_of(data)
        await facility_for(facility_id, actor_of(request))
        snapshot = await build_snapshot(facility_id)
        reader = FormReader(data)
        children = {}
        for group in snapshot["classes"]:
            value = reader.int(f"children_{group['code']}", f"{group['code']} 班人数",
                               required=False, minimum=0, maximum=1000)
            if value is not None:
                children[group["code"]] = value
        moves = {}
        if form.get("move_staff"):
            moves[form["move_staff"]] = form.get("move_to") or None
        try:
            reader.done()
            result = whatif.what_if(snapshot, children, moves)
        except DomainError as error:
            return await self._again(request, facility_id, form, error)
        return page(request, "employers/facility.html", form=form,
                    **await facility_context(request, facility_id, what_if=result))

    @post("/{facility_id:int}/classes")
    async def add_class(self, request: Request, facility_id: FromPath[int],
                        data: FormData) -> Template | Redirect:
        form = form_of(data)
        try:
            reader = FormReader(data)
            group = read_class(reader, data)
            reader.done()
            await classes.create_class(facility_id, group, actor_of(request))
        except DomainError as error:
            return await self._again(request, facility_id, form, error)
        return redirect_with(request, f"{BASE}/{facility_id}#classes", "班级已添加")

    @post("/{facility_id:int}/classes/{class_id:int}")
    async def edit_class(self, request: Request, facility_id: FromPath[int],
                         class_id: FromPath[int], data: FormData) -> Template | Redirect:
        form = form_of(data)
        try:
            reader = FormReader(data)
            link_id = (reader.int("staff_link_id", "从业人员", minimum=1)
                       if form.get("action") in ("assign", "unassign") else None)
            group = (read_class(reader, data)
                     if form.get("action") not in ("close", "assign", "unassign") else None)
            reader.done()
            if form.get("action") == "close":
                await classes.close_class(class_id, actor_of(request))
            elif form.get("action") == "assign":
                await classes.assign(class_id, link_id,  # type: ignore[arg-type]
                                     actor_of(request))
            elif form.get("action") == "unassign":
                await classes.unassign(class_id, link_id,  # type: ignore[arg-type]
                                       actor_of(request))
            else:
                await classes.update_class(class_id, group,  # type: ignore[arg-type]
                                           actor_of(request))
        except DomainError as error:  # the class's row shows its errors (class_id)
            return await self._again(request, facility_id, {**form, "class_id": str(class_id)},
                                     error)
        return redirect_with(request, f"{BASE}/{facility_id}#classes", "班级已更新")

    @post("/{facility_id:int}/staff")
    async def add_staff(self, request: Request, facility_id: FromPath[int],
                        data: FormData) -> Template | Redirect:
        form = form_of(data)
        try:
            reader = FormReader(data)
            person = read_person(reader, data)
            terms = read_terms(reader, data)
            reader.done()
            await staff.link_person(facility_id, person, terms,  # type: ignore[arg-type]
                                    actor_of(request))
        except DomainError as error:
            return await self._again(request, facility_id, form, error)
        return redirect_with(request, f"{BASE}/{facility_id}#staff",
                             "人员已关联，待本人在线同意或上传签字同意书后生效")

    @post("/{facility_id:int}/staff/{link_id:int}")
    async def staff_action(self, request: Request, facility_id: FromPath[int],
                           link_id: FromPath[int],
                           data: MultipartBody[dict[str, Any]]) -> Template | Redirect:
        form = form_of(data)
        actor = actor_of(request)
        try:
            link = await staff.link_for(link_id, actor)
            if link.facility != facility_id:
                raise NotFound("未找到该人员关联")
            action = form.get("action")
            reader = FormReader(data)
            day = terms = None
            if action == "end":
                day = reader.date("ended_on", "离职日期", required=True)
                reader.text("end_reason", "离职原因", max_length=200)
            elif action == "check":
                code = form.get("code", "")
                if code not in staff.CHECK_CODES:
                    reader.fail("code", "请选择健康检查或背景审查")
                elif form.get("outcome", "") not in staff.CHECK_CODES[code]:
                    reader.fail("outcome", "请选择检查结论")
                day = reader.date("checked_on", "检查日期", required=True)
                reader.text("issuer_name", "检查机构", required=True, max_length=100)
            elif action not in ("consent", "consent_request"):
                terms = read_terms(reader, data)
            reader.done()
            if action == "end" and link.status != LinkStatus.ENDED and not confirmed(form):
                person = await staff.person_of(link)
                facility = await facility_for(facility_id, actor)
                return ask(request, question=end_question(person.name, facility.name),
                           action=f"{BASE}/{facility_id}/staff/{link_id}", form=form,
                           label="确认办理离职", back=f"{BASE}/{facility_id}#staff",
                           title="办理离职", multipart=True,
                           details=[("离职日期", form.get("ended_on", "")),
                                    ("原因", form.get("end_reason", ""))])
            if action == "end":
                await staff.end_link(link_id, day,  # type: ignore[arg-type]
                                     form.get("end_reason", ""), actor)
                message = "已办理离职，查询权限随之终止"
            elif action == "consent":
                content, name = await upload_of(data, "consent_form")
                await staff.upload_consent(link_id, content, name, actor)
                message = "已上传签字同意书，关联生效"
            elif action == "consent_request":
                await consents.request_again(link_id, actor)
                message = "已重新请求本人同意，本人同意前无权查看其证书记录"
            elif action == "check":
                content, name = await upload_of(data, "scan")
                await staff.record_check(link_id, CheckInput(
                    form.get("code", ""), form.get("outcome", ""),
                    day, form.get("issuer_name", ""),  # type: ignore[arg-type]
                    form.get("number", "")), content, name, actor)
                message = "检查结果已记录"
            else:
                await staff.update_terms(link_id, terms, actor)  # type: ignore[arg-type]
                message = "已保存"
        except DomainError as error:  # the row's fields show their errors (link_id)
            return await self._again(request, facility_id, {**form, "link_id": str(link_id)},
                                     error)
        return redirect_with(request, f"{BASE}/{facility_id}#staff", message)

    @get("/{facility_id:int}/staff/{link_id:int}")
    async def person(self, request: Request, facility_id: FromPath[int],
                     link_id: FromPath[int], reason: FromQuery[str] = "") -> Template:
        """A linked person's credentials (consent and active link, or an officer); logged."""
        actor = actor_of(request)
        link = await staff.link_for(link_id, actor)
        if link.facility != facility_id:
            raise NotFound("未找到该人员关联")
        person = await staff.person_of(link)
        credentials = None
        if link.status == LinkStatus.ACTIVE or actor.role in OFFICER_ROLES:
            await checks.log_view(actor, person.id, facility_id, reason or "查看在职人员资质",
                                  checks.CheckBasis.OFFICER if actor.role in OFFICER_ROLES
                                  else checks.CheckBasis.CONSENT,
                                  "staff")
            credentials = await checks.full_view(person.id)
        return page(request, "employers/person.html", page_title=person.name, link=link,
                    person=person, credentials=credentials, facility_id=facility_id,
                    id_masked=mask_id_number(person.id_number), labels=LABELS,
                    consents=await consents.history_of_link(link.id),
                    withdrawn_via=consents.WITHDRAWN_VIA, form={}, errors={},
                    may_withdraw=actor.role in consents.WITHDRAWING_OFFICERS)

    @post("/{facility_id:int}/staff/{link_id:int}/officer-withdrawal",
          guards=[roles(*consents.WITHDRAWING_OFFICERS)])
    async def officer_withdrawal(self, request: Request, facility_id: FromPath[int],
                                 link_id: FromPath[int], data: MultipartBody[dict[str, Any]]
                                 ) -> Template | Redirect:
        """人社局: withdraw a (paper) consent on the person's written request (reference, scan)."""
        form = form_of(data)
        actor = actor_of(request)
        link = await staff.link_for(link_id, actor)
        if link.facility != facility_id:
            raise NotFound("未找到该人员关联")
        content, name = await upload_of(data, "scan")
        try:
            await consents.withdraw_on_written_request(
                link_id, form.get("reference", ""), content, name, actor)
        except DomainError as error:
            person = await staff.person_of(link)
            return form_page(request, "employers/person.html", form,
                             errors_of(error), page_title=person.name,
                             link=link, person=person, credentials=None,
                             facility_id=facility_id, labels=LABELS,
                             id_masked=mask_id_number(person.id_number),
                             consents=await consents.history_of_link(link.id),
                             withdrawn_via=consents.WITHDRAWN_VIA, may_withdraw=True)
        return redirect_with(request, f"{BASE}/{facility_id}/staff/{link_id}",
                             "已依本人书面申请撤回授权，机构即时失去查看权限")

    @post("/{facility_id:int}/filings", guards=[roles(Role.FACILITY_OPERATOR)])
    async def submit(self, request: Request, facility_id: FromPath[int],
                     data: MultipartBody[dict[str, Any]]) -> Template | Redirect:
        from employers.controllers.api import filing_uploads

        form = form_of(data)
        uploads, explanation = await filing_uploads(data)
        # a resubmission keeps the returned filing's documents unless replaced or left out
        drop = [kind for kind in document_kinds() if form.get(f"drop_{kind}")]
        try:
            row = await filings.submit(facility_id, uploads, explanation, actor_of(request),
                                       drop)
        except DomainError as error:
            return await self._again(request, facility_id, form, error)
        return redirect_with(request, f"{BASE}/{facility_id}#filings",
                             f"备案已提交，应于 {row.filing_due_on} 前办结")


class FilingFiles(Controller):
    """The filing's PDFs and documents, for the facility's operators and officers."""

    path = "/employers/filings/{filing_id:int}/files"
    include_in_schema = False
    guards = [roles(*SEE)]

    @get("/{file_id:int}")
    async def download(self, request: Request, filing_id: FromPath[int],
                       file_id: FromPath[int]) -> Stream:
        """Streamed piece by piece from the file storage (core.files.open_file)."""
        row: Filing = await filings.filing_for(filing_id, actor_of(request))
        allowed = {e["file_id"] for entries in row.documents.values() for e in entries}
        allowed |= {row.pdf_file, row.receipt_file}
        if file_id not in allowed:
            raise NotFound("文件不存在")
        stored, pieces = await files.open_file(file_id)
        name = "receipt.pdf" if file_id == row.receipt_file else f"filing-{row.id}-{file_id}"
        return Stream(pieces, media_type=stored.content_type, headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Content-Length": str(stored.size)})
