"""What the kernel itself brings, declared like any domain (core.domain): accounts, identity
claims, people, the audit log, user administration, messages and their delivery."""

from __future__ import annotations

from core import tables
from core.accounts.controllers import AccountPages, AuthApi
from core.accounts.password_controllers import ForgotPasswordPages, PasswordApi, PasswordPages
from core.admin_controllers import AdminUsersApi, AdminUsersController
from core.audit_controllers import AuditController
from core.claims.controllers import ClaimApi, OfficerClaimPages, VerifyPages
from core.claims.services import purge_decided_documents
from core.claims.tables import TABLES as CLAIM_TABLES
from core.domain import Background, Domain, Task, nav
from core.home import HomeController, health
from core.messages import delivery
from core.messages.pages import AdminMessagesPage, NoticeEmailPage, ReminderChoice
from core.messages.tables import TABLES as MESSAGE_TABLES
from core.officer_people import OfficerPeoplePages, PersonNumbersApi
from core.people_controllers import PeopleApi, ProfilePage
from core.roles import OFFICER_ROLES, Role

KERNEL = Domain(
    name="core",
    routes=(
        HomeController, health, AccountPages, AuthApi, PasswordPages, PasswordApi,
        ForgotPasswordPages, AuditController, AdminUsersController, AdminUsersApi, PeopleApi,
        ProfilePage, AdminMessagesPage, ReminderChoice, NoticeEmailPage, PersonNumbersApi,
        OfficerPeoplePages, VerifyPages, ClaimApi, OfficerClaimPages,
    ),
    nav=(
        nav("首页", "/", None, order=0),
        nav("我的信息", "/me", [Role.TRAINEE], order=80),
        nav("人员", "/officer/people", [Role.HRSS_OFFICER, Role.ADMIN], order=85),
        nav("身份核验", "/officer/claims", [Role.HRSS_OFFICER], order=86),
        nav("审计日志", "/audit", OFFICER_ROLES, order=90),
        nav("用户管理", "/admin/users", [Role.ADMIN], order=95),
        nav("发件箱", "/admin/messages", [Role.ADMIN], order=96),
        nav("通知邮箱", "/account/notice-email", [Role.FACILITY_OPERATOR], order=97),
    ),
    tables=(
        tables.Person, tables.PersonName, tables.PersonIdNumber, tables.WorkPeriod, tables.User,
        tables.ApiToken, tables.PasswordReset, tables.AuditLog, tables.StoredFile,
        tables.StoredChunk,
        tables.Qualification, tables.QualificationLevel, tables.ConditionEdition,
        tables.Credential, tables.CredentialStatusChange, tables.CredentialEvent,
        *MESSAGE_TABLES, *CLAIM_TABLES,
    ),
    tasks=(Task("claim_documents", purge_decided_documents),),  # 30 days after the decision
    background=(Background("message-delivery", delivery.start, delivery.stop),),
)
