"""Resident memory of the bot: 100,000 known residents, 10,000 of them in the middle of a flow.

    .venv/bin/python benchmarks/memory.py [--quick] [--known 100000] [--active 10000]
                                          [--framework aiogram|ptb] [--tracemalloc]

One process, Trợ lý số on its aiogram channel (the default framework; ``--framework ptb`` for
the other) with a SQLite file on disk and a network-free Bot API, as in benchmarks/throughput.py.
Updates reach the bot the way polling delivers them: in getUpdates batches of 100, each batch
through the bot's own ``Poller.process_batch`` (all updates of a batch at once, committed before
the next batch; replies sent in the background).

1. 100,000 known residents: rows in the sessions table, written in bulk with SQL. Every row is the
   real session of a resident who finished a guide (played once through the engine), under
   another user id.
2. 10,000 of them start vneid_install through Telegram updates and walk its first steps (/start
   deep link, button presses, a typed label) through the adapter, TelegramCore, the Assistant,
   the engine, SQLite and Delivery.
3. A burst: all 10,000 send the rest of the walk (everyone's next update, then the next...).
4. Boundedness: residents the process has not seen yet (other known ones) each send one message;
   memory should not grow with them once the caches are full.

After each phase it prints VmRSS (and VmHWM, the peak) from /proc/self/status, after a garbage
collection; what grew per resident; and the size of in-process structures that hold something per
resident. ``--tracemalloc`` also traces Python allocations during the burst (slower; prints the
traced peak). Goal: the process stays under 200 MB (state lives in the database; any in-memory
cache must be bounded). This prints figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sqlite3
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _bench import (
    FLOW,
    FakeTelegram,
    Trolyso,
    Walk,
    bench_settings,
    build_trolyso,
    machine,
    message_update,
    resolve_walk,
)

GOAL_MB = 200.0
FIRST_ID = 100_000_000


def status() -> dict[str, float]:
    """VmRSS and VmHWM of this process, in MB."""
    values = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(rest.split()[0]) / 1024
    return values


def settled_rss() -> dict[str, float]:
    gc.collect()
    return status()


async def finished_session_json() -> str:
    """The stored session of a resident who went through the welcome and finished a guide."""
    from bot.app.assistant import Assistant
    from bot.app.compose import load_engine
    from bot.core.types import Command, Press, SessionKey
    from bot.storage.memory import MemoryStorage

    engine, _ = load_engine(bench_settings(Path("unused.sqlite3")))
    storage = MemoryStorage()
    assistant = Assistant(engine, storage)
    key = SessionKey("telegram", "1")
    keyboard: dict[str, str] = {}

    async def step(event: Any) -> None:
        handled = await assistant.handle(key, event)
        keyboard.clear()
        keyboard.update(
            {b.label: b.payload for m in handled.messages for row in m.buttons for b in row}
        )

    await step(Command("start", FLOW))
    await step(Press(keyboard["Anh"]))
    await step(Press(keyboard["Không có máy cảm ứng"]))  # a short way to the end of the guide
    session = await storage.load(key)
    assert session is not None
    return session.to_json()


def insert_known(database: Path, known: int, state: str) -> float:
    """``known`` sessions in one transaction (stdlib sqlite3, before the bot opens the file)."""
    started = time.perf_counter()
    now = time.time()
    connection = sqlite3.connect(database)
    try:
        columns = {row[1] for row in connection.execute("PRAGMA table_info(sessions)")}
        has_active = "active_at" in columns
        with connection:
            rows = ((f"{FIRST_ID + n}", state, now - n, now - n) for n in range(known))
            if has_active:
                connection.executemany(
                    "INSERT INTO sessions (channel, user_id, state, updated_at, active_at) "
                    "VALUES ('telegram', ?, ?, ?, ?)",
                    rows,
                )
            else:
                connection.executemany(
                    "INSERT INTO sessions (channel, user_id, state, updated_at) "
                    "VALUES ('telegram', ?, ?, ?)",
                    ((u, s, t) for u, s, t, _ in rows),
                )
    finally:
        connection.close()
    return time.perf_counter() - started


def update_for(ours: Trolyso, walk: Walk, user_id: int, number: int) -> dict[str, Any]:
    action = walk.actions[number]
    if action.kind == "text":
        return message_update(user_id, action.value)
    return ours.fake.press(user_id, action.value)


async def polled(ours: Trolyso, updates: list[dict[str, Any]], batch: int) -> float:
    """Hand ``updates`` to the bot's own Poller in getUpdates-sized batches; seconds taken.

    ``Poller.process_batch`` is what polling does with each getUpdates answer: every update of
    the batch at once (each chat in order), committed before the next batch is asked for; the
    replies are sent in the background meanwhile.
    """
    poller = ours.bot.poller
    adapter = ours.bot.adapter
    started = time.perf_counter()
    for first in range(0, len(updates), batch):
        await poller.process_batch([adapter.parse(u) for u in updates[first : first + batch]])
    await ours.bot.delivery.drain()
    return time.perf_counter() - started


async def steps(ours: Trolyso, walk: Walk, users: range, numbers: range, batch: int) -> float:
    """Each resident's updates ``numbers``, step by step: everyone's first, then everyone's next."""
    took = 0.0
    for number in numbers:
        took += await polled(ours, [update_for(ours, walk, u, number) for u in users], batch)
    return took


