"""``python -m core.manage user …``: the admin's account operations from the command line —
disable, enable, set-role, reset-password (prints a one-time link), set-password.

Each runs the same service as the admin pages (core.accounts.lifecycle), so it is validated and
audited the same way. The actor in the audit log is the admin named with ``--by`` (an active
admin account), or else ``manage:<operating-system user>``.
"""

from __future__ import annotations

import argparse
import getpass
import os

from core.clock import CHINA
from core.roles import Role


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add the ``user`` command and its sub-commands to the manage parser."""
    user = sub.add_parser("user", help="账号管理：停用、启用、改角色、重置密码、设置密码")
    ops = user.add_subparsers(dest="operation", required=True)

    def op(name: str, help_text: str) -> argparse.ArgumentParser:
        parser = ops.add_parser(name, help=help_text)
        parser.add_argument("username")
        parser.add_argument("--by", default="", help="执行操作的管理员用户名（记入审计日志）")
        return parser

    op("disable", "停用账号（其全部登录和访问令牌立即失效）")
    op("enable", "重新启用账号")
    role = op("set-role", "更改角色和所属机构")
    role.add_argument("--role", required=True, choices=[r.value for r in Role])
    role.add_argument("--organisation-id", type=int, default=None)
    op("reset-password", "生成 30 分钟内有效的一次性密码重置链接（只显示一次）")
    pw = op("set-password", "设置密码（取自 NEW_USER_PASSWORD 或交互输入）")
    pw.add_argument("--must-change", action=argparse.BooleanOptionalAction, default=True,
                    help="下次登录时须由本人设置新密码（默认是）")


async def _actor(by: str):  # type: ignore[no-untyped-def]
    from core.actor import Actor
    from core.tables import User

    if not by:
        try:
            who = getpass.getuser()
        except (KeyError, OSError):
            who = "unknown"
        return Actor.system(f"manage:{who}")
    row = await User.select(User.id, User.username, User.role, User.is_active).where(
        User.username == by).first()
    if row is None or row["role"] != Role.ADMIN or not row["is_active"]:
        raise SystemExit(f"--by {by}：不是启用中的系统管理员账号")
    return Actor(row["id"], row["username"], row["role"], "cli")


async def run(args: argparse.Namespace) -> None:
    """Run one ``user`` operation; a refused one exits with its Chinese message."""
    from core.accounts import lifecycle
    from core.errors import DomainError
    from core.settings import get_settings

    try:
        actor = await _actor(args.by)
        user_id = await lifecycle.user_id_by_username(args.username)
        if args.operation in ("disable", "enable"):
            changed = await lifecycle.set_active(user_id, args.operation == "enable", actor)
            state = "启用" if args.operation == "enable" else "停用（其登录和访问令牌已失效）"
            print(f"用户 {args.username} " + (f"已{state}" if changed else "无需变更"))
        elif args.operation == "set-role":
            await lifecycle.change_role(user_id, args.role, args.organisation_id, actor)
            print(f"用户 {args.username} 的角色已设为 {Role(args.role).label}")
        elif args.operation == "reset-password":
            link = await lifecycle.start_reset(user_id, actor)
            url = get_settings().public_base_url.rstrip("/") + link.path
            until = link.expires_at.astimezone(CHINA)
            print(f"一次性重置链接（北京时间 {until:%Y-%m-%d %H:%M} 前有效，只显示这一次）：")
            print(url)
        elif args.operation == "set-password":
            password = os.environ.get("NEW_USER_PASSWORD") or getpass.getpass("新密码：")
            await lifecycle.set_password(user_id, password, actor, must_change=args.must_change)
            tail = "，下次登录须由本人设置新密码" if args.must_change else ""
            print(f"用户 {args.username} 的密码已设置{tail}")
    except DomainError as exc:
        raise SystemExit(f"操作失败：{exc.message}（{exc.field}）") from None
