"""The admin commands of ``trolyso``: conversation tests, flow diagrams and the editor schema.

``bot.cli.main`` calls :func:`add_admin_commands` to declare them and
:func:`run_admin_command` to run them. Each command prints sentences in the admin's language
(``--lang``, Vietnamese by default) and returns an exit code: 0 all good, 1 a test failed or a
test file has problems, 2 nothing could run (a wrong path, a flow that does not exist, flows with
errors).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.poster import add_poster_command, run_poster_command
from bot.cli.report import REPORT_COMMANDS, add_report_commands, run_report_command
from bot.config import Settings
from bot.core.errors import FlowError
from bot.core.messages import describe

if TYPE_CHECKING:
    from bot.flows.loader import LoadedFlows

__all__ = ["ADMIN_COMMANDS", "DRAFTS_HELP", "add_admin_commands", "run_admin_command"]

ADMIN_COMMANDS = ("test", "graph", "schema", "volunteers", *REPORT_COMMANDS, "poster", "admin")
_LANG_HELP = "language of the messages (default: the configured language, Vietnamese)"
# --flows of chat, test and graph (``run --flows`` still means "use instead").
DRAFTS_HELP = (
    "a folder of draft flows, tried together with the live ones (the 'flows_dir' setting): a "
    "draft may call live flows as sub-flows, and one with a live flow's id replaces it, for this "
    "run only"
)


def add_admin_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Declare ``test``, ``graph`` and ``schema`` on the ``trolyso`` command line."""
    test = commands.add_parser(
        "test", help="run the conversation tests of the flows (default: flows/tests/)"
    )
    test.add_argument(
        "paths",
        nargs="*",
        type=Path,
        help="test files or folders (default: DRAFTS/tests with --flows, else the live tests)",
    )
    test.add_argument(
        "--flows",
        type=Path,
        metavar="DRAFTS",
        help=DRAFTS_HELP + "; the coverage shown is the drafts'",
    )
    test.add_argument("--lang", choices=["vi", "en"], default=None, help=_LANG_HELP)

    graph = commands.add_parser("graph", help="print a flow as a Mermaid or Graphviz diagram")
    graph.add_argument("flow_id", metavar="FLOW_ID", help="the id of the flow to draw")
    graph.add_argument(
        "--format", choices=["mermaid", "dot"], default="mermaid", help="default: mermaid"
    )
    graph.add_argument("--flows", type=Path, metavar="DRAFTS", help=DRAFTS_HELP)
    graph.add_argument("--lang", choices=["vi", "en"], default=None, help=_LANG_HELP)

    schema = commands.add_parser(
        "schema", help="write the JSON Schema of flow files, for autocomplete in editors"
    )
    schema.add_argument(
        "--output",
        type=Path,
        help="where to write it; '-' prints it (default: docs/flow.schema.json beside flows/)",
    )
    schema.add_argument("--lang", choices=["vi", "en"], default=None, help=_LANG_HELP)
    add_report_commands(commands)
    add_poster_command(commands)

    from bot.cli.volunteers import add_volunteer_commands

    add_volunteer_commands(commands)

    from bot.cli.console import add_console_commands

    add_console_commands(commands)


def run_admin_command(settings: Settings, args: argparse.Namespace) -> int:
    """Run the admin command named in ``args.command`` (one of :data:`ADMIN_COMMANDS`)."""
    if args.command == "test":
        return _test(settings, args)
    if args.command == "graph":
        return _graph(settings, args)
    if args.command in REPORT_COMMANDS:
        return run_report_command(settings, args)
    if args.command == "poster":
        return run_poster_command(settings, args)
    if args.command == "volunteers":
        from bot.cli.volunteers import run_volunteer_command

        return run_volunteer_command(settings, args)
    if args.command == "admin":
        from bot.cli.console import run_console_command

        return run_console_command(settings, args)
    return _schema(settings, args)


def _say(code: str, lang: str, *, error: bool = False, **params: object) -> None:
    print(describe(code, dict(params), lang), file=sys.stderr if error else sys.stdout)