def structures(ours: Trolyso) -> list[tuple[str, int | str]]:
    """Sizes of in-process structures that keep something per resident (where they exist)."""
    bot = ours.bot
    found: list[tuple[str, Any, str]] = [
        ("SqliteStorage session cache", ours.app.storage, "_cache"),
        ("Assistant per-resident locks", ours.app.assistant, "_locks"),
        ("Delivery per-resident locks", bot.delivery, "_locks"),
        ("Delivery background tasks", bot.delivery, "_tasks"),
        ("RateLimiter per-chat buckets", bot.delivery.limiter, "_chats"),
        ("ChatOrder per-chat locks", bot.order, "_locks"),
    ]
    dispatcher = getattr(bot.adapter, "dispatcher", None)
    fsm = getattr(getattr(dispatcher, "storage", None), "storage", None)
    rows: list[tuple[str, int | str]] = []
    for name, owner, attribute in found:
        value = getattr(owner, attribute, None)
        rows.append((name, len(value) if value is not None else "n/a"))
    if fsm is not None:
        rows.append(("aiogram Dispatcher FSM MemoryStorage records", len(fsm)))
    application = getattr(bot.adapter, "application", None)
    if application is not None:
        rows.append(("ptb Application user_data", len(application.user_data)))
        rows.append(("ptb Application chat_data", len(application.chat_data)))
    return rows


