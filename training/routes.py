"""What the training package adds to the app: its route handlers and its set-up hook."""

from __future__ import annotations

from typing import Any

from core.roles import Role
from core.web import register_card, register_nav
from training.controllers.api import API_ROUTES
from training.controllers.hours_pages import ClassSessionPages
from training.controllers.officer_pages import OfficerProviderPages
from training.controllers.provider_pages import ProviderCoursePages, ProviderExamPages
from training.controllers.public_pages import CataloguePages, TraineePages

ROUTES: list[Any] = [*API_ROUTES, CataloguePages, TraineePages, ProviderCoursePages,
                     ProviderExamPages, OfficerProviderPages, ClassSessionPages]


def setup() -> None:
    """Register navigation entries, dashboard cards, credential listeners and demo seeders."""
    from core import housekeeping
    from core.accounts.lifecycle import register_organisation_check
    from core.demo import SEEDERS
    from training.demo import seed_training
    from training.services.providers import provider_exists
    from training.services.results import purge_expired_feedback

    housekeeping.register("result_feedback", purge_expired_feedback)
    register_organisation_check(Role.PROVIDER_STAFF, provider_exists)
    register_nav("培训课程", "/courses", None, order=20)
    register_nav("我的培训", "/training/my", [Role.TRAINEE], order=21)
    register_nav("我的考试", "/training/exams", [Role.TRAINEE], order=22)
    register_nav("班次管理", "/training/provider/courses", [Role.PROVIDER_STAFF], order=21)
    register_nav("考试场次", "/training/provider/exams", [Role.PROVIDER_STAFF], order=22)
    register_nav("培训机构", "/training/providers", [Role.HRSS_OFFICER, Role.ADMIN], order=25)
    register_card("我的培训", "报名进度与学时完成情况", "/training/my", [Role.TRAINEE], order=10)
    register_card("考试报名与成绩", "核对申报条件、报名职业技能等级认定、查看成绩",
                  "/training/exams", [Role.TRAINEE], order=11)
    register_card("班次管理", "开放报名、审核报名、记录学时、结业", "/training/provider/courses",
                  [Role.PROVIDER_STAFF], order=10)
    register_card("考试场次", "确认考生、上传成绩、提交审核", "/training/provider/exams",
                  [Role.PROVIDER_STAFF], order=11)
    register_card("培训机构管理", "登记、批准、暂停培训机构与评价机构", "/training/providers",
                  [Role.HRSS_OFFICER, Role.ADMIN], order=30)
    if seed_training not in SEEDERS:
        SEEDERS.insert(0, seed_training)
