"""Time from an update reaching the bot to its replies having been sent, per update.

    .venv/bin/python benchmarks/latency.py [--quick] [--users 1000] [--framework aiogram|ptb]

1,000 simulated residents walk flows/vneid_install.yaml at the same time through the real bot
(Trợ lý số on its aiogram channel by default, SQLite file on disk, Delivery through a network-free
Bot API). Each resident waits for the replies to its previous update before sending the next.
Every update's time is taken from handing it to the adapter (``parse`` + ``process``, i.e.
aiogram's ``Dispatcher.feed_update``) until the last of its replies went out.

Two runs:

* residents: each resident reads the bot's answer before the next tap or message (a pause drawn
  between ``--think`` seconds, 2-6 s by default) and they start spread over the first pause, as
  people do. The load is then about users / mean pause updates per second (250/s for 1,000), and
  the goal applies: p99 at most 20 ms on this 2-core machine.
* saturation (no pause): everyone sends the next update the moment the previous one is answered.
  With 1,000 updates always in flight, each one waits for ~1,000 others, so its time is about
  users / throughput (Little's law): this shows the queue, not the cost of one update.

This prints figures next to the goal; it asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _bench import (
    FakeTelegram,
    GcTimer,
    Trolyso,
    Walk,
    build_trolyso,
    fed_and_delivered,
    machine,
    message_update,
    percentile,
    resolve_walk,
)

GOAL_P99_MS = 20.0


async def resident(
    ours: Trolyso,
    user_id: int,
    walk: Walk,
    think: tuple[float, float],
    start_within: float,
    rng: random.Random,
    samples: dict[str, list[float]],
    committed: list[float],
) -> None:
    if start_within:
        await asyncio.sleep(rng.uniform(0, start_within))
    fake = ours.fake
    for number, action in enumerate(walk.actions):
        if number and think[1]:
            await asyncio.sleep(rng.uniform(*think))
        if action.kind == "text":
            data = message_update(user_id, action.value)
            kind = "start" if action.value.startswith("/") else "text"
        else:
            data = fake.press(user_id, action.value)
            kind = "press"
        started = time.perf_counter()

        async def feed(data: dict = data, started: float = started) -> None:  # type: ignore[type-arg]
            await ours.feed(data)
            committed.append(time.perf_counter() - started)

        await fed_and_delivered(feed)
        samples[kind].append(time.perf_counter() - started)


async def run(
    ours: Trolyso, walk: Walk, users: range, think: tuple[float, float], seed: int
) -> tuple[dict[str, list[float]], list[float], float, GcTimer]:
    rng = random.Random(seed)
    samples: dict[str, list[float]] = defaultdict(list)
    committed: list[float] = []
    start_within = statistics.fmean(think) if think[1] else 0.0
    started = time.perf_counter()
    with GcTimer() as collector:
        await asyncio.gather(
            *(
                resident(ours, user_id, walk, think, start_within, rng, samples, committed)
                for user_id in users
            )
        )
        await ours.bot.delivery.drain()
    return samples, committed, time.perf_counter() - started, collector


def report(
    title: str,
    samples: dict[str, list[float]],
    committed: list[float],
    seconds: float,
    collector: GcTimer,
    goal: bool,
) -> None:
    every = [s for values in samples.values() for s in values]
    print(
        f"\n{title}: {len(every):,} updates in {seconds:.1f} s "
        f"({len(every) / seconds:,.0f} updates/s); garbage collector {collector.describe()}"
    )
    print(f"  {'':28}{'count':>8}{'p50':>10}{'p95':>10}{'p99':>10}{'max':>10}")
    rows = [("all updates (replies sent)", every)]
    rows += [(f"  {kind}", values) for kind, values in sorted(samples.items())]
    rows.append(("all updates (turn committed)", committed))
    for name, values in rows:
        print(
            f"  {name:28}{len(values):8,}"
            + "".join(f"{percentile(values, share) * 1000:8.1f}ms" for share in (0.5, 0.95, 0.99))
            + f"{max(values) * 1000:8.1f}ms"
        )
    p99 = percentile(every, 0.99) * 1000
    if goal:
        verdict = "met" if p99 <= GOAL_P99_MS else "NOT met"
        print(f"  goal: p99 <= {GOAL_P99_MS:.0f} ms -> {verdict} (p99 {p99:.1f} ms)")
    else:
        print(
            f"  (no goal: about users / throughput = "
            f"{len(samples['start']) / (len(every) / seconds) * 1000:,.0f} ms by Little's law)"
        )


async def main_async(args: argparse.Namespace) -> int:
    walk = await resolve_walk()
    think = (args.think_min, args.think_max)
    mean_think = statistics.fmean(think)
    print(f"machine: {machine()}")
    print(
        f"Trợ lý số on its {args.framework} channel; {args.users:,} residents, each "
        f"{walk.describe()}"
    )
    with tempfile.TemporaryDirectory(prefix="trolyso-latency-") as tmp:
        fake = FakeTelegram()
        ours = await build_trolyso(args.framework, Path(tmp) / "latency.sqlite3", fake)
        try:
            # Warm-up: load the code paths, templates and SQLite pages once.
            await run(ours, walk, range(1, 51), (0.0, 0.0), args.seed)
            first = 1_000_000
            samples, committed, seconds, collector = await run(
                ours, walk, range(first, first + args.users), think, args.seed
            )
            report(
                f"residents pausing {think[0]:g}-{think[1]:g} s between updates "
                f"(offered about {args.users / (mean_think + 0.0):,.0f} updates/s)",
                samples,
                committed,
                seconds,
                collector,
                goal=True,
            )
            if not args.skip_saturation:
                first = 2_000_000
                samples, committed, seconds, collector = await run(
                    ours, walk, range(first, first + args.users), (0.0, 0.0), args.seed
                )
                report(
                    "saturation, no pause (every resident always has an update in flight)",
                    samples,
                    committed,
                    seconds,
                    collector,
                    goal=False,
                )
            expected = (50 + args.users * (1 if args.skip_saturation else 2)) * len(walk.actions)
            problems = await ours.problems(expected)
            print(
                "\ncheck: "
                + (
                    "; ".join(problems)
                    if problems
                    else f"all {expected:,} updates committed, no errors logged"
                )
            )
        finally:
            await ours.close()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--framework", choices=["aiogram", "ptb"], default="aiogram")
    parser.add_argument("--think-min", type=float, default=2.0, help="shortest pause, seconds")
    parser.add_argument("--think-max", type=float, default=6.0, help="longest pause, seconds")
    parser.add_argument("--skip-saturation", action="store_true", help="only the first run")
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="200 residents pausing 0.4-1.2 s (the same load per second)",
    )
    args = parser.parse_args()
    if args.quick:
        scale = min(args.users, 200) / args.users
        args.users = min(args.users, 200)
        args.think_min, args.think_max = args.think_min * scale, args.think_max * scale
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    raise SystemExit(main())
