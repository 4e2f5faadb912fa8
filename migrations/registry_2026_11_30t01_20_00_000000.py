"""Hand-written (login throttling): ``app_user.username_key``, the normalised
username (trim, NFKC, case-fold; the rule of core.accounts.usernames.normalise_username, frozen
here as it was when this migration was written), unique, filled for every existing account.
Sign-in, the login lock and uniqueness at creation go through it.

Stops before changing anything while two usernames share one key (e.g. ``Edu`` and ``edu``):
the message lists them; rename one of each group, then migrate again.
"""

import unicodedata
from collections import defaultdict
from collections.abc import Iterable

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Serial, Varchar
from piccolo.table import Table

ID = "2026-11-30T01:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "app_user.username_key: normalised username, unique"

_MAX_ROUNDS = 4


def normalise_username(raw: str) -> str:
    """The comparison key of a username: NFKC, case-folded, trimmed, repeated until it settles
    (at most four rounds). Returns "" for blank input."""
    value = raw or ""
    for _ in range(_MAX_ROUNDS):
        normalised = unicodedata.normalize("NFKC", value).casefold().strip()
        if normalised == value:
            break
        value = normalised
    return value


def colliding_usernames(usernames: Iterable[str]) -> list[list[str]]:
    """Groups of distinct usernames sharing one key, each sorted, groups sorted by key."""
    groups: dict[str, list[str]] = defaultdict(list)
    for username in usernames:
        groups[normalise_username(username)].append(username)
    return [sorted(names) for _, names in sorted(groups.items()) if len(names) > 1]


class AppUser(Table, tablename="app_user", schema=None):
    id = Serial(null=False, primary_key=True)
    username = Varchar(length=50)
    username_key = Varchar(length=50)


class UsernameCollision(Exception):
    """Existing usernames that the normalisation would merge; the migration changes nothing."""


def collision_message(groups: list[list[str]]) -> str:
    """The operator's message for colliding usernames (groups as from colliding_usernames)."""
    listed = "；".join("、".join(repr(name) for name in group) for group in groups)
    return (
        f"迁移 {ID} 已停止，未做任何修改：以下用户名在去除首尾空白、"
        f"Unicode NFKC 规范化并忽略大小写后相同，无法建立唯一的用户名键（username_key）：{listed}。"
        "请为每组中除一个以外的账号改用其他用户名（例如在数据库中更新 app_user.username），"
        "然后重新运行 python -m core.manage migrate。"
    )


async def check_collisions() -> None:
    """Raise UsernameCollision listing every group of usernames that share one key."""
    rows = await AppUser.select(AppUser.username)
    groups = colliding_usernames(row["username"] for row in rows)
    if groups:
        raise UsernameCollision(collision_message(groups))


async def add_username_key() -> None:
    """Check, add the column, fill it and make it unique (inside the migration's transaction)."""
    await check_collisions()
    db = AppUser._meta.db
    await db.run_ddl(
        "ALTER TABLE app_user ADD COLUMN username_key VARCHAR(50) NOT NULL DEFAULT ''"
    )
    # Usernames have been ASCII ([A-Za-z0-9_.-]) since the first release: LOWER() gives their
    # key on both engines in one statement; anything else is keyed row by row in Python.
    await db.run_ddl("UPDATE app_user SET username_key = LOWER(username)")
    for row in await AppUser.select(AppUser.id, AppUser.username):
        name = row["username"]
        key = normalise_username(name)
        if not name.isascii() or key != name.lower():
            await AppUser.update({AppUser.username_key: key}).where(AppUser.id == row["id"])
    # PostgreSQL already names the username constraint app_user_username_key
    await db.run_ddl("CREATE UNIQUE INDEX app_user_username_key_key ON app_user (username_key)")


async def drop_username_key() -> None:
    db = AppUser._meta.db
    await db.run_ddl("DROP INDEX app_user_username_key_key")
    await db.run_ddl("ALTER TABLE app_user DROP COLUMN username_key")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="registry", description=DESCRIPTION)
    manager.add_raw(add_username_key)
    manager.add_raw_backwards(drop_username_key)
    return manager
