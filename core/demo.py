"""Demo data for a first run on an empty database: one account per role, and each domain's
own demo records. Logins are printed by ``make run`` and listed in the README."""

from __future__ import annotations

from dataclasses import dataclass

from core import wiring
from core.accounts.services import NewUser, create_user
from core.actor import Actor
from core.identity import id_check_char
from core.roles import Role
from core.tables import User

DEMO_PASSWORD = "Demo2026pass"


def demo_id_number(first17: str) -> str:
    """A well-formed 居民身份证号 for demo records (Ninghe prefix 120221)."""
    return first17 + id_check_char(first17)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: Role
    display_name: str


DEMO_LOGINS = (
    DemoLogin("admin", Role.ADMIN, "系统管理员"),
    DemoLogin("hrss", Role.HRSS_OFFICER, "人社局 刘科长"),
    DemoLogin("edu", Role.EDU_OFFICER, "教育局 陈老师"),
    DemoLogin("health", Role.HEALTH_REVIEWER, "卫健委 王审核"),
    DemoLogin("provider", Role.PROVIDER_STAFF, "宁河职业培训学校 张老师"),
    DemoLogin("operator", Role.FACILITY_OPERATOR, "芦台街示例托育园 赵园长"),
    DemoLogin("trainee", Role.TRAINEE, "李娜"),
)



async def seed_demo() -> bool:
    """Load demo data when the database has no users; True when it did."""
    if await User.count() > 0:
        return False
    actor = Actor.system("demo")
    for login in DEMO_LOGINS:
        if login.role is Role.TRAINEE:
            from core.claims.services import (
                TraineeRegistration,
                accept_pending_claim,
                register_trainee,
            )

            trainee_id = await register_trainee(
                TraineeRegistration(
                    name=login.display_name,
                    id_type="居民身份证",
                    id_number=demo_id_number("12022119900315002"),
                    phone="13820001234",
                    username=login.username,
                    password=DEMO_PASSWORD,
                    password_confirm=DEMO_PASSWORD,
                ),
                actor,
            )
            await accept_pending_claim(trainee_id, "演示数据", actor)
            continue
        await create_user(
            NewUser(login.username, DEMO_PASSWORD, login.role, login.display_name), actor
        )
    for seeder in wiring.current().seeders:  # each domain's demo records (core.domain.Seeder)
        await seeder.run(actor)
    return True


def logins_text() -> str:
    lines = [f"演示账号（密码均为 {DEMO_PASSWORD}）："]
    lines += [f"  {d.role.label:<10} {d.username}" for d in DEMO_LOGINS]
    return "\n".join(lines)
