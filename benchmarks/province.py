"""A province's figures (issue 18): PostgreSQL against SQLite, two processes against one, and
the interactive replies during a morning rush of reminders. Printed, not asserted.

    .venv/bin/python benchmarks/province.py [--quick] [--only abc]

(a) one bot process on PostgreSQL against one on SQLite: updates a second, the walk of
    benchmarks/throughput.py (goal: PostgreSQL at least 0.8x SQLite);
    Run in turns, several rounds (the machines here are shared: one round can be slowed by a
    neighbour), and the median of the rounds' ratios is the figure (so for (b));
(b) two bot processes on one PostgreSQL database against one process (goal: at least 1.3x),
    each process with its own residents, as a load balancer spreads them. Both as the bot
    runs (a turn checks the session's revision as it saves, and takes the resident's advisory
    lock only when that check finds a clash) and with the lock taken on every turn, the other
    way issue 18 names, to measure which is better;
(c) a morning rush: 10,000 reminders due at 07:00 at Telegram's 30 messages a second while
    residents write: p99 of their replies (goal: at most 2 s) and how much of the limit is used
    (goal: at least 95%).

The bot is built as ``trolyso run`` builds it (benchmarks/_bench.py: only the network is the
tests' fake Bot API, in process). PostgreSQL: the server at 127.0.0.1:5432 (or
$TROLYSO_BENCH_POSTGRES), in a database made for the run and dropped after it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import multiprocessing
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks._bench import (  # noqa: E402
    FakeTelegram,
    Walk,
    build_trolyso,
    fed_and_delivered,
    machine,
    message_update,
    number_updates_from,
    percentile,
    resolve_walk,
)

SERVER = os.environ.get("TROLYSO_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
VN = ZoneInfo("Asia/Ho_Chi_Minh")


@contextlib.contextmanager
def fresh_database() -> Any:
    """The URL of a new database on the server, dropped afterwards."""
    import psycopg
    from psycopg import sql

    name = f"trolyso_bench_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(SERVER, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield SERVER.rsplit("/", 1)[0] + "/" + name
        finally:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


async def _walk(ours: Any, walk: Walk, user_id: int) -> int:
    for action in walk.actions:
        if action.kind == "text":
            data = message_update(user_id, action.value)
        else:
            data = ours.fake.press(user_id, action.value)
        await fed_and_delivered(lambda data=data: ours.feed(data))
    return len(walk.actions)


async def _residents(database: Any, users: range, walk: Walk) -> tuple[int, float, float, str]:
    """Build a bot, walk ``users`` through it: (updates, start, end, problems)."""
    ours = await build_trolyso("aiogram", database, FakeTelegram())
    try:
        started = time.time()
        done = await asyncio.gather(*(_walk(ours, walk, user) for user in users))
        await ours.bot.delivery.drain()
        ended = time.time()
        return sum(done), started, ended, await _problems(ours, sum(done))
    finally:
        await ours.close()


async def _problems(ours: Any, expected: int) -> str:
    """What went wrong in a run: updates not committed, replies unsent, errors, apologies."""
    storage = ours.app.storage
    [committed] = await storage._one("SELECT COUNT(*) FROM processed_updates")
    found = []
    if committed != expected:
        found.append(f"{committed} of {expected} updates committed")
    if waiting := len(await storage.pending_outbox()):
        found.append(f"{waiting} replies still in the outbox")
    if ours.errors.count:
        found.append(f"{ours.errors.count} warnings/errors logged (first: {ours.errors.first})")
    if ours.fake.marked:
        found.append(f"{ours.fake.marked} apologies sent")
    return "; ".join(found)


def _child(database: str, first: int, count: int, ready: Any, go: Any, out: Any) -> None:
    """One bot process of (b): ready, then its residents when every process is."""
    if os.environ.get("TROLYSO_BENCH_LOCK_EVERY_TURN"):
        from bot.storage.postgres import PostgresStorage

        unlocked = PostgresStorage.turn_scope

        def locked(self: PostgresStorage, key: Any, *, locked: bool = True) -> Any:
            return unlocked(self, key, locked=True)

        PostgresStorage.turn_scope = locked  # type: ignore[method-assign]

    number_updates_from(first)  # each process's residents' updates numbered apart

    async def main() -> None:
        walk = await resolve_walk()
        ours = await build_trolyso("aiogram", database, FakeTelegram())
        ready.put(os.getpid())
        while not go.is_set():
            await asyncio.sleep(0.001)
        started = time.time()
        done = await asyncio.gather(*(_walk(ours, walk, u) for u in range(first, first + count)))
        await ours.bot.delivery.drain()
        out.put((sum(done), started, time.time()))
        await ours.close()

    asyncio.run(main())


def processes(database: str, count: int, users: int, *, lock: bool = False) -> float:
    """Updates a second of ``count`` processes sharing ``users`` residents (``lock``: the
    resident's lock taken on every turn)."""
    context = multiprocessing.get_context("spawn")
    ready, out, go = context.Queue(), context.Queue(), context.Event()
    env = os.environ.copy()
    if lock:
        os.environ["TROLYSO_BENCH_LOCK_EVERY_TURN"] = "1"
    share = users // count
    children = [
        context.Process(target=_child, args=(database, 1_000_000 * (n + 1), share, ready, go, out))
        for n in range(count)
    ]
    for child in children:
        child.start()
    os.environ.clear()
    os.environ.update(env)
    for _ in children:
        ready.get(timeout=120)
    go.set()
    results = [out.get(timeout=600) for _ in children]
    for child in children:
        child.join(timeout=60)
    updates = sum(r[0] for r in results)
    _check_committed(database, updates)
    return updates / (max(r[2] for r in results) - min(r[1] for r in results))


def _check_committed(database: str, updates: int) -> None:
    """Say so when the processes did not commit every update once (a figure not to trust)."""
    import psycopg

    with psycopg.connect(database) as conn:
        row = conn.execute("SELECT COUNT(*) FROM processed_updates").fetchone()
    if row is None or row[0] != updates:
        print(f"  ! {row[0] if row else 0} of {updates} updates committed")


async def one_process(database: Any, users: int, walk: Walk, what: str) -> float:
    updates, started, ended, problems = await _residents(database, range(1, users + 1), walk)
    rate = updates / (ended - started)
    print(
        f"  {what:36}{updates:>8,} updates{rate:>10,.0f} updates/s"
        + (f"  ! {problems}" if problems else "")
    )
    return rate


class Morning:
    """The commune's clock: set to a moment, then running as real time does."""

    def __init__(self, at: float) -> None:
        self.set(at)

    def set(self, at: float) -> None:
        self.base, self.started = at, time.monotonic()

    def __call__(self) -> float:
        return self.base + time.monotonic() - self.started


async def rush(database: Any, reminders: int, writers: int) -> None:
    """(c): ``reminders`` follow-ups due at 07:00, at 30 messages a second, ``writers``
    residents writing during it, one every half second."""
    from benchmarks._bench import aiogram_session, bench_settings
    from bot.channels.hosting import build_service
    from bot.channels.telegram.bot import make_adapter
    from bot.config import ReminderSettings
    from bot.core.types import Command, SessionKey
    from tests.harness import FIXTURE_FLOWS

    limits = {"messages_per_second": 30.0, "chat_messages_per_second": 1.0, "chat_burst": 3}
    settings = bench_settings(database, **limits).model_copy(
        update={
            "flows_dir": FIXTURE_FLOWS,
            "welcome_flow": "",
            "reminders": ReminderSettings(tick_seconds=0.5, per_second=30.0),
        }
    )
    fake = FakeTelegram(remember=False)
    adapter: Any = make_adapter(settings.telegram)
    adapter.bot.session = aiogram_session(fake)
    service = await build_service(settings, telegram_adapter=adapter, loops=False)
    await service.runner.start()
    from benchmarks._bench import track_deliveries

    track_deliveries(service.telegram.delivery)
    assistant, scheduler = service.app.assistant, service.scheduler
    eve = dt.datetime(2026, 12, 1, 7, 0, tzinfo=VN).timestamp()
    clock = Morning(eve)
    assistant.clock = scheduler.clock = clock
    for first in range(0, reminders, 500):  # yesterday: their applications, follow-up tomorrow
        await asyncio.gather(
            *(
                assistant.handle(
                    SessionKey("telegram", str(5_000_000 + n)), Command("start", "waiting")
                )
                for n in range(first, min(reminders, first + 500))
            )
        )
    clock.set(eve + 86400)
    fake.reset()
    started = time.monotonic()
    going = asyncio.ensure_future(scheduler.run())
    latencies: list[float] = []

    async def writer(n: int) -> None:
        await asyncio.sleep(n * 0.5)
        begun = time.perf_counter()
        core = service.telegram
        await fed_and_delivered(
            lambda: core.adapter.process(
                core.adapter.parse(message_update(8_000_000 + n, "/start other"))
            )
        )
        latencies.append(time.perf_counter() - begun)

    await asyncio.gather(*(writer(n) for n in range(writers)))
    storage = service.app.storage
    # Until every reminder is carried out and sent (the last one leaves after its turn).
    while await storage.due_followups(clock() + 1, limit=1) or await storage.pending_outbox():
        await asyncio.sleep(0.2)
    await service.telegram.delivery.drain()
    seconds = time.monotonic() - started
    going.cancel()
    sent = fake.calls["sendMessage"]
    used = sent / (30.0 * seconds)
    p99 = percentile(latencies, 0.99)
    print(
        f"  {reminders:,} reminders and {writers} residents writing: {sent:,} messages in "
        f"{seconds:.0f} s, {used:.0%} of the 30/s limit (goal >= 95%: "
        f"{'met' if used >= 0.95 else 'NOT met'})"
    )
    print(
        f"  residents' replies: p50 {percentile(latencies, 0.5) * 1000:.0f} ms, "
        f"p99 {p99 * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms "
        f"(goal p99 <= 2 s: {'met' if p99 <= 2 else 'NOT met'})"
    )
    await service.close()


async def main_async(args: argparse.Namespace) -> None:
    walk = await resolve_walk()
    users = 200 if args.quick else 1_000
    print(machine())
    print(f"the walk: {walk.describe()}")
    if "a" in args.only:
        rounds = 1 if args.quick else 3
        print(f"\n(a) one process, {users:,} residents, {rounds} round(s) in turns")
        ratios = []
        for _ in range(rounds):
            with tempfile.TemporaryDirectory() as folder:
                lite = await one_process(Path(folder) / "bench.sqlite3", users, walk, "SQLite")
            with fresh_database() as url:
                pg = await one_process(url, users, walk, "PostgreSQL")
            ratios.append(pg / lite)
        ratio = sorted(ratios)[len(ratios) // 2]
        shown = ", ".join(f"{r:.2f}" for r in ratios)
        verdict = "met" if ratio >= 0.8 else "NOT met"
        print(f"  PostgreSQL / SQLite = {ratio:.2f}, median of {shown} (goal >= 0.8: {verdict})")
    if "b" in args.only:
        rounds = 1 if args.quick else 3
        print(f"\n(b) PostgreSQL, {users:,} residents spread over the processes, {rounds} round(s)")
        ratios = []
        for _ in range(rounds):
            rates = []
            for count in (1, 2):
                with fresh_database() as url:
                    rates.append(processes(url, count, users))
            ratios.append(rates[1] / rates[0])
            print(f"  1 process {rates[0]:>8,.0f} updates/s, 2 processes {rates[1]:>8,.0f}")
        gain = sorted(ratios)[len(ratios) // 2]
        shown = ", ".join(f"{r:.2f}" for r in ratios)
        verdict = "met" if gain >= 1.3 else "NOT met"
        print(f"  two / one = {gain:.2f}, median of {shown} (goal >= 1.3: {verdict})")
        locked = []
        for count in (1, 2):
            with fresh_database() as url:
                locked.append(processes(url, count, users, lock=True))
        print(
            f"  the advisory lock taken on every turn instead: 1 process {locked[0]:,.0f} "
            f"updates/s, 2 processes {locked[1]:,.0f} (two / one = {locked[1] / locked[0]:.2f})"
        )
    if "c" in args.only:
        reminders = 2_000 if args.quick else 10_000
        print("\n(c) the morning rush, PostgreSQL")
        with fresh_database() as url:
            await rush(url, reminders, 40 if args.quick else 200)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="smaller runs (well under a minute each)"
    )
    parser.add_argument("--only", default="abc", help="which of a, b, c to run")
    asyncio.run(main_async(parser.parse_args()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
