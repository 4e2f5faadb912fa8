"""The employers API under /api/v1: facilities, classes, staff links, credential checks,
snapshot and compliance, what-if and forecast, filings and the reviewer's views."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Controller, Request, get, post, put
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery, JSONBody, MultipartBody

from core.accounts.auth import actor_of, login_required, roles
from core.pagination import clamp_page
from core.people import PersonInput
from core.roles import Role
from employers import schemas as sc
from employers import whatif
from employers.compliance.engine import evaluate_dict
from employers.facilities import ClassInput, FacilityInput, StaffTerms
from employers.services import checks, classes, consents, facilities, filings, rechecks, staff
from employers.services.access import OFFICER_ROLES, facility_for
from employers.services.snapshots import build_snapshot
from employers.services.staff import CheckInput

OPERATOR = Role.FACILITY_OPERATOR
SEE = (OPERATOR, *OFFICER_ROLES)
REVIEWERS = (Role.HEALTH_REVIEWER, Role.ADMIN)


class FacilitiesApi(Controller):
    path = "/api/v1/facilities"
    tags = ["托育机构"]

    @get("/", summary="托育机构列表（经办人：本人机构；工作人员：全部）", guards=[roles(*SEE)])
    async def index(self, request: Request, q: FromQuery[str] = "",
                    filing_status: FromQuery[str] = "", page: FromQuery[int] = 1,
                    per_page: FromQuery[int] = 20) -> sc.FacilityPage:
        number, per = clamp_page(page, per_page)
        result = await facilities.search(actor_of(request), q.strip()[:50], filing_status,
                                         number, per)
        return sc.FacilityPage(items=[sc.FacilityOut.model_validate(r) for r in result.items],
                               total=result.total, page=number, per_page=per)

    @post("/", summary="登记托育机构（经办人）", guards=[roles(OPERATOR)], status_code=201)
    async def create(self, request: Request, data: JSONBody[sc.FacilityIn]) -> sc.FacilityOut:
        row = await facilities.register_facility(FacilityInput(**data.model_dump()),
                                                 actor_of(request))
        return sc.FacilityOut.model_validate(row)

    @get("/public", summary="已备案托育机构信息公示", exclude_from_auth=True)
    async def public(self, q: FromQuery[str] = "", page: FromQuery[int] = 1,
                     per_page: FromQuery[int] = 50) -> list[sc.PublicFacilityOut]:
        number, per = clamp_page(page, per_page)
        result = await facilities.public_list(q.strip()[:50], number, per)
        return [sc.PublicFacilityOut.model_validate(r) for r in result.items]

    @get("/{facility_id:int}", summary="托育机构详情", guards=[roles(*SEE)])
    async def one(self, request: Request, facility_id: FromPath[int]) -> sc.FacilityOut:
        return sc.FacilityOut.model_validate(await facility_for(facility_id, actor_of(request)))

    @put("/{facility_id:int}", summary="修改机构信息（经办人）", guards=[roles(OPERATOR)])
    async def update(self, request: Request, facility_id: FromPath[int],
                     data: JSONBody[sc.FacilityIn]) -> sc.FacilityOut:
        row = await facilities.update_facility(facility_id, FacilityInput(**data.model_dump()),
                                               actor_of(request))
        return sc.FacilityOut.model_validate(row)

    @get("/{facility_id:int}/classes", summary="班级及保育人员", guards=[roles(*SEE)])
    async def list_classes(self, request: Request, facility_id: FromPath[int]) -> list[sc.ClassOut]:
        await facility_for(facility_id, actor_of(request))
        return [sc.ClassOut.model_validate(c) for c in await classes.classes_of(facility_id)]

    @post("/{facility_id:int}/classes", summary="新建班级（经办人）", guards=[roles(OPERATOR)],
          status_code=201)
    async def create_class(self, request: Request, facility_id: FromPath[int],
                           data: JSONBody[sc.ClassIn]) -> sc.IdOut:
        row = await classes.create_class(facility_id, ClassInput(**data.model_dump()),
                                         actor_of(request))
        return sc.IdOut(id=row.id)

    @get("/{facility_id:int}/staff", summary="人员关联（在职与待同意；history=1 含已离职）",
         guards=[roles(*SEE)])
    async def list_staff(self, request: Request, facility_id: FromPath[int],
                         history: FromQuery[bool] = False) -> list[sc.StaffOut]:
        await facility_for(facility_id, actor_of(request))
        return [sc.StaffOut.model_validate(m) for m in await staff.staff_of(facility_id, history)]

    @post("/{facility_id:int}/staff", summary="关联人员（按证件类型、号码和姓名查找或新建）",
          guards=[roles(OPERATOR)], status_code=201)
    async def link(self, request: Request, facility_id: FromPath[int],
                   data: JSONBody[sc.StaffIn]) -> sc.IdOut:
        row = await staff.link_person(
            facility_id, PersonInput(data.id_type, data.id_number, data.name,
                                     data.phone or None, education=data.education),
            StaffTerms(list(data.positions), data.employment, data.employment_form,
                       data.started_on, data.management_years), actor_of(request))
        return sc.IdOut(id=row.id)

    @get("/{facility_id:int}/snapshot", summary="由数据库生成的配备核查快照", guards=[roles(*SEE)])
    async def snapshot(self, request: Request, facility_id: FromPath[int],
                       as_of: FromQuery[date | None] = None) -> sc.SnapshotOut:
        await facility_for(facility_id, actor_of(request))
        return sc.SnapshotOut.model_validate(await build_snapshot(facility_id, as_of))

    @get("/{facility_id:int}/compliance", summary="人员配备核查报告（与命令行一致）",
         guards=[roles(*SEE)])
    async def compliance(self, request: Request, facility_id: FromPath[int],
                         as_of: FromQuery[date | None] = None) -> sc.ReportOut:
        await facility_for(facility_id, actor_of(request))
        return sc.ReportOut.model_validate(evaluate_dict(await build_snapshot(facility_id, as_of)))

    @post("/{facility_id:int}/what-if", summary="假设调整（不保存）：改人数、调动保育人员",
          guards=[roles(*SEE)], status_code=200)
    async def what_if(self, request: Request, facility_id: FromPath[int],
                      data: JSONBody[sc.WhatIfIn]) -> sc.ReportOut:
        await facility_for(facility_id, actor_of(request))
        snapshot = await build_snapshot(facility_id)
        return sc.ReportOut.model_validate(whatif.what_if(
            snapshot, {c.code: c.children for c in data.classes if c.children is not None},
            {m.staff_id: m.to_class for m in data.moves}))

    @get("/{facility_id:int}/forecast", summary="即将到期导致不达标的预警", guards=[roles(*SEE)])
    async def forecast(self, request: Request, facility_id: FromPath[int],
                       days: FromQuery[int] = 365) -> list[sc.ForecastItem]:
        await facility_for(facility_id, actor_of(request))
        items = whatif.coming_breaks(await build_snapshot(facility_id), min(max(days, 1), 1100))
        return [sc.ForecastItem.model_validate(i) for i in items]

    @post("/{facility_id:int}/filings", summary="提交备案（multipart：各类材料、书面说明）",
          guards=[roles(OPERATOR)], status_code=201)
    async def submit(self, request: Request, facility_id: FromPath[int],
                     data: MultipartBody[dict[str, Any]]) -> sc.FilingOut:
        uploads, explanation = await filing_uploads(data)
        row = await filings.submit(facility_id, uploads, explanation, actor_of(request))
        return sc.FilingOut.model_validate(await filings.filing_for(row.id, actor_of(request)))


async def filing_uploads(data: dict[str, Any]) -> tuple[list[filings.Upload], str]:
    from employers.facilities import document_kinds

    uploads = []
    for kind in document_kinds():
        value = data.get(kind)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, UploadFile) and item.filename:
                uploads.append(filings.Upload(kind, item.filename, await item.read()))
    explanation = data.get("explanation") or ""
    return uploads, explanation if isinstance(explanation, str) else ""


class ClassesApi(Controller):
    path = "/api/v1/classes"
    tags = ["托育机构"]
    guards = [roles(OPERATOR)]

    @put("/{class_id:int}", summary="修改班级")
    async def update(self, request: Request, class_id: FromPath[int],
                     data: JSONBody[sc.ClassIn]) -> sc.IdOut:
        await classes.update_class(class_id, ClassInput(**data.model_dump()), actor_of(request))
        return sc.IdOut(id=class_id)

    @post("/{class_id:int}/caregivers", summary="分配（调动）保育人员到班级", status_code=200)
    async def assign(self, request: Request, class_id: FromPath[int],
                     data: JSONBody[sc.AssignIn]) -> sc.IdOut:
        await classes.assign(class_id, data.staff_link_id, actor_of(request))
        return sc.IdOut(id=class_id)


class StaffLinksApi(Controller):
    path = "/api/v1/staff-links"
    tags = ["托育机构"]
    guards = [login_required]

    @post("/{link_id:int}/end", summary="离职（记录保留，查询权限终止）", guards=[roles(OPERATOR)],
          status_code=200)
    async def end(self, request: Request, link_id: FromPath[int],
                  data: JSONBody[sc.EndIn]) -> sc.IdOut:
        await staff.end_link(link_id, data.ended_on, data.reason, actor_of(request))
        return sc.IdOut(id=link_id)

    @post("/{link_id:int}/accept", summary="本人同意关联（学员）", guards=[roles(Role.TRAINEE)],
          status_code=200)
    async def accept(self, request: Request, link_id: FromPath[int]) -> sc.IdOut:
        await staff.accept_link(link_id, actor_of(request))
        return sc.IdOut(id=link_id)

    @post("/{link_id:int}/refuse", summary="本人拒绝关联请求（学员）", guards=[roles(Role.TRAINEE)],
          status_code=200)
    async def refuse(self, request: Request, link_id: FromPath[int]) -> sc.IdOut:
        await consents.refuse(link_id, actor_of(request))
        return sc.IdOut(id=link_id)

    @post("/{link_id:int}/withdraw-consent", summary="本人撤回授权（学员；机构即时失去查看权限）",
          guards=[roles(Role.TRAINEE)], status_code=200)
    async def withdraw(self, request: Request, link_id: FromPath[int]) -> sc.IdOut:
        await consents.withdraw(link_id, actor_of(request))
        return sc.IdOut(id=link_id)

    @post("/{link_id:int}/officer-withdrawal",
          summary="人社局依本人书面申请撤回纸质授权（reference 书面申请编号，scan 扫描件）",
          guards=[roles(*consents.WITHDRAWING_OFFICERS)], status_code=200)
    async def officer_withdrawal(self, request: Request, link_id: FromPath[int],
                                 data: MultipartBody[dict[str, Any]]) -> sc.IdOut:
        upload = data.get("scan")
        content = await upload.read() if isinstance(upload, UploadFile) else b""
        await consents.withdraw_on_written_request(
            link_id, str(data.get("reference") or ""), content,
            getattr(upload, "filename", "") or "", actor_of(request))
        return sc.IdOut(id=link_id)

    @post("/{link_id:int}/consent-request", summary="本人拒绝或撤回后重新请求同意（经办人）",
          guards=[roles(OPERATOR)], status_code=200)
    async def consent_request(self, request: Request, link_id: FromPath[int]) -> sc.IdOut:
        await consents.request_again(link_id, actor_of(request))
        return sc.IdOut(id=link_id)

    @get("/my-consents", summary="我的授权记录（同意、拒绝、撤回）", guards=[roles(Role.TRAINEE)])
    async def my_consents(self, request: Request) -> list[sc.ConsentOut]:
        person_id = actor_of(request).person_id
        rows = await consents.history_of_person(person_id) if person_id else []
        return [sc.ConsentOut.model_validate(r) for r in rows]

    @post("/{link_id:int}/consent-form", summary="上传本人签字同意书（经办人）",
          guards=[roles(OPERATOR)], status_code=200)
    async def consent_form(self, request: Request, link_id: FromPath[int],
                           data: MultipartBody[dict[str, Any]]) -> sc.IdOut:
        upload = data.get("consent_form")
        content = await upload.read() if isinstance(upload, UploadFile) else b""
        await staff.upload_consent(link_id, content,
                                   getattr(upload, "filename", "") or "", actor_of(request))
        return sc.IdOut(id=link_id)

    @post("/{link_id:int}/checks", summary="记录健康检查或背景审查（附扫描件）",
          guards=[roles(*SEE)], status_code=201)
    async def record_check(self, request: Request, link_id: FromPath[int],
                           data: MultipartBody[dict[str, Any]]) -> sc.IdOut:
        from core.forms import parse_date

        upload = data.get("scan")
        content = await upload.read() if isinstance(upload, UploadFile) else b""
        checked_on = parse_date(data.get("checked_on"), "checked_on", required=True)
        row = await staff.record_check(link_id, CheckInput(
            str(data.get("code", "")), str(data.get("outcome", "")), checked_on,
            str(data.get("issuer_name", "")), str(data.get("number", ""))),
            content, getattr(upload, "filename", "") or "", actor_of(request))
        return sc.IdOut(id=row.id)


class CredentialChecksApi(Controller):
    path = "/api/v1/credential-checks"
    tags = ["资质核查"]
    guards = [roles(*SEE)]

    @post("/", summary="按证件号码和姓名核查人员证书（有授权显示全部，否则仅公开查验）",
          status_code=200)
    async def one(self, request: Request, data: JSONBody[sc.CheckIn]) -> sc.CheckOut:
        result = await checks.check_person(actor_of(request), data.id_type, data.id_number,
                                           data.name, data.reason, data.certificate_number)
        return sc.CheckOut.model_validate(result)

    @post("/bulk", summary="批量核查（XLSX/CSV：证件类型、证件号码、姓名[、证书编号]）",
          status_code=200)
    async def bulk(self, request: Request,
                   data: MultipartBody[dict[str, Any]]) -> list[sc.CheckOut]:
        upload = data.get("file")
        content = await upload.read() if isinstance(upload, UploadFile) else b""
        rows = checks.parse_list(content, getattr(upload, "filename", "") or "")
        results = await checks.bulk_check(actor_of(request), rows,
                                          str(data.get("reason") or ""))
        return [sc.CheckOut.model_validate(r) for r in results]


class FilingsApi(Controller):
    path = "/api/v1/filings"
    tags = ["备案"]

    @get("/", summary="审核队列（含期限）", guards=[roles(*REVIEWERS)])
    async def queue(self, filing_state: FromQuery[str] = "submitted") -> list[sc.QueueItem]:
        return [sc.QueueItem.model_validate(r) for r in await filings.queue(filing_state)]

    @get("/alerts", summary="已备案但当前不达标的机构", guards=[roles(*REVIEWERS)])
    async def alerts(self) -> list[sc.AlertOut]:
        return [sc.AlertOut.model_validate(r) for r in await rechecks.no_longer_compliant()]

    @get("/{filing_id:int}", summary="备案详情", guards=[roles(*SEE)])
    async def one(self, request: Request, filing_id: FromPath[int]) -> sc.FilingOut:
        return sc.FilingOut.model_validate(await filings.filing_for(filing_id, actor_of(request)))

    @get("/{filing_id:int}/verify", summary="重新核验备案材料的摘要与签名", guards=[roles(*SEE)])
    async def verify(self, request: Request, filing_id: FromPath[int]) -> sc.VerifyOut:
        return sc.VerifyOut.model_validate(await filings.verify(filing_id, actor_of(request)))

    @post("/{filing_id:int}/accept", summary="予以备案（出具备案回执）", guards=[roles(*REVIEWERS)],
          status_code=200)
    async def accept(self, request: Request, filing_id: FromPath[int]) -> sc.FilingOut:
        await filings.accept(filing_id, actor_of(request))
        return sc.FilingOut.model_validate(await filings.filing_for(filing_id, actor_of(request)))

    @post("/{filing_id:int}/return", summary="退回（须填原因）", guards=[roles(*REVIEWERS)],
          status_code=200)
    async def return_(self, request: Request, filing_id: FromPath[int],
                      data: JSONBody[sc.ReasonsIn]) -> sc.FilingOut:
        await filings.return_filing(filing_id, data.reasons, actor_of(request))
        return sc.FilingOut.model_validate(await filings.filing_for(filing_id, actor_of(request)))


API_ROUTES = [FacilitiesApi, ClassesApi, StaffLinksApi, CredentialChecksApi, FilingsApi]
