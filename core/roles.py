"""Roles of the platform's users, with the Chinese labels users read."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    TRAINEE = "trainee"
    PROVIDER_STAFF = "provider_staff"
    HRSS_OFFICER = "hrss_officer"
    EDU_OFFICER = "edu_officer"
    HEALTH_REVIEWER = "health_reviewer"
    FACILITY_OPERATOR = "facility_operator"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.TRAINEE: "学员",
    Role.PROVIDER_STAFF: "培训机构工作人员",
    Role.HRSS_OFFICER: "人社局工作人员",
    Role.EDU_OFFICER: "教育局工作人员",
    Role.HEALTH_REVIEWER: "卫健委审核人员",
    Role.FACILITY_OPERATOR: "托育机构经办人",
    Role.ADMIN: "系统管理员",
}

# Officers of the three bureaus and admins may browse the audit log.
OFFICER_ROLES = frozenset({Role.HRSS_OFFICER, Role.EDU_OFFICER, Role.HEALTH_REVIEWER, Role.ADMIN})

# Roles whose users belong to an organisation (User.organisation_id), with what it is called.
# Every other role has none: an organisation number given for it is refused.
ORGANISATION_OF_ROLE: dict[Role, str] = {
    Role.PROVIDER_STAFF: "培训机构",  # training.tables.Provider
}
