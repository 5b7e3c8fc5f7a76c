"""``trolyso report`` and ``trolyso purge``: numbers for leaders, and forgetting old records.

Declared on the command line by :mod:`bot.cli.admin`; each returns an exit code: 0 done,
2 nothing could be done (a wrong date, no database, a file that cannot be written).
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from bot.config import Settings
from bot.core.errors import StorageError
from bot.core.messages import explain_error
from bot.reports.cli_messages import say
from bot.reports.period import local_time, parse_day
from bot.reports.wording import day, integer

if TYPE_CHECKING:
    from bot.storage.base import Storage

__all__ = [
    "DB_HELP",
    "REPORT_COMMANDS",
    "add_report_commands",
    "open_database",
    "run_report_command",
]

REPORT_COMMANDS = ("report", "purge")
_LANG_HELP = "language of the report and messages (default: the configured language, Vietnamese)"
# --db of every command that reads the database: a file, or a server (as text: a URL made a
# Path would fold its // into /).
DB_HELP = "database: a SQLite file or a postgresql:// URL (default: the 'database' setting)"

T = TypeVar("T")


def add_report_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Declare ``report`` and ``purge`` on the ``trolyso`` command line."""
    report = commands.add_parser(
        "report", help="numbers for leaders: residents helped per village, flows, volunteers"
    )
    report.add_argument("--since", metavar="YYYY-MM-DD", help="first day (default: the start)")
    report.add_argument("--until", metavar="YYYY-MM-DD", help="last day, included (default: today)")
    report.add_argument(
        "--village", metavar="V", help="only this village (diacritics optional: 'Thon Tay')"
    )
    report.add_argument(
        "--format",
        choices=["table", "csv", "html", "campaign"],
        default="table",
        help="default: table; campaign = the Đề án 06 tally per village (CSV, reports.campaign)",
    )
    report.add_argument(
        "--output", type=Path, metavar="FILE", help="write to FILE (default: print)"
    )
    report.add_argument("--lang", choices=["vi", "en"], default=None, help=_LANG_HELP)
    report.add_argument("--db", help=DB_HELP)
    report.add_argument("--flows", type=Path, help="the folder of flows (default: live)")

    purge = commands.add_parser(
        "purge", help="delete records older than the retention period (privacy.retention_days)"
    )
    purge.add_argument(
        "--days", type=int, help="keep this many days (default: privacy.retention_days, 365)"
    )
    purge.add_argument("--dry-run", action="store_true", help="only count what would be deleted")
    purge.add_argument("--lang", choices=["vi", "en"], default=None, help=_LANG_HELP)
    purge.add_argument("--db", help=DB_HELP)


def run_report_command(settings: Settings, args: argparse.Namespace) -> int:
    """Run ``report`` or ``purge`` (named in ``args.command``)."""
    if args.command == "report":
        return _report(settings, args)
    return _purge(settings, args)


def open_database(
    database: str | Path, lang: str, work: Callable[[Storage], Awaitable[T]]
) -> tuple[int, T | None]:
    """Open an existing database (a SQLite file or a PostgreSQL server), run ``work(storage)``
    and close it.

    Returns ``(0, result)``, or ``(2, None)`` after saying why the database could not be used.
    A missing file is never created: a report on an empty new file would only mislead. A
    server's URL is only ever shown without its password.
    """
    from bot.core.errors import ConfigError
    from bot.storage import database_file, database_url, open_storage, shown_url

    try:
        url = database_url(database)
        where: str | Path = shown_url(url) if url else database_file(database)
    except ConfigError as exc:
        shown = shown_url(str(database))
        say("database_problem", lang, error=True, path=shown, detail=explain_error(exc, lang))
        return 2, None
    if isinstance(where, Path) and not where.is_file():
        say("no_database", lang, error=True, path=where)
        return 2, None

    async def run() -> T:
        storage = open_storage(url or database)
        await storage.open()
        try:
            return await work(storage)
        finally:
            await storage.close()

    try:
        return 0, asyncio.run(run())
    except StorageError as exc:
        say("database_problem", lang, error=True, path=where, detail=explain_error(exc, lang))
        return 2, None


