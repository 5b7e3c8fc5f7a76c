"""``trolyso admin login-link``: a one-time link to the web console, made on the server.

For a leader (who has no admin chat in Telegram) or an officer at the server. The link works
once, for 10 minutes; the admin log names the operator's system user as who made it.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import time

from bot.cli.report import DB_HELP
from bot.config import Settings
from bot.core.staff import AdminAction

__all__ = ["add_console_commands", "run_console_command"]

_TEXTS = {
    "link": {
        "vi": "Đường dẫn vào trang quản trị ({role}), dùng một lần trong 10 phút:\n{link}",
        "en": "A link to the web console ({role}), works once within 10 minutes:\n{link}",
    },
    "volunteer_needed": {
        "vi": "Vai trò volunteer cần --volunteer SỐ (số trong 'trolyso volunteers list').",
        "en": "The volunteer role needs --volunteer NUMBER (from 'trolyso volunteers list').",
    },
}


def add_console_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Declare ``trolyso admin login-link``."""
    admin = commands.add_parser("admin", help="the web console at /admin: login links")
    actions = admin.add_subparsers(dest="action", required=True, metavar="ACTION")
    link = actions.add_parser("login-link", help="a one-time link (10 minutes) to the console")
    link.add_argument(
        "--role",
        choices=["officer", "leader", "volunteer"],
        default="officer",
        help="officer: everything; leader: numbers only; volunteer: their own households",
    )
    link.add_argument("--name", default="", help="who it is for, written to the admin log")
    link.add_argument("--volunteer", type=int, help="the volunteer's number (role volunteer)")
    link.add_argument("--db", help=DB_HELP)
    link.add_argument("--lang", choices=["vi", "en"], default=None)


def run_console_command(settings: Settings, args: argparse.Namespace) -> int:
    """Run ``trolyso admin login-link``; returns the exit code."""
    lang: str = args.lang
    if args.role == "volunteer" and args.volunteer is None:
        print(_TEXTS["volunteer_needed"][lang], flush=True)
        return 2
    return asyncio.run(_link(settings, args))


async def _link(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app.access import console_address, issue_link, login_link
    from bot.storage import open_storage

    storage = open_storage(args.db or settings)
    await storage.open()
    try:
        actor = f"cli:{getpass.getuser()}" + (f" for {args.name}" if args.name else "")
        now = time.time()
        token = await issue_link(
            storage,
            actor=actor[:80],
            role=args.role,
            name=args.name[:40],
            volunteer_id=args.volunteer if args.role == "volunteer" else None,
            now=now,
        )
        await storage.record_admin_action(
            AdminAction(
                actor=actor[:80],
                action="login-link",
                detail=f"role={args.role}",
                allowed=True,
                at=now,
            )
        )
    finally:
        await storage.close()
    from bot.config import WebSettings

    # Without web: in config.yaml, where ``trolyso web`` serves it by default.
    link = login_link(console_address(settings.web or WebSettings()), token)
    print(_TEXTS["link"][args.lang].format(role=args.role, link=link), flush=True)
    return 0
