"""What the employers package adds to the app: its route handlers and its set-up hook."""

from __future__ import annotations

from typing import Any

from employers.controllers.api import API_ROUTES
from employers.controllers.check_pages import CheckPages, MyEmploymentPages
from employers.controllers.facility_pages import FacilityPages, FilingFiles
from employers.controllers.review_pages import CalendarPages, PublicPages, ReviewPages

ROUTES: list[Any] = [*API_ROUTES, FacilityPages, FilingFiles, CheckPages, MyEmploymentPages,
                     ReviewPages, CalendarPages, PublicPages]


def setup() -> None:
    """Register navigation entries, dashboard cards, credential listeners and demo seeders."""
    from core.credentials import on_credential_changed
    from core.demo import SEEDERS
    from core.roles import Role
    from core.web import register_card, register_nav
    from employers.demo import seed_employers
    from employers.services import checks, rechecks
    from employers.services.consents import MY_PAGE_TITLE

    on_credential_changed(rechecks.on_credential_changed)
    from core import housekeeping
    from employers import notices

    housekeeping.register("reminders", notices.daily_reminders)  # SMS before things expire
    if seed_employers not in SEEDERS:
        SEEDERS.append(seed_employers)
    try:
        from certification.access import register_download_checker
    except ImportError:
        pass
    else:
        register_download_checker(checks.download_checker)
    register_nav("托育机构", "/employers/facilities", [Role.FACILITY_OPERATOR, Role.HRSS_OFFICER,
                                                     Role.EDU_OFFICER, Role.HEALTH_REVIEWER,
                                                     Role.ADMIN], order=40)
    register_nav("资质核查", "/employers/checks", [Role.FACILITY_OPERATOR], order=41)
    register_nav("备案审核", "/employers/filings", [Role.HEALTH_REVIEWER, Role.ADMIN], order=42)
    register_nav("工作日历", "/employers/calendar", [Role.HEALTH_REVIEWER, Role.ADMIN], order=43)
    register_nav(MY_PAGE_TITLE, "/employers/my", [Role.TRAINEE], order=30)
    register_nav("备案公示", "/facilities/public", None, order=60)
    register_card("我的托育机构", "登记机构、班级、人员，实时核查人员配备并提交备案",
                  "/employers/facilities", [Role.FACILITY_OPERATOR], order=10)
    register_card("资质核查", "凭证件号码和姓名核查应聘人员的证书，支持批量", "/employers/checks",
                  [Role.FACILITY_OPERATOR], order=11)
    register_card("备案审核", "待审备案、期限、已备案后不达标的机构", "/employers/filings",
                  [Role.HEALTH_REVIEWER, Role.ADMIN], order=10)
    register_card(MY_PAGE_TITLE, "确认机构关联、查看谁查询过我的证书", "/employers/my",
                  [Role.TRAINEE], order=30)
