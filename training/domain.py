"""What the training package brings: its routes, navigation, home cards, tables, demo data,
its hourly clean-up and the organisation check of provider staff (see core.domain)."""

from __future__ import annotations

from core.accounts.lifecycle import ORGANISATION_CHECKS
from core.domain import Domain, Seeder, Task, card, nav
from core.labels import LABELS
from core.roles import Role
from training import labels
from training.controllers.api import API_ROUTES
from training.controllers.hours_pages import ClassSessionPages
from training.controllers.officer_pages import OfficerProviderPages
from training.controllers.provider_pages import ProviderCoursePages, ProviderExamPages
from training.controllers.public_pages import CataloguePages, TraineePages
from training.demo import seed_training
from training.services.providers import provider_exists
from training.services.results import purge_expired_feedback
from training.tables import TABLES

OFFICERS = (Role.HRSS_OFFICER, Role.ADMIN)

DOMAIN = Domain(
    name="training",
    routes=(*API_ROUTES, CataloguePages, TraineePages, ProviderCoursePages, ProviderExamPages,
            OfficerProviderPages, ClassSessionPages),
    nav=(
        nav("培训课程", "/courses", None, order=20),
        nav("我的培训", "/training/my", [Role.TRAINEE], order=21),
        nav("我的考试", "/training/exams", [Role.TRAINEE], order=22),
        nav("班次管理", "/training/provider/courses", [Role.PROVIDER_STAFF], order=21),
        nav("考试场次", "/training/provider/exams", [Role.PROVIDER_STAFF], order=22),
        nav("培训机构", "/training/providers", OFFICERS, order=25),
    ),
    cards=(
        card("我的培训", "报名进度与学时完成情况", "/training/my", [Role.TRAINEE], order=10),
        card("考试报名与成绩", "核对申报条件、报名职业技能等级认定、查看成绩",
             "/training/exams", [Role.TRAINEE], order=11),
        card("班次管理", "开放报名、审核报名、记录学时、结业", "/training/provider/courses",
             [Role.PROVIDER_STAFF], order=10),
        card("考试场次", "确认考生、上传成绩、提交审核", "/training/provider/exams",
             [Role.PROVIDER_STAFF], order=11),
        card("培训机构管理", "登记、批准、暂停培训机构与评价机构", "/training/providers",
             OFFICERS, order=30),
    ),
    tables=tuple(TABLES),
    seeders=(Seeder(20, seed_training),),
    tasks=(Task("result_feedback", purge_expired_feedback),),  # feedback files past 24 hours
    plugs=((ORGANISATION_CHECKS, (Role.PROVIDER_STAFF, provider_exists)),
           (LABELS, labels.LABELS)),  # its states and audit events, in Chinese
)
