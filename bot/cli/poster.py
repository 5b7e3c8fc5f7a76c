"""``trolyso poster``: a printable QR poster for a flow, optionally credited to a volunteer.

Exit codes: 0 written; 2 nothing written (no bot username, web address or Zalo OA id, an
unknown flow or volunteer code, a link Telegram would refuse, a folder that cannot be written).
"""

from __future__ import annotations

import argparse
import difflib
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.report import DB_HELP, open_database
from bot.config import Settings
from bot.reports.cli_messages import say

if TYPE_CHECKING:
    from bot.storage.base import Storage, VolunteerRow

__all__ = ["add_poster_command", "run_poster_command"]


def add_poster_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Declare ``poster`` on the ``trolyso`` command line."""
    poster = commands.add_parser(
        "poster", help="print an A5 QR poster (PNG and PDF) that opens a flow in the bot"
    )
    poster.add_argument("--flow", required=True, metavar="FLOW_ID", help="the flow to open")
    poster.add_argument(
        "--to",
        choices=["telegram", "web", "zalo"],
        default="telegram",
        help="what the QR code opens: the Telegram bot (default), the web chat (web.public_url) "
        "or the Zalo OA (zalo.oa_id; the poster says what to send there)",
    )
    poster.add_argument(
        "--volunteer", metavar="CODE", help="credit residents who scan it to this volunteer"
    )
    poster.add_argument(
        "--output", type=Path, default=Path("."), metavar="DIR", help="folder (default: here)"
    )
    poster.add_argument(
        "--lang",
        choices=["vi", "en"],
        default=None,
        help="language of the poster (default: the configured language, Vietnamese)",
    )
    poster.add_argument("--db", help=DB_HELP)
    poster.add_argument("--flows", type=Path, help="the folder of flows (default: live)")


def run_poster_command(settings: Settings, args: argparse.Namespace) -> int:
    """Check everything a working poster needs, then write its PNG and PDF."""
    from bot.config import ZaloSettings
    from bot.flows.loader import load_flows
    from bot.posters import (
        PosterError,
        bot_username,
        make_poster,
        start_payload,
        web_link,
        zalo_link,
    )

    lang: str = args.lang
    try:
        # Checked before anything else: without it no poster can ever work.
        web_url, zalo = None, None
        if args.to == "web":
            web_url = settings.web.public_url if settings.web is not None else ""
            web_link(web_url, "x")
        elif args.to == "zalo":
            oa = settings.zalo or ZaloSettings()
            zalo = (zalo_link(oa.oa_id).rsplit("/", 1)[-1], oa.start_word)
        else:
            bot_username(settings.telegram.username)
        flows = load_flows([args.flows or settings.flows_dir]).flows
        flow = flows.get(args.flow)
        if flow is None:
            known = ", ".join(sorted(flows)) or "-"
            close = difflib.get_close_matches(args.flow, list(flows), n=1)
            if close:
                say(
                    "no_flow_suggest",
                    lang,
                    error=True,
                    flow=args.flow,
                    suggestion=close[0],
                    known=known,
                )
            else:
                say("no_flow", lang, error=True, flow=args.flow, known=known)
            return 2
        start_payload(flow.id, args.volunteer)  # a link Telegram refuses is refused here
        if args.volunteer:

            async def find(storage: Storage) -> VolunteerRow | None:
                return await storage.active_volunteer(args.volunteer)

            code, volunteer = open_database(args.db or settings.database, lang, find)
            if code:
                return code
            if volunteer is None:
                say("no_volunteer", lang, error=True, code=args.volunteer)
                return 2
        poster = make_poster(
            flow.flow,
            username=settings.telegram.username,
            output=args.output,
            volunteer_code=args.volunteer,
            lang=lang,
            commune=settings.commune.name,
            web_url=web_url,
            zalo=zalo,
        )
    except PosterError as exc:
        say(exc.code, lang, error=True, **exc.params)
        return 2
    except OSError as exc:
        say("cannot_write", lang, error=True, path=args.output, detail=exc.strerror or exc)
        return 2
    typed = f" ({'nhắn' if lang == 'vi' else 'send'}: {poster.typed})" if poster.typed else ""
    say("poster_written", lang, png=poster.png, pdf=poster.pdf, link=poster.link, typed=typed)
    return 0
