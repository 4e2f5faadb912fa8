"""The labour-rights API: records per staff link, findings, the register, the minimum wage."""

from __future__ import annotations

from datetime import date

from litestar import Controller, Request, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody

from core.accounts.auth import actor_of, roles
from core.clock import today
from core.pagination import clamp_page
from core.roles import Role
from employers.labour import staff
from employers.labour.schemas import (
    CaseIn,
    ContractIn,
    CreatedOut,
    FindingOut,
    FindingsPage,
    InsuranceIn,
    LabourFileOut,
    LabourRecordIn,
    MinimumWageIn,
    MinimumWageOut,
    RegisterRow,
    ReminderOut,
    WageIn,
)
from employers.labour.services import records
from employers.labour.services.access import facility_for, link_for
from employers.labour.services.files import labour_file
from employers.labour.services.findings import (
    FindingFilter,
    FindingView,
    district_findings,
    facility_findings,
)
from employers.labour.services.minimum_wage import add_rate, list_rates
from employers.labour.services.register import register_rows
from employers.labour.services.reminders import district_reminders, facilities_reminders

RECORD_ROLES = (Role.FACILITY_OPERATOR, Role.HRSS_OFFICER, Role.ADMIN)
OFFICER_ROLES = (Role.HRSS_OFFICER, Role.ADMIN)


class LabourApi(Controller):
    path = "/api/v1/labour"
    tags = ["劳动保障"]
    guards = [roles(*RECORD_ROLES)]

    @get("/staff/{link_id:int}", summary="从业人员劳动保障档案")
    async def get_file(self, request: Request, link_id: FromPath[int]) -> LabourFileOut:
        link = await link_for(actor_of(request), link_id)
        return LabourFileOut.model_validate(await labour_file(link, today(), full=True))

    @put("/staff/{link_id:int}/record", summary="登记或更正用工形式与名册信息")
    async def put_record(self, request: Request, link_id: FromPath[int],
                         data: JSONBody[LabourRecordIn]) -> CreatedOut:
        return CreatedOut(id=await records.save_record(actor_of(request), link_id, data))

    @post("/staff/{link_id:int}/contracts", summary="登记劳动合同")
    async def post_contract(self, request: Request, link_id: FromPath[int],
                            data: JSONBody[ContractIn]) -> CreatedOut:
        return CreatedOut(id=await records.add_contract(actor_of(request), link_id, data))

    @put("/contracts/{contract_id:int}", summary="更正劳动合同")
    async def put_contract(self, request: Request, contract_id: FromPath[int],
                           data: JSONBody[ContractIn]) -> CreatedOut:
        await records.update_contract(actor_of(request), contract_id, data)
        return CreatedOut(id=contract_id)

    @put("/staff/{link_id:int}/insurance", summary="登记社会保险登记日期（按险种）")
    async def put_insurance(self, request: Request, link_id: FromPath[int],
                            data: JSONBody[InsuranceIn]) -> CreatedOut:
        return CreatedOut(id=await records.set_insurance(actor_of(request), link_id, data))

    @post("/staff/{link_id:int}/wages", summary="登记月度工资")
    async def post_wage(self, request: Request, link_id: FromPath[int],
                        data: JSONBody[WageIn]) -> CreatedOut:
        return CreatedOut(id=await records.add_wage(actor_of(request), link_id, data))

    @put("/wages/{wage_id:int}", summary="更正工资记录")
    async def put_wage(self, request: Request, wage_id: FromPath[int],
                       data: JSONBody[WageIn]) -> CreatedOut:
        await records.update_wage(actor_of(request), wage_id, data)
        return CreatedOut(id=wage_id)

    @post("/staff/{link_id:int}/cases", summary="登记投诉或仲裁案件")
    async def post_case(self, request: Request, link_id: FromPath[int],
                        data: JSONBody[CaseIn]) -> CreatedOut:
        return CreatedOut(id=await records.add_case(actor_of(request), link_id, data))

    @put("/cases/{case_id:int}", summary="更新案件状态与处理结果")
    async def put_case(self, request: Request, case_id: FromPath[int],
                       data: JSONBody[CaseIn]) -> CreatedOut:
        await records.update_case(actor_of(request), case_id, data)
        return CreatedOut(id=case_id)

    @get("/facilities/{facility_id:int}/findings", summary="机构劳动保障问题（实时计算）")
    async def facility_findings_api(self, request: Request, facility_id: FromPath[int],
                                    as_of: FromQuery[date | None] = None) -> list[FindingOut]:
        facility = await facility_for(actor_of(request), facility_id)
        found = await facility_findings(facility.id, as_of or today())
        return [FindingOut.model_validate(FindingView.of(f, link, facility.name))
                for link, f in found]

    @get("/facilities/{facility_id:int}/register", summary="职工名册")
    async def register_api(self, request: Request,
                           facility_id: FromPath[int]) -> list[RegisterRow]:
        facility = await facility_for(actor_of(request), facility_id)
        return [RegisterRow.model_validate(row)
                for row in await register_rows(facility.id, full=True)]

    @get("/findings", summary="全区劳动保障问题", guards=[roles(*OFFICER_ROLES)])
    async def district(self, code: FromQuery[str | None] = None,
                       facility_id: FromQuery[int | None] = None,
                       street: FromQuery[str | None] = None,
                       severity: FromQuery[str | None] = None,
                       page: FromQuery[int] = 1, per_page: FromQuery[int] = 50) -> FindingsPage:
        number, per = clamp_page(page, per_page)
        filters = FindingFilter(code=code or "", facility_id=facility_id, street=street or "",
                                severity=severity or "")
        result, tally = await district_findings(filters, number, per, today())
        return FindingsPage(items=[FindingOut.model_validate(r) for r in result.items],
                            page=result.number, per_page=result.per_page, total=result.total,
                            tally=tally)

    @get("/reminders", summary="到期提醒（经办人：本机构；人社局：全区各机构，与机构所见相同）")
    async def reminders(self, request: Request) -> list[ReminderOut]:
        actor = actor_of(request)
        if actor.role in OFFICER_ROLES:
            found = await district_reminders(today())
        else:
            found = await facilities_reminders(
                await staff.facilities_of_user(actor.user_id), today())
        return [ReminderOut.model_validate(r) for r in found]

    @get("/minimum-wages", summary="最低工资标准")
    async def minimum_wages(self) -> list[MinimumWageOut]:
        return [MinimumWageOut.model_validate(r) for r in await list_rates()]

    @post("/minimum-wages", summary="新增或核对最低工资标准", guards=[roles(*OFFICER_ROLES)])
    async def post_minimum_wage(self, request: Request,
                                data: JSONBody[MinimumWageIn]) -> CreatedOut:
        return CreatedOut(id=await add_rate(actor_of(request), data))
