"""``trolyso route "text"``: show an admin what the bot would do with a typed message, and why."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.config import Settings

__all__ = ["add_route_command", "run_route_command"]

_TEXTS: dict[str, dict[str, str]] = {
    "vi": {
        "message": "Tin nhắn",
        "read_as": "Bot đọc là",
        "decision": "Quyết định",
        "flow": "mở hướng dẫn «{flow}»",
        "choose": "hỏi lại, đưa ra các lựa chọn: {flows}",
        "menu": "hiện menu chính và nút «Gặp người giúp»",
        "greeting": "chào lại",
        "thanks": "đáp lời cảm ơn",
        "confidence": "độ tin cậy",
        "thresholds": "Ngưỡng: mở ngay từ {high} điểm, hỏi lại từ {medium} điểm "
        "(cách nhau dưới {margin} điểm thì hỏi lại); luồng ưu tiên cao (lừa đảo) đi trước.",
        "none": "Không luồng nào khớp.",
        "broken": "Không đọc được các luồng trong {where}. Chạy 'trolyso lint' để xem lỗi:",
    },
    "en": {
        "message": "Message",
        "read_as": "Read as",
        "decision": "Decision",
        "flow": "start the guide «{flow}»",
        "choose": "ask, offering: {flows}",
        "menu": "show the main menu and «Talk to a person»",
        "greeting": "greet back",
        "thanks": "reply to the thanks",
        "confidence": "confidence",
        "thresholds": "Thresholds: start at once from {high} points, ask from {medium} points "
        "(ask too when two flows are under {margin} points apart); high-priority flows (scams) "
        "go first.",
        "none": "No flow matches.",
        "broken": "The flows in {where} cannot be loaded. Run 'trolyso lint' to see why:",
    },
}
_COLUMNS = {
    "vi": ("#", "Luồng", "Điểm", "Cụm từ khớp", "Tên"),
    "en": ("#", "Flow", "Score", "Matched phrase", "Title"),
}
_TITLE_WIDTH = 34


def add_route_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Declare ``trolyso route TEXT [--flows DIR] [--lang vi|en]``."""
    route = commands.add_parser(
        "route", help="show which guide a typed message would open, with the scores"
    )
    route.add_argument("text", metavar="TEXT", help="the message, in quotes")
    route.add_argument("--flows", type=Path, help="a folder of flows (default: the live ones)")
    route.add_argument(
        "--lang",
        choices=["vi", "en"],
        default=None,
        help="language of the output (default: the configured language, Vietnamese)",
    )


def run_route_command(settings: Settings, args: argparse.Namespace) -> int:
    """Route ``args.text`` and print the decision and the ranked flows; 2 if flows are broken."""
    from bot.flows.loader import load_flows
    from bot.routing.router import HIGH, MARGIN, MEDIUM, Router
    from bot.routing.smalltalk import load_smalltalk

    texts = _TEXTS[args.lang]
    flows_dir: Path = args.flows or settings.flows_dir
    loaded = load_flows([flows_dir])
    if not loaded.ok:
        print(texts["broken"].format(where=flows_dir), file=sys.stderr)
        for problem in loaded.problems:
            if problem.is_error:
                print("  " + problem.render(args.lang), file=sys.stderr)
        return 2
    smalltalk = load_smalltalk(settings.locales_dir / "smalltalk.yaml")
    router = Router.from_flows(loaded.flows.values(), smalltalk)
    route = router.route(args.text)

    flows_shown = ", ".join(c.flow_id for c in route.offer)
    decision = texts[route.kind].format(flow=route.flow_id or "", flows=flows_shown)
    print(f"{texts['message']}: {args.text!r}")
    print(f"{texts['read_as']}: {' '.join(route.words)}")
    print(f"{texts['decision']}: {decision} ({texts['confidence']} {route.confidence:.2f})")
    print()
    if not route.candidates:
        print(texts["none"])
    else:
        rows = [
            (
                str(number),
                c.flow_id,
                str(c.score),
                c.phrase,
                _short(
                    loaded.flows[c.flow_id].flow.title.texts.get(args.lang)
                    or loaded.flows[c.flow_id].flow.title.texts.get("vi", "")
                ),
            )
            for number, c in enumerate(route.candidates, start=1)
        ]
        print(_table(_COLUMNS[args.lang], rows))
    print()
    print(texts["thresholds"].format(high=HIGH, medium=MEDIUM, margin=MARGIN))
    return 0


def _short(text: str) -> str:
    return text if len(text) <= _TITLE_WIDTH else text[: _TITLE_WIDTH - 1] + "…"


def _table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> str:
    """A plain-text table; numbers right-aligned."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    numeric = {0, 2}

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(
            cell.rjust(width) if i in numeric else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(header), rule, *(line(row) for row in rows)])
