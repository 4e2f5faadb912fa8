"""Administrative commands: ``python -m core.manage migrate|create-user|user|files|demo|serve|
worker``.

The kernel imports no domain: the commands load the composition by module name (the
``REGISTRY_COMPOSITION`` environment variable, default ``composition``), as uvicorn loads an app
and Piccolo its ``piccolo_conf``, and install it before anything runs."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import importlib
import os
import sys
from typing import TYPE_CHECKING, Any

from core import manage_files, manage_users
from core.roles import Role
from core.settings import InvalidSettings, get_settings

if TYPE_CHECKING:
    from core.settings import Settings


COMPOSITION_ENV = "REGISTRY_COMPOSITION"


def composition_module() -> str:
    """The dotted name of the module that composes the system (``composition`` by default)."""
    return os.environ.get(COMPOSITION_ENV, "composition")


def wire() -> Any:
    """Load the composition module and install its wiring; returns the wiring."""
    return importlib.import_module(composition_module()).wire()


async def migrate() -> None:
    from piccolo.apps.migrations.commands.forwards import run_forwards

    result = await run_forwards("all")
    if not result.success:
        raise SystemExit(f"迁移失败：{result.message}")


async def _with_db(coro_fn, *args):  # type: ignore[no-untyped-def]
    from core import db

    await db.on_startup()
    try:
        return await coro_fn(*args)
    finally:
        await db.on_shutdown()


async def create_user_cmd(args: argparse.Namespace) -> None:
    from core.accounts.services import NewUser, create_user
    from core.actor import Actor
    from core.errors import DomainError

    password = os.environ.get("NEW_USER_PASSWORD") or getpass.getpass("密码：")
    try:
        user_id = await create_user(
            NewUser(
                args.username,
                password,
                args.role,
                args.display_name or args.username,
                args.organisation_id,
            ),
            Actor.system("manage"),
        )
    except DomainError as exc:
        raise SystemExit(f"创建失败：{exc.message}（{exc.field}）") from None
    print(f"已创建用户 {args.username}（id={user_id}，角色 {Role(args.role).label}）")


async def demo() -> None:
    from core.demo import logins_text, seed_demo

    if await seed_demo():
        print("已载入演示数据。")
    print(logins_text())


def uvicorn_options(settings: Settings, workers: int = 1) -> dict[str, Any]:
    """Keyword arguments for ``uvicorn.run(f"{composition_module()}:app", ...)`` from the
    settings.

    The client address (login throttling per address, the audit log) is the direct peer unless
    that peer is one of TRUSTED_PROXIES: only then does uvicorn take it from X-Forwarded-For
    (``forwarded_allow_ips``). With none configured, proxy headers are off altogether: uvicorn's
    own default would trust 127.0.0.1, letting any local client claim another address.
    """
    proxies = list(settings.trusted_proxies)
    return {
        "host": settings.host,
        "port": settings.port,
        "workers": workers,
        "proxy_headers": bool(proxies),
        "forwarded_allow_ips": proxies,
        "log_level": "warning",
        "access_log": False,
    }


def serve(workers: int = 1) -> None:
    import uvicorn

    settings = get_settings()
    if settings.is_sqlite:
        if workers != 1:
            raise SystemExit("SQLite 只能由 1 个工作进程服务（多个工作进程请使用 PostgreSQL）")
        asyncio.run(migrate())
        if settings.demo_data:
            asyncio.run(_with_db(demo))
    else:
        from core.schema_check import schema_state

        state = asyncio.run(_with_db(schema_state))
        if not state.ok:
            print(f"数据库尚未就绪：{state.reason}。请先运行 python -m core.manage migrate",
                  file=sys.stderr)
            raise SystemExit(1)
    if not settings.run_jobs:
        print("本进程不运行后台工作（RUN_JOBS=0）：证书生成与签名、短信与邮件、每日提醒由 "
              "python -m core.manage worker 运行，请另行启动至少一个。", flush=True)
    print(f"服务地址：http://{settings.host}:{settings.port}", flush=True)
    uvicorn.run(f"{composition_module()}:app", **uvicorn_options(settings, workers))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m core.manage")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="应用数据库迁移")
    cu = sub.add_parser(
        "create-user", help="创建任意角色的用户（密码取自 NEW_USER_PASSWORD 或交互输入）"
    )
    cu.add_argument("--username", required=True)
    cu.add_argument("--role", required=True, choices=[r.value for r in Role])
    cu.add_argument("--display-name", default="")
    cu.add_argument("--organisation-id", type=int, default=None)
    manage_users.add_parser(sub)
    manage_files.add_parser(sub)
    sub.add_parser("demo", help="空库时载入演示数据并打印演示账号")
    sv = sub.add_parser(
        "serve", help="启动服务（SQLite 时先迁移并载入演示数据）；信任 TRUSTED_PROXIES 中的代理"
    )
    sv.add_argument("--workers", type=int, default=1, help="工作进程数（PostgreSQL 时可大于 1）")
    sub.add_parser(
        "worker",
        help="运行后台工作（证书生成与签名、每日到期处理、消息发送、每小时任务）；"
             "SIGTERM 时做完手头的再退出",
    )
    args = parser.parse_args(argv)
    try:
        get_settings()
    except InvalidSettings as exc:
        raise SystemExit(f"配置有误（环境变量，见 .env.example）：\n{exc}") from None
    wire()
    if args.command == "migrate":
        asyncio.run(migrate())
        print("迁移完成。")
    elif args.command == "create-user":
        asyncio.run(_with_db(create_user_cmd, args))
    elif args.command == "user":
        asyncio.run(_with_db(manage_users.run, args))
    elif args.command == "files":
        raise SystemExit(asyncio.run(_with_db(manage_files.run, args)))
    elif args.command == "demo":
        asyncio.run(_with_db(demo))
    elif args.command == "serve":
        serve(args.workers)
    elif args.command == "worker":
        from core.worker import main as run_worker

        raise SystemExit(run_worker())


if __name__ == "__main__":
    sys.exit(main())
