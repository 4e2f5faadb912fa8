"""What the employers package brings: facilities, staff, checks and filings — routes,
navigation, home cards, tables, demo data, the re-check of facilities on credential changes
and operators' access to their consenting staff's certificates (core.domain). The daily
reminders are the labour package's task (they read its contracts)."""

from __future__ import annotations

from certification.access import DOWNLOAD_CHECKERS
from core import credentials
from core.domain import Domain, Seeder, card, nav
from core.labels import LABELS
from core.roles import Role
from employers import labels
from employers.controllers.api import API_ROUTES
from employers.controllers.check_pages import CheckPages, MyEmploymentPages
from employers.controllers.facility_pages import FacilityPages, FilingFiles
from employers.controllers.review_pages import CalendarPages, PublicPages, ReviewPages
from employers.demo import seed_employers
from employers.services import checks, rechecks
from employers.services.consents import MY_PAGE_TITLE
from employers.tables import TABLES

REVIEWERS = (Role.HEALTH_REVIEWER, Role.ADMIN)

DOMAIN = Domain(
    name="employers",
    routes=(*API_ROUTES, FacilityPages, FilingFiles, CheckPages, MyEmploymentPages, ReviewPages,
            CalendarPages, PublicPages),
    nav=(
        nav("托育机构", "/employers/facilities", [Role.FACILITY_OPERATOR, Role.HRSS_OFFICER,
                                                 Role.EDU_OFFICER, Role.HEALTH_REVIEWER,
                                                 Role.ADMIN], order=40),
        nav("资质核查", "/employers/checks", [Role.FACILITY_OPERATOR], order=41),
        nav("备案审核", "/employers/filings", REVIEWERS, order=42),
        nav("工作日历", "/employers/calendar", REVIEWERS, order=43),
        nav(MY_PAGE_TITLE, "/employers/my", [Role.TRAINEE], order=30),
        nav("备案公示", "/facilities/public", None, order=60),
    ),
    cards=(
        card("我的托育机构", "登记机构、班级、人员，实时核查人员配备并提交备案",
             "/employers/facilities", [Role.FACILITY_OPERATOR], order=10),
        card("资质核查", "凭证件号码和姓名核查应聘人员的证书，支持批量", "/employers/checks",
             [Role.FACILITY_OPERATOR], order=11),
        card("备案审核", "待审备案、期限、已备案后不达标的机构", "/employers/filings",
             REVIEWERS, order=10),
        card(MY_PAGE_TITLE, "确认机构关联、查看谁查询过我的证书", "/employers/my",
             [Role.TRAINEE], order=30),
    ),
    tables=tuple(TABLES),
    seeders=(Seeder(40, seed_employers),),
    plugs=(
        (credentials.LISTENERS, rechecks.on_credential_changed),  # re-check employing facilities
        (DOWNLOAD_CHECKERS, checks.download_checker),
        (LABELS, labels.LABELS),  # rule names, vocabularies and audit events, in Chinese
    ),
)
