"""What labour-rights records and the oversight views bring: routes, navigation, home cards,
tables and demo data (see core.domain)."""

from __future__ import annotations

from core.domain import Domain, Seeder, Task, card, nav
from core.labels import LABELS
from core.roles import Role
from employers.labour import labels
from employers.labour.api import LabourApi
from employers.labour.demo import seed_labour_demo
from employers.labour.notices import daily_reminders
from employers.labour.pages import LabourPages, MinimumWagePages, TraineeReminders
from employers.labour.tables import TABLES

OFFICERS = (Role.HRSS_OFFICER, Role.ADMIN)

DOMAIN = Domain(
    name="labour",
    routes=(LabourApi, LabourPages, MinimumWagePages, TraineeReminders),
    nav=(
        nav("劳动保障", "/labour", [Role.FACILITY_OPERATOR], order=40),
        nav("劳动保障问题", "/labour/findings", OFFICERS, order=40),
        nav("到期提醒", "/me/reminders", [Role.TRAINEE], order=70),
    ),
    cards=(
        card("劳动保障", "劳动合同、社会保险、工资、案件的登记，到期提醒和职工名册。",
             "/labour", [Role.FACILITY_OPERATOR], order=40),
        card("劳动保障问题", "全区未签合同、社保逾期、低于最低工资等问题，可筛选、导出。",
             "/labour/findings", OFFICERS, order=40),
        card("最低工资标准", "按执行日期维护的本市最低工资标准。", "/labour/minimum-wage",
             OFFICERS, order=45),
        card("全区到期提醒",
             "各托育机构从业人员的证书、健康检查和劳动合同到期提醒，与机构所见相同。",
             "/labour/reminders", OFFICERS, order=46),
        card("到期提醒", "我的证书、健康检查和劳动合同到期提醒。", "/me/reminders",
             [Role.TRAINEE], order=70),
    ),
    tables=tuple(TABLES),
    seeders=(Seeder(50, seed_labour_demo),),
    plugs=((LABELS, labels.LABELS),),  # finding kinds, vocabularies and audit events
    tasks=(Task("reminders", daily_reminders),),  # SMS before things expire or contracts end
)
