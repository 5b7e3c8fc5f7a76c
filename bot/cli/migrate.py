"""``trolyso migrate --to postgresql://…``: move a commune from its SQLite file into PostgreSQL.

Run while the bot is stopped. Everything is copied in one transaction and checked table by
table (:mod:`bot.storage.transfer`); a second run finds the records there and changes nothing.
Exit codes: 0 copied, or already there; 2 nothing copied (the sentence on standard error says
why and what to do). A PostgreSQL URL is only ever shown without its password.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from typing import TYPE_CHECKING, TextIO

from bot.config import Settings
from bot.core.errors import ConfigError, TroLySoError
from bot.core.messages import describe, explain_error
from bot.reports.wording import integer

if TYPE_CHECKING:
    from bot.storage.transfer import TableCount

__all__ = ["add_migrate_command", "run_migrate_command"]

_LANG_HELP = "language of the messages (default: the configured language, Vietnamese)"
# Progress lines redrawn at most this often (seconds): enough to see it move, not to flicker.
REDRAW = 0.2


def add_migrate_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Declare ``migrate`` on the ``trolyso`` command line."""
    migrate = commands.add_parser(
        "migrate",
        help="copy the SQLite database (sessions, logs, staff, reminders...) into PostgreSQL; "
        "stop the bot first",
    )
    migrate.add_argument(
        "--to",
        required=True,
        metavar="postgresql://USER@HOST/DB",
        help="the PostgreSQL database to copy into (a password may come from ~/.pgpass)",
    )
    migrate.add_argument(
        "--from",
        dest="source",
        metavar="FILE",
        help="the SQLite file to copy (default: the 'database' setting)",
    )
    migrate.add_argument(
        "--force",
        action="store_true",
        help="replace whatever the PostgreSQL database holds when it is not this file's records",
    )
    migrate.add_argument("--lang", choices=["vi", "en"], default=None, help=_LANG_HELP)


def run_migrate_command(settings: Settings, args: argparse.Namespace) -> int:
    """Check the two ends, copy, and print the counts per table; returns the exit code."""
    from bot.storage import database_file, database_url, shown_url
    from bot.storage.transfer import TargetHasData, transfer

    lang: str = args.lang
    source = args.source if args.source is not None else settings.database
    try:
        url = database_url(args.to)
    except ConfigError:
        url = None  # a scheme that is no storage at all: the same advice
    if url is None:
        _say("migrate.target_not_server", lang, value=shown_url(str(args.to)))
        return 2
    try:
        if database_url(source) is not None:
            _say("migrate.source_not_file", lang, url=shown_url(str(source)))
            return 2
        path = database_file(source)
    except ConfigError as exc:
        print(f"trolyso: {explain_error(exc, lang)}", file=sys.stderr)
        return 2
    shown = shown_url(url)
    progress = _Progress(lang, sys.stderr)
    try:
        report = asyncio.run(transfer(path, url, force=args.force, progress=progress))
    except TargetHasData as exc:
        progress.clear()
        _say(exc.code, lang, **exc.params)
        _table(exc.tables, lang, sys.stderr)
        return 2
    except TroLySoError as exc:
        progress.clear()
        print(f"trolyso: {explain_error(exc, lang)}", file=sys.stderr)
        return 2
    progress.clear()
    if not report.copied:
        print(describe("migrate.already", {"url": shown, "path": path}, lang))
        _table(report.tables, lang, sys.stdout)
        return 0
    heading = "migrate.replaced" if report.replaced else "migrate.copied"
    print(describe(heading, {"url": shown, "path": path}, lang))
    _table(report.tables, lang, sys.stdout)
    total = sum(count.target for count in report.tables)
    params = {"total": integer(total, lang), "tables": len(report.tables)}
    print(describe("migrate.total", params, lang))
    print(describe("migrate.next", {"url": shown, "path": path}, lang))
    return 0


def _say(code: str, lang: str, **params: object) -> None:
    """A problem, on standard error, as every trolyso command says one."""
    print(f"trolyso: {describe(code, dict(params), lang)}", file=sys.stderr)


def _table(tables: tuple[TableCount, ...], lang: str, out: TextIO) -> None:
    """The counts per table, in aligned columns (plain text: no dependency for a table)."""
    heads = [describe(f"migrate.column.{name}", {}, lang) for name in ("table", "file", "target")]
    body = [(t.table, integer(t.source, lang), integer(t.target, lang)) for t in tables]
    widths = [max(len(row[i]) for row in [tuple(heads), *body]) for i in range(3)]
    for name, ours, theirs in [tuple(heads), *body]:
        print(f"  {name:<{widths[0]}}  {ours:>{widths[1]}}  {theirs:>{widths[2]}}", file=out)


class _Progress:
    """One line on a terminal, redrawn as the work goes; nothing at all when standard error is
    not a terminal (piped into a file or a log, a line per page would only fill it)."""

    def __init__(self, lang: str, out: TextIO) -> None:
        self.lang = lang
        self.out = out
        self.shown = out.isatty()
        self._drawn = 0.0
        self._width = 0

    def __call__(self, stage: str, table: str, done: int, total: int) -> None:
        """Redraw the line (at most every :data:`REDRAW` seconds, and when a table is done)."""
        if not self.shown:
            return
        now = time.monotonic()
        if done < total and now - self._drawn < REDRAW:
            return
        self._drawn = now
        params = {
            "stage": describe(f"migrate.stage.{stage}", {}, self.lang),
            "table": table,
            "done": integer(done, self.lang),
            "total": integer(total, self.lang),
        }
        line = describe("migrate.progress", params, self.lang)
        self.out.write("\r" + line.ljust(self._width))
        self.out.flush()
        self._width = len(line)

    def clear(self) -> None:
        """Take the line away before the result is printed."""
        if self.shown and self._width:
            self.out.write("\r" + " " * self._width + "\r")
            self.out.flush()
            self._width = 0
