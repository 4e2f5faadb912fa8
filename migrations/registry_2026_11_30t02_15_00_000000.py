"""Hand-written (attack review): at most one verified trainee account per
Person, enforced by the database. Binding (core.claims.services._bind) checks first and writes
after, so two accounts proving the same Person at the same moment could both be bound; the
partial unique index makes the second write fail (the service answers it like any second
claimant). PostgreSQL and SQLite both support partial indexes.

Stops before changing anything while some Person already has two or more verified trainee
accounts: the message lists them; unbind all but one (set app_user.person and
identity_verified_at to NULL), then migrate again.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import ForeignKey, Serial, Timestamptz, Varchar
from piccolo.table import Table

ID = "2026-11-30T02:15:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "app_user: one verified trainee account per person (partial unique index)"
INDEX = "app_user_one_verified_trainee_per_person"
BOUND = "role = 'trainee' AND identity_verified_at IS NOT NULL AND person IS NOT NULL"


class PersonRow(Table, tablename="person", schema=None):
    id = Serial(null=False, primary_key=True)


class AppUser(Table, tablename="app_user", schema=None):
    id = Serial(null=False, primary_key=True)
    username = Varchar(length=50)
    role = Varchar(length=30)
    person = ForeignKey(PersonRow, null=True)
    identity_verified_at = Timestamptz(null=True)


class SharedPersonBinding(Exception):
    """Existing verified trainee accounts sharing one Person; the migration changes nothing."""


def shared_binding_message(groups: dict[int, list[str]]) -> str:
    """The operator's message for persons bound to several verified trainee accounts."""
    listed = "；".join(f"人员 {person}：" + "、".join(names) for person, names in groups.items())
    return (
        f"迁移 {ID} 已停止，未做任何修改：以下人员同时关联了多个已核验的学员账号，"
        f"无法建立“每人至多一个已核验学员账号”的唯一约束：{listed}。"
        "请核实后只保留本人的账号，将其余账号的 app_user.person 和 identity_verified_at "
        "置为空，然后重新运行 python -m core.manage migrate。"
    )


async def check_shared_bindings() -> None:
    """Raise SharedPersonBinding listing every Person with two or more verified trainees."""
    rows = await AppUser.select(AppUser.person, AppUser.username).where(
        (AppUser.role == "trainee") & AppUser.identity_verified_at.is_not_null()
        & AppUser.person.is_not_null()).order_by(AppUser.id)
    by_person: dict[int, list[str]] = {}
    for row in rows:
        by_person.setdefault(row["person"], []).append(row["username"])
    shared = {person: names for person, names in by_person.items() if len(names) > 1}
    if shared:
        raise SharedPersonBinding(shared_binding_message(shared))


async def add_index() -> None:
    await check_shared_bindings()
    await AppUser._meta.db.run_ddl(
        f"CREATE UNIQUE INDEX {INDEX} ON app_user (person) WHERE {BOUND}")


async def drop_index() -> None:
    await AppUser._meta.db.run_ddl(f"DROP INDEX {INDEX}")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)
    manager.add_raw(add_index)
    manager.add_raw_backwards(drop_index)
    return manager
