"""How long the router takes per message, with a library of 50 flows, on one core.

    .venv/bin/python benchmarks/route_latency.py [--flows 50] [--rounds 40]

Loads the shipped flows, adds copies of them (new ids, varied trigger phrases) until there are
``--flows`` menu flows, then routes every labelled message of tests/routing/messages.yaml
``--rounds`` times and prints the 50th, 95th and 99th percentile time per message next to the
goal (p99 under 1 ms). The first round, with the typo cache still empty, is reported on its own.
This prints figures; it is not a test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _vocabulary import PLACES, TOPICS  # noqa: E402

from bot.core.located_yaml import read_yaml  # noqa: E402
from bot.flows.compiled import CompiledFlow  # noqa: E402
from bot.flows.loader import load_flows  # noqa: E402
from bot.routing import Router, load_smalltalk  # noqa: E402

GOAL_P99_MS = 1.0


def library(size: int) -> list[CompiledFlow]:
    """The shipped menu flows plus varied copies, ``size`` menu flows in all."""
    loaded = load_flows([ROOT / "flows"])
    if not loaded.ok:
        raise SystemExit("the shipped flows have errors: run 'trolyso lint'")
    flows = list(loaded.flows.values())
    menu = [f for f in flows if f.flow.menu]
    copies: list[CompiledFlow] = []
    for number in range(max(size - len(menu), 0)):
        original = menu[number % len(menu)]
        topic = TOPICS[number % len(TOPICS)]
        place = PLACES[number % len(PLACES)]
        triggers = {
            lang: [f"{phrase} {place}" for phrase in phrases[::2]] + [topic, f"hỏi về {topic}"]
            for lang, phrases in original.flow.triggers.items()
        }
        flow = original.flow.model_copy(
            update={"id": f"{original.id}_{number}", "triggers": triggers, "priority": 0}
        )
        copies.append(CompiledFlow(flow=flow, path=original.path, digest=f"copy{number}"))
    return flows + copies


def percentile(samples: list[float], share: float) -> float:
    """The value below which ``share`` of the sorted samples fall (nearest rank)."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def main() -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--flows", type=int, default=50, help="menu flows in the library")
    parser.add_argument("--rounds", type=int, default=40, help="times each message is routed")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core

    flows = library(args.flows)
    smalltalk = load_smalltalk(ROOT / "locales" / "smalltalk.yaml")
    started = time.perf_counter()
    router = Router.from_flows(flows, smalltalk)
    build_ms = (time.perf_counter() - started) * 1000
    texts = [
        str(item["text"])
        for item in read_yaml(ROOT / "tests" / "routing" / "messages.yaml").data["messages"]
    ]
    index = router.matcher.index
    menu_flows = len(index.flows)

    def timed(text: str) -> float:
        start = time.perf_counter_ns()
        router.route(text)
        return (time.perf_counter_ns() - start) / 1e6

    cold = [timed(text) for text in texts]  # first sight of every typo
    warm = [timed(text) for _ in range(args.rounds) for text in texts]
    huge = [timed("co nguoi goi xung cong an bao cai app vneid " * 250) for _ in range(50)]

    print(
        f"router over {menu_flows} menu flows, {len(index.phrases)} phrases, "
        f"{len(index.weights)} words; built in {build_ms:.0f} ms"
    )
    print(f"{len(texts)} labelled messages x {args.rounds} rounds = {len(warm)} routings, one core")
    print()
    print(f"{'':24}{'p50':>9}{'p95':>9}{'p99':>9}{'max':>9}{'mean':>9}")
    for name, samples in (
        ("first round (cold)", cold),
        ("all rounds (warm)", warm),
        ("10,000-char message", huge),
    ):
        print(
            f"{name:24}"
            + "".join(
                f"{value:>7.3f}ms"
                for value in (
                    percentile(samples, 0.50),
                    percentile(samples, 0.95),
                    percentile(samples, 0.99),
                    max(samples),
                    statistics.fmean(samples),
                )
            )
        )
    p99 = percentile(warm, 0.99)
    verdict = "met" if p99 < GOAL_P99_MS else "NOT met"
    print()
    print(f"goal: p99 under {GOAL_P99_MS:.0f} ms per message -> {verdict} (p99 {p99:.3f} ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
