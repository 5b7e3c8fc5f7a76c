"""The ``trolyso`` command: chat in the terminal, check flows, and (later) run on Telegram.

Whatever goes wrong, an admin sees a sentence saying what and where, never a Python traceback
(set ``TROLYSO_DEBUG=1`` to see one when reporting a bug).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import logging
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bot import __version__
from bot.cli.admin import ADMIN_COMMANDS, DRAFTS_HELP, add_admin_commands, run_admin_command
from bot.cli.migrate import add_migrate_command, run_migrate_command
from bot.cli.route import add_route_command, run_route_command
from bot.config import Settings, load_settings
from bot.core.errors import FlowError, TroLySoError
from bot.core.messages import describe, explain_error

if TYPE_CHECKING:
    from bot.flows.compiled import CompiledFlow

__all__ = ["main"]

# Libraries that log residents' messages at DEBUG (kept at INFO whatever log_level says).
_CHATTY_LIBRARIES = ("telegram", "httpx", "httpcore", "aiogram", "aiohttp", "aiosqlite", "asyncio")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="trolyso",
        description="Trợ lý số: step-by-step guidance for digital public services.",
    )
    parser.add_argument("--version", action="version", version=f"trolyso {__version__}")
    parser.add_argument(
        "--config", type=Path, help="config file (default: ./config.yaml if present)"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    chat = commands.add_parser(
        "chat", help="chat with the bot in this terminal (no Telegram needed)"
    )
    chat.add_argument("--user", default="local", help="whose conversation this is (default: local)")
    chat.add_argument("--lang", choices=["vi", "en"], help="language to chat in")
    chat.add_argument("--flows", type=Path, metavar="DRAFTS", help=DRAFTS_HELP)
    chat.add_argument(
        "--try",
        dest="trying",
        action="store_true",
        help="an admin trying flows, not a resident's conversation: /wait 1d lets a day pass so "
        "the reminders due by then are sent (also on with --flows)",
    )
    chat.add_argument("--db", type=Path, help="database file (default: the 'database' setting)")

    run = commands.add_parser("run", help="serve residents on Telegram (needs TROLYSO_BOT_TOKEN)")
    run.add_argument(
        "--flows",
        type=Path,
        help="a folder of flows to use instead of the live ones (chat, test and graph --flows "
        "add drafts to them instead)",
    )
    run.add_argument("--db", type=Path, help="database file (default: the 'database' setting)")
    key = commands.add_parser(
        "zalo-key", help="print a new key for TROLYSO_ZALO_TOKEN_KEY (encrypts the Zalo tokens)"
    )
    key.add_argument("--lang", choices=["vi", "en"], default=None, help="language of the note")

    web = commands.add_parser(
        "web", help="serve the web chat in a browser (no token needed): http://127.0.0.1:8080/"
    )
    web.add_argument("--host", help="address to listen on (default 127.0.0.1: this machine only)")
    web.add_argument("--port", type=int, help="port to listen on (default 8080; 0: any free one)")
    web.add_argument("--flows", type=Path, help="a folder of flows to use instead of the live ones")
    web.add_argument("--db", type=Path, help="database file (default: the 'database' setting)")
    web.add_argument("--lang", choices=["vi", "en"], default=None, help="language of the messages")

    lint = commands.add_parser("lint", help="check flow files and locales, with line numbers")
    lint.add_argument(
        "paths", nargs="*", type=Path, help="flow files or folders (default: all flows)"
    )
    lint.add_argument("--lang", choices=["vi", "en"], default=None, help="language of the messages")
    add_admin_commands(commands)
    add_route_command(commands)
    add_migrate_command(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    try:
        code = _main(argv)
        sys.stdout.flush()  # now, so that a reader gone away is noticed here and not at exit
    except BrokenPipeError:
        # The reader stopped reading (``trolyso test | head``): stop quietly, as Unix tools do.
        # Python would complain again when it flushes at exit, so point standard output at
        # /dev/null first, as the Python documentation advises.
        # (When standard output is not a real file, as in a test's capture, there is none.)
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # 128 + SIGPIPE: what a shell reports for a tool stopped by a closed pipe
    return code


def _main(argv: Sequence[str] | None) -> int:
    args = _parser().parse_args(argv)
    if args.command is None:
        _parser().print_help()
        return 0
    # The admin's language: the command's --lang, else the configured one (Vietnamese first).
    lang: str = getattr(args, "lang", None) or "vi"
    try:
        settings = load_settings(args.config)
        lang = getattr(args, "lang", None) or settings.language
        if args.command != "chat" and hasattr(args, "lang"):
            args.lang = lang  # every admin command speaks the configured language by default
        logging.basicConfig(
            level=logging.WARNING if args.command == "chat" else settings.log_level,
            format="%(levelname)s %(name)s: %(message)s",
        )
        # At DEBUG these libraries log whole requests and answers: residents' words, unmasked.
        for library in _CHATTY_LIBRARIES:
            logging.getLogger(library).setLevel(max(logging.INFO, logging.root.level))
        if args.command == "run":
            from bot.app.redact import hide_secrets

            # Now, before a framework is imported: from the first line, no token in any output.
            zalo = settings.zalo
            hide_secrets(
                settings.telegram.token,
                settings.telegram.webhook.secret_token,
                *(
                    ()
                    if zalo is None
                    else (zalo.app_secret, zalo.oa_secret_key, zalo.refresh_token, zalo.token_key)
                ),
            )
        if args.command == "zalo-key":
            from bot.channels.zalo.sealed import new_key

            # The note to the terminal, the key alone on standard output: $(trolyso zalo-key).
            print(describe("zalo.key_made", {}, lang), file=sys.stderr)
            print(new_key())
            return 0
        if args.command == "chat":
            return _chat(settings, args)
        if args.command == "lint":
            return _lint(settings, args)
        if args.command == "route":
            return run_route_command(settings, args)
        if args.command == "migrate":
            return run_migrate_command(settings, args)
        if args.command in ADMIN_COMMANDS:
            return run_admin_command(settings, args)
        if args.command == "run":
            return _run(settings, args)
        if args.command == "web":
            return _web(settings, args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        raise  # main() ends quietly
    except FlowError as exc:
        print(describe("cli.cannot_start", {}, lang), file=sys.stderr)
        for line in [problem.render(lang) for problem in exc.found] or exc.problems:
            print("  " + line, file=sys.stderr)
        print(describe("cli.fix_and_start_again", {}, lang), file=sys.stderr)
        return 2
    except TroLySoError as exc:
        print(f"trolyso: {explain_error(exc, lang)}", file=sys.stderr)
        return 2
    except Exception as exc:
        if os.environ.get("TROLYSO_DEBUG"):
            raise
        print(describe("cli.unexpected", {"detail": repr(exc)}, lang), file=sys.stderr)
        return 1
    return 0


def _chat(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app.assistant import fault_problem
    from bot.app.compose import build_app, draft_folder
    from bot.app.reload import FlowReloader
    from bot.app.tryout import TimeTravel, TryClock, WaitCommand
    from bot.channels.console import CHANNEL, ConsoleChannel, LocalCommand
    from bot.core.problems import Problem
    from bot.core.session import FlowFault
    from bot.core.types import Opened, SessionKey

    drafts = draft_folder(settings, args.flows)
    clock = TryClock(_clock())
    database = args.db
    if database is None and (args.trying or args.flows is not None):
        # An admin trying things (and moving time with /wait) keeps out of the residents'
        # database and the leaders' reports, and can still pick up where they left off.
        live = settings.database
        if not isinstance(live, Path):  # a database server: try on a SQLite file beside it
            from bot.storage import data_folder

            live = data_folder(settings) / "trolyso.sqlite3"
        database = live.with_name(f"{live.stem}-try{live.suffix}")
    admin = args.lang or settings.language  # the admin at this terminal

    async def report(problems: Sequence[Problem]) -> None:
        print(f"Trợ lý số: {describe('cli.edit_refused', {}, admin)}", file=sys.stderr)
        for problem in problems:
            print("  " + problem.render(admin), file=sys.stderr)

    async def tell_fault(fault: FlowFault) -> None:
        print(f"Trợ lý số: {describe('runtime.heading', {}, admin)}", file=sys.stderr)
        print("  " + fault_problem(fault).render(admin), file=sys.stderr)

    with asyncio.Runner() as runner:
        # tell_fault() shows a flow failing at run time once; the log would repeat it.
        app = runner.run(
            build_app(settings, drafts=drafts, database=database, clock=clock, on_fault=tell_fault)
        )
        try:
            logging.getLogger("bot.engine").setLevel(logging.ERROR)
            reloader = FlowReloader(
                settings, app.assistant, app.storage, drafts=drafts, on_problems=report
            )
            # report() already shows refused edits in the terminal; the log would repeat them.
            logging.getLogger("bot.app.reload").setLevel(logging.CRITICAL)
            local: dict[str, LocalCommand] = {}
            if args.trying or args.flows is not None:
                # /wait exists only here, for an admin: never for residents, never on Telegram.
                key = SessionKey(CHANNEL, args.user)
                travel = TimeTravel(app.assistant, app.storage, settings.reminders, key, clock)
                local["wait"] = WaitCommand(travel, settings.reminders)
                _trying_notes(settings, app.assistant.engine.flows, drafts, args.lang)
            channel = ConsoleChannel(
                app.assistant,
                app.storage,
                app.assistant.engine.catalog,
                user=args.user,
                before_turn=reloader.check,
                local_commands=local,
            )
            channel.run(runner, Opened(lang=args.lang or ""))
        finally:
            runner.run(app.close())
    return 0


def _trying_notes(
    settings: Settings, flows: Mapping[str, CompiledFlow], drafts: Path | None, lang: str | None
) -> None:
    """Tell the admin what is being tried: which drafts, and that /wait moves time."""
    from bot.flows.loader import flows_from

    lang = lang or settings.language
    if drafts is not None:
        names = ", ".join(sorted(flows_from([drafts], flows))) or "-"
        params = {"drafts": drafts, "live": settings.flows_dir, "flows": names}
        print(describe("cli.drafts", params, lang))
    print(describe("try.intro", {}, lang))


def _clock() -> Callable[[], float]:
    """The wall clock, or a test's: TROLYSO_FAKE_NOW=2026-11-24T09:00:00+07:00 starts it there.

    Tests run the real bot (``run``, ``chat``) as a process and need days to pass in seconds, or
    a known time of day; nothing else uses it.
    """
    start = os.environ.get("TROLYSO_FAKE_NOW")
    if not start:
        return time.time
    origin = dt.datetime.fromisoformat(start).timestamp()
    began = time.monotonic()
    return lambda: origin + (time.monotonic() - began)


def _run(settings: Settings, args: argparse.Namespace) -> int:
    from bot.channels.hosting import build_service

    async def serve() -> None:
        service = await build_service(
            settings, flows_dir=args.flows, database=args.db, clock=_clock()
        )
        for warning in service.app.warnings:
            logging.getLogger("bot.flows").warning("%s", warning)
        await service.run()

    asyncio.run(serve())
    return 0


def _web(settings: Settings, args: argparse.Namespace) -> int:
    """``trolyso web``: the web chat alone, with the real engine and database, no token."""
    from bot.channels.hosting import build_service
    from bot.config import WebSettings
    from bot.storage import shown_url

    web = settings.web or WebSettings()
    changes = {"host": args.host, "port": args.port}
    web = web.model_copy(update={k: v for k, v in changes.items() if v is not None})
    settings = settings.model_copy(update={"web": web})

    async def serve() -> None:
        service = await build_service(
            settings, channels=("web",), flows_dir=args.flows, database=args.db, clock=_clock()
        )
        for warning in service.app.warnings:
            logging.getLogger("bot.flows").warning("%s", warning)

        def started() -> None:
            host = "127.0.0.1" if web.host in ("0.0.0.0", "::", "") else web.host
            params = {
                "url": f"http://{host}:{service.web.server.port}/",
                # A server's URL without its password.
                "database": shown_url(str(args.db or settings.database)),
            }
            print(describe("cli.web_ready", params, args.lang), flush=True)

        await service.run(started=started)

    asyncio.run(serve())
    return 0


def _lint(settings: Settings, args: argparse.Namespace) -> int:
    from bot.flows.loader import load_flows
    from bot.i18n.catalog import load_catalog
    from bot.routing.intents import load_intents

    if args.paths:
        # Named files are checked in the library they join: their sub-flows are the live ones, and
        # each replaces the live flow with its id. Only what is wrong with them is shown.
        loaded = load_flows([settings.flows_dir], overlay=args.paths).only(args.paths)
    else:
        loaded = load_flows([settings.flows_dir])
    problems = list(loaded.problems)
    if not args.paths:
        _catalog, locale_problems = load_catalog(settings.locales_dir)
        problems.extend(locale_problems)
        # The words typed at a step are locales too (locales/intents.yaml).
        problems.extend(load_intents(settings.locales_dir / "intents.yaml")[1])
    for problem in problems:
        print(problem.render(args.lang))
    errors = sum(problem.is_error for problem in problems)
    warnings = len(problems) - errors
    steps = sum(len(flow.flow.steps) for flow in loaded.flows.values())
    if args.lang == "vi":
        print(
            f"{len(loaded.flows)} luồng hợp lệ ({steps} bước); {errors} lỗi, {warnings} cảnh báo."
        )
    else:
        print(
            f"{_count(len(loaded.flows), 'flow')} OK ({_count(steps, 'step')}); "
            f"{_count(errors, 'error')}, {_count(warnings, 'warning')}."
        )
    return 1 if errors else 0


def _count(number: int, noun: str) -> str:
    """``1 error``, ``2 errors``: English nouns agree with their number."""
    return f"{number} {noun}{'' if number == 1 else 's'}"