def _day_option(args: argparse.Namespace, name: str) -> tuple[bool, date | None]:
    value: str | None = getattr(args, name)
    if value is None:
        return True, None
    parsed = parse_day(value)
    if parsed is None:
        say("bad_day", args.lang, error=True, value=value, option=f"--{name}")
        return False, None
    return True, parsed


def _report(settings: Settings, args: argparse.Namespace) -> int:
    from bot.flows.loader import load_flows
    from bot.reports.build import build_report
    from bot.reports.campaign import render_campaign_csv
    from bot.reports.csv_out import render_csv
    from bot.reports.html import render_html
    from bot.reports.text import render_table
    from bot.reports.villages import known_villages, resolve_village

    lang: str = args.lang
    ok_since, since = _day_option(args, "since")
    ok_until, until = _day_option(args, "until")
    if not (ok_since and ok_until):
        return 2
    if since is not None and until is not None and since > until:
        say("since_after_until", lang, error=True, since=since, until=until)
        return 2
    loaded = load_flows([args.flows or settings.flows_dir])
    if not loaded.ok:
        say("flows_with_errors", lang, error=True)

    async def work(storage: Storage) -> str:
        village: str | None = args.village
        if village is not None:
            known = await known_villages(storage, settings)
            village = resolve_village(village, known)
            if village is None:
                # A misspelt village gives an empty report that reads like "nobody was helped".
                say(
                    "unknown_village",
                    lang,
                    error=True,
                    village=args.village,
                    known=", ".join(known) or "-",
                )
                village = args.village
        report = await build_report(storage, loaded.flows, settings, since, until, village)
        if args.format == "campaign":
            return render_campaign_csv(report, settings.reports.campaign, lang)
        if args.format == "csv":
            return render_csv(report, lang)
        if args.format == "html":
            return render_html(report, lang)
        return render_table(report, lang)

    code, output = open_database(args.db or settings.database, lang, work)
    if output is None:
        return code
    if args.output is None:
        print(output, end="")
        return 0
    # Excel only reads Vietnamese letters in a CSV right when the file starts with a BOM.
    encoding = "utf-8-sig" if args.format in ("csv", "campaign") else "utf-8"
    try:
        args.output.write_text(output, encoding=encoding)
    except OSError as exc:
        say("cannot_write", lang, error=True, path=args.output, detail=exc.strerror or exc)
        return 2
    say("written", lang, path=args.output)
    return 0


def _purge(settings: Settings, args: argparse.Namespace) -> int:
    from bot.reports.cli_messages import text
    from bot.storage.base import PURGE_TABLES

    lang: str = args.lang
    days: int = settings.privacy.retention_days if args.days is None else args.days
    if days < 1:
        say("bad_days", lang, error=True, days=days)
        return 2
    cutoff = time.time() - days * 86400

    async def work(storage: Storage) -> dict[str, int]:
        if args.dry_run:
            return await storage.count_old(cutoff)
        return await storage.purge_old(cutoff)

    code, counts = open_database(args.db or settings.database, lang, work)
    if counts is None:
        return code
    if not args.dry_run:
        # The QR pictures of hand-over links that no longer work (each holds its link).
        from bot.app.staff.handover import sweep_pictures
        from bot.storage import data_folder

        sweep_pictures(data_folder(args.db or settings) / "handovers", time.time())
    moment = local_time(cutoff, settings.zone)
    say(
        "purge_dry" if args.dry_run else "purge_done",
        lang,
        days=days,
        cutoff=f"{day(moment.date(), lang)} {moment:%H:%M}",
    )
    width = max(len(table) for table in PURGE_TABLES)
    for table in PURGE_TABLES:
        count = integer(counts[table], lang)
        print(f"  {table:<{width}}  {count:>7}  {text('table.' + table, lang)}")
    say("purge_total", lang, total=integer(sum(counts.values()), lang))
    return 0
