"""``trolyso volunteers``: invite volunteers, list them, take access away — from the terminal.

Every action is recorded in the admin log like the same command in the bot, with the operator's
system user as the actor.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import time
from typing import Any

from bot.cli.report import DB_HELP
from bot.config import Settings
from bot.core.staff import AdminAction

__all__ = ["add_volunteer_commands", "run_volunteer_command"]

_TEXTS = {
    "invite_ok": {
        "vi": "Mã mời cho {village}: {code} (dùng một lần, hết hạn sau {days} ngày).\n"
        "Tình nguyện viên nhắn cho bot: /join {code}{link}",
        "en": "Invite code for {village}: {code} (works once, expires in {days} days).\n"
        "The volunteer sends the bot: /join {code}{link}",
    },
    "link": {"vi": "\nhoặc mở: {url}", "en": "\nor opens: {url}"},
    "none": {"vi": "Chưa có tình nguyện viên nào.", "en": "There are no volunteers yet."},
    "line": {
        "vi": "#{id}  {name}  {village}  mã {code}  {state}",
        "en": "#{id}  {name}  {village}  code {code}  {state}",
    },
    "active": {"vi": "đang hoạt động", "en": "active"},
    "inactive": {"vi": "đã ngừng", "en": "deactivated"},
    "deactivated": {
        "vi": "Đã ngừng quyền của tình nguyện viên #{id}.",
        "en": "Volunteer #{id} no longer has access.",
    },
    "not_found": {
        "vi": "Không có tình nguyện viên đang hoạt động số #{id}.",
        "en": "There is no active volunteer #{id}.",
    },
}


def _t(key: str, lang: str, **params: Any) -> str:
    return _TEXTS[key][lang].format(**params)


def add_volunteer_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Declare ``trolyso volunteers invite|list|deactivate``."""
    volunteers = commands.add_parser("volunteers", help="invite, list and deactivate volunteers")
    volunteers.add_argument("--db", help=DB_HELP)
    volunteers.add_argument("--lang", choices=["vi", "en"], default=None)
    actions = volunteers.add_subparsers(dest="action", required=True, metavar="ACTION")
    invite = actions.add_parser("invite", help="create a one-time invite code for a village")
    invite.add_argument("--village", required=True, help='the village, e.g. "Thôn 3"')
    invite.add_argument("--commune", default="", help='the commune, e.g. "Xã Lộc Hà"')
    invite.add_argument("--days", type=int, default=7, help="days before it expires (default 7)")
    actions.add_parser("list", help="list volunteers")
    deactivate = actions.add_parser("deactivate", help="take a volunteer's access away")
    deactivate.add_argument("id", type=int, help="the number shown by 'trolyso volunteers list'")


def run_volunteer_command(settings: Settings, args: argparse.Namespace) -> int:
    """Run ``trolyso volunteers ...``; returns the exit code."""
    return asyncio.run(_run(settings, args))


async def _run(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app.staff.desk import StaffDesk
    from bot.storage import open_storage

    # As text: a postgresql:// URL would not survive being made a Path (its // folds into /).
    storage = open_storage(args.db or settings)
    await storage.open()
    lang = args.lang
    actor = f"cli:{getpass.getuser()}"
    now = time.time()
    try:
        if args.action == "invite":
            desk = StaffDesk(storage)
            code = await desk.create_invite(
                village=args.village,
                commune=args.commune,
                created_by=actor,
                at=now,
                days=args.days,
            )
            username = settings.telegram.username
            link = (
                _t("link", lang, url=f"https://t.me/{username}?start=join_{code}")
                if username
                else ""
            )
            print(_t("invite_ok", lang, village=args.village, code=code, days=args.days, link=link))
            detail = f"village={args.village}"
        elif args.action == "list":
            volunteers = await storage.volunteers()
            if not volunteers:
                print(_t("none", lang))
            for v in volunteers:
                state = _t("active" if v.active else "inactive", lang)
                print(
                    _t(
                        "line",
                        lang,
                        id=v.id,
                        name=v.name or "-",
                        village=v.village,
                        code=v.code,
                        state=state,
                    )
                )
            detail = ""
        else:
            done = await storage.deactivate_volunteer(args.id, at=now)
            print(_t("deactivated" if done else "not_found", lang, id=args.id))
            detail = f"id={args.id}"
            if not done:
                return 1
        await storage.record_admin_action(
            AdminAction(
                actor=actor, action=f"volunteers {args.action}", detail=detail, allowed=True, at=now
            )
        )
        return 0
    finally:
        await storage.close()