def _flows_broken(settings: Settings, drafts: Path | None, lang: str) -> int:
    """Explain, in the admin's language, why the flows (and drafts) cannot be loaded."""
    from bot.i18n.catalog import load_catalog

    problems = _load(settings, drafts).problems + load_catalog(settings.locales_dir)[1]
    _say("cli.flows_broken", lang, error=True, where=drafts or settings.flows_dir)
    for problem in problems:
        if problem.is_error:
            print("  " + problem.render(lang), file=sys.stderr)
    return 2


def _load(settings: Settings, drafts: Path | None) -> LoadedFlows:
    """The live flows, with the drafts (if any) on top, as chat, test and graph see them."""
    from bot.flows.loader import load_flows

    return load_flows([settings.flows_dir], overlay=[drafts] if drafts else ())


def _test(settings: Settings, args: argparse.Namespace) -> int:
    from bot.app.compose import draft_folder, load_engine
    from bot.convtest.files import find_test_files, read_test_file
    from bot.convtest.report import report
    from bot.convtest.run import run_tests
    from bot.flows.loader import flows_from

    lang: str = args.lang
    drafts = draft_folder(settings, args.flows)
    paths: list[Path] = args.paths or [(drafts or settings.flows_dir) / "tests"]
    try:
        # Built exactly as the bot builds it, so the welcome flow and settings apply in tests too.
        engine, _warnings = load_engine(settings, drafts=drafts)
    except FlowError:
        return _flows_broken(settings, drafts, lang)
    files, missing = find_test_files(paths)
    for path in missing:
        _say("cli.no_such_path", lang, error=True, where=path)
    if missing:
        return 2
    if not files:
        _say("cli.no_test_files", lang, error=True, where=", ".join(map(str, paths)))
        return 2
    parsed = [read_test_file(file, flows=engine.flows) for file in files]
    tests = [test for file in parsed for test in file.tests]
    results, coverage = asyncio.run(run_tests(engine, tests, reminders=settings.reminders))
    # With drafts, the coverage is theirs: the live flows they call are tested on their own.
    shown = flows_from([drafts], engine.flows) if drafts else engine.flows
    for line in report(parsed, results, coverage, shown, lang=lang, list_untested=not args.paths):
        print(line)
    broken = any(file.problems for file in parsed) or not all(r.passed for r in results)
    return 1 if broken else 0


def _graph(settings: Settings, args: argparse.Namespace) -> int:
    import difflib

    from bot.app.compose import draft_folder
    from bot.flows.graph import to_dot, to_mermaid
    from bot.i18n.catalog import load_catalog

    drafts = draft_folder(settings, args.flows)
    loaded = _load(settings, drafts)
    flow = loaded.flows.get(args.flow_id)
    if flow is None:
        close = difflib.get_close_matches(args.flow_id, list(loaded.flows), n=1)
        _say(
            "cli.no_flow",
            args.lang,
            error=True,
            flow=args.flow_id,
            where=f"{drafts}, {settings.flows_dir}" if drafts else settings.flows_dir,
            known=", ".join(sorted(loaded.flows)) or "-",
            suggestion=close[0] if close else "",
        )
        return 2
    catalog, _problems = load_catalog(settings.locales_dir)
    # The diagram shows the Vietnamese words residents see on the default help button.
    help_label = catalog.text("button.help", "vi", xung_ho="bạn") if catalog else "help"
    draw = to_dot if args.format == "dot" else to_mermaid
    print(draw(flow.flow, help_label=help_label), end="")
    return 0


def _schema(settings: Settings, args: argparse.Namespace) -> int:
    from bot.flows.jsonschema import schema_text

    text = schema_text()
    output: Path = args.output or settings.flows_dir.parent / "docs" / "flow.schema.json"
    if str(output) == "-":
        print(text, end="")
        return 0
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        _say("cli.cannot_write", args.lang, error=True, path=output, detail=exc.strerror or exc)
        return 2
    _say("cli.schema_written", args.lang, path=output)
    return 0