async def main_async(args: argparse.Namespace) -> int:
    from bot.storage.sqlite import SqliteStorage

    walk = await resolve_walk()
    split = args.steps
    print(f"machine: {machine()}")
    print(
        f"Trợ lý số on its {args.framework} channel; {args.known:,} known residents, "
        f"{args.active:,} of them walking {FLOW}: "
        f"{split} updates each to get mid-flow, then a burst of {len(walk.actions) - split} "
        f"more each; then {args.returning:,} other known residents send one message each"
    )
    state = await finished_session_json()
    rows: list[tuple[str, dict[str, float], str]] = []
    with tempfile.TemporaryDirectory(prefix="trolyso-memory-") as tmp:
        database = Path(tmp) / "memory.sqlite3"
        schema = SqliteStorage(database)
        await schema.open()  # creates the tables
        await schema.close()
        rows.append(("before the bot (Python, the walk planned once)", settled_rss(), ""))
        seconds = insert_known(database, args.known, state)
        fake = FakeTelegram(remember=False)  # keeps nothing per chat
        ours = await build_trolyso(args.framework, database, fake)
        try:
            started = settled_rss()
            rows.append(
                (
                    f"bot started, {args.known:,} sessions in the file",
                    started,
                    f"rows inserted in {seconds:.1f} s; file "
                    f"{database.stat().st_size / 1e6:.0f} MB",
                )
            )
            active = range(FIRST_ID, FIRST_ID + args.active)
            took = await steps(ours, walk, active, range(split), args.batch)
            mid = settled_rss()
            rows.append(
                (
                    f"{args.active:,} residents mid-flow",
                    mid,
                    f"{args.active * split:,} updates in {took:.0f} s",
                )
            )
            if args.tracemalloc:
                tracemalloc.start()
            took = await steps(ours, walk, active, range(split, len(walk.actions)), args.batch)
            traced = ""
            if args.tracemalloc:
                _, traced_peak = tracemalloc.get_traced_memory()
                tracemalloc.stop()
                traced = f"; tracemalloc peak {traced_peak / 1e6:.0f} MB"
            burst = settled_rss()
            rows.append(
                (
                    f"after the burst (all {args.active:,} again)",
                    burst,
                    f"{args.active * (len(walk.actions) - split):,} updates in "
                    f"{took:.0f} s{traced}",
                )
            )
            before_returning = structures(ours)
            returning = range(FIRST_ID + args.active, FIRST_ID + args.active + args.returning)

            took = await polled(
                ours, [message_update(u, "cài vneid") for u in returning], args.batch
            )
            after = settled_rss()
            rows.append(
                (
                    f"+ {args.returning:,} other residents, one message each",
                    after,
                    f"{args.returning:,} updates in {took:.0f} s",
                )
            )
            expected = args.active * len(walk.actions) + args.returning
            problems = await ours.problems(expected)
            final_structures = structures(ours)
        finally:
            await ours.close()
    print(f"\n{'':52}{'VmRSS':>9}{'VmHWM':>9}")
    for name, values, note in rows:
        print(f"{name:52}{values['VmRSS']:7.0f}MB{values['VmHWM']:7.0f}MB  {note}")
    per_active = (burst["VmRSS"] - started["VmRSS"]) * 1024 * 1024 / args.active
    per_returning = (after["VmRSS"] - burst["VmRSS"]) * 1024 * 1024 / max(args.returning, 1)
    print(
        f"\nper resident mid-flow (RSS growth since start / {args.active:,}): "
        f"{per_active:,.0f} bytes"
    )
    print(
        f"per further resident (growth in the last phase / {args.returning:,}): "
        f"{per_returning:,.0f} bytes  (0 when every per-resident structure is bounded)"
    )
    print("\nin-process structures holding something per resident (after the burst -> at the end):")
    for (name, size), (_, final) in zip(before_returning, final_structures, strict=True):
        print(f"  {name:48}{size!s:>9} -> {final!s}")
    peak = max(values["VmHWM"] for _, values, _ in rows)
    verdict = "met" if peak < GOAL_MB else "NOT met"
    print(
        f"\ngoal: the process stays under {GOAL_MB:.0f} MB -> {verdict} (peak VmHWM {peak:.0f} MB,"
        f" {after['VmRSS']:.0f} MB at the end)"
    )
    print(
        "check: "
        + (
            "; ".join(problems)
            if problems
            else f"all {expected:,} updates committed, no errors logged"
        )
    )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--known", type=int, default=100_000)
    parser.add_argument("--active", type=int, default=10_000)
    parser.add_argument(
        "--returning",
        type=int,
        default=10_000,
        help="other known residents sending one message at the end",
    )
    parser.add_argument("--steps", type=int, default=4, help="updates to get mid-flow")
    parser.add_argument(
        "--batch",
        type=int,
        default=100,
        help="updates per getUpdates batch (Telegram's limit is 100)",
    )
    parser.add_argument("--framework", choices=["aiogram", "ptb"], default="aiogram")
    parser.add_argument("--tracemalloc", action="store_true", help="trace the burst (slower)")
    parser.add_argument("--quick", action="store_true", help="20,000 known, 2,000 active")
    args = parser.parse_args()
    if args.quick:
        args.known, args.active, args.returning = 20_000, 2_000, 2_000
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    raise SystemExit(main())
