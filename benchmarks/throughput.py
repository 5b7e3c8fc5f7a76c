"""Updates per second, side by side: bare frameworks, their state machines, and Trợ lý số.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python benchmarks/throughput.py [--quick] [--users 1000] [--only abg]
    .venv/bin/python benchmarks/throughput.py --profile g     # where (g) spends its time

The same stream of updates (1,000 residents each walking flows/vneid_install.yaml: ``/start
vneid_install`` as a deep link, button presses with the callback_data the bot really offers, and
typed answers) goes through each framework's own entry point with a network-free HTTP client:

  (a) aiogram, a bare handler answering every message and press
  (b) aiogram FSM, three states, ``@router.message(Form.step)`` as in aiogram's docs
  (c) the same with ``StateFilter(Form.step)``
  (d) aiogram-dialog, three windows with buttons and a text input
  (e) python-telegram-bot, a bare handler
  (f) python-telegram-bot ConversationHandler, three states
  (g) Trợ lý số on its aiogram channel, SQLite on disk (synchronous=FULL), outbox delivery
  (h) Trợ lý số on its python-telegram-bot channel, the same

aiogram variants get ``Update.model_validate`` + ``Dispatcher.feed_update`` (what the adapter's
``parse``/``process`` do for (g)); ptb variants get ``Update.de_json`` + ``Application.
process_update``. Every resident is a task that sends its updates one after another, waiting for
each one's replies to be sent; all residents run at once. (g)/(h) count an update done only when its
turn is committed and its replies went through ``Delivery`` to the (fake) Bot API. (b)-(f) keep
their state in memory (the frameworks' defaults); (g)/(h) commit every turn to a SQLite file.

This prints figures next to the goal ((g)/(a) and (h)/(e) at least 0.7); it asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import pstats
import statistics
import sys
import tempfile
import time
import warnings
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _bench import (
    TOKEN,
    Action,
    FakeTelegram,
    GcTimer,
    Walk,
    aiogram_session,
    build_trolyso,
    fed_and_delivered,
    machine,
    message_update,
    ptb_request,
    resolve_walk,
)

GOAL_RATIO = 0.7
NAMES = {
    "a": "aiogram, bare handler",
    "b": "aiogram FSM, @router(Form.step)",
    "c": "aiogram FSM, StateFilter(Form.step)",
    "d": "aiogram-dialog, 3 windows",
    "e": "python-telegram-bot, bare handler",
    "f": "python-telegram-bot ConversationHandler",
    "g": "Trợ lý số, aiogram channel + SQLite",
    "h": "Trợ lý số, ptb channel + SQLite",
}
# What the baselines answer: a step's worth of Vietnamese text and a keyboard like ours.
STEP_TEXT = (
    "Trước hết, anh cần thẻ căn cước gắn chip (CCCD gắn chip hoặc thẻ căn cước mới). "
    "Anh có thẻ này chưa?"
)


@dataclass
class Target:
    """One bot under test: how to feed it an update, and how a resident presses its buttons."""

    letter: str
    fake: FakeTelegram
    feed: Callable[[dict[str, Any]], Awaitable[None]]
    close: Callable[[], Awaitable[None]]
    own_buttons: bool = False  # aiogram-dialog writes its own callback_data
    check: Callable[[int], Awaitable[str]] | None = None

    def callback_data(self, user_id: int, action: Action) -> str:
        if not self.own_buttons:
            return action.value
        _, payloads = self.fake.keyboards[user_id]
        return payloads[action.index % len(payloads)]


# --- aiogram --------------------------------------------------------------------------------------


def _aiogram_keyboard(walk: Walk) -> Any:
    from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

    payloads = [a.value for a in walk.actions if a.kind == "press"][:3]
    rows = [
        [InlineKeyboardButton(text=f"Lựa chọn {i + 1}", callback_data=p)]
        for i, p in enumerate(payloads)
    ]
    rows.append(
        [
            InlineKeyboardButton(text="⬅️ Quay lại", callback_data="back"),
            InlineKeyboardButton(text="🏠 Menu chính", callback_data="menu"),
        ]
    )
    return InlineKeyboardMarkup(inline_keyboard=rows)


def _aiogram_target(letter: str, fake: FakeTelegram, dispatcher: Any, **extra: Any) -> Target:
    from aiogram import Bot
    from aiogram.types import Update

    bot = Bot(TOKEN, session=aiogram_session(fake))

    async def feed(data: dict[str, Any]) -> None:
        await dispatcher.feed_update(bot, Update.model_validate(data, context={"bot": bot}))

    async def close() -> None:
        await bot.session.close()

    return Target(letter, fake, feed, close, **extra)


def build_a(fake: FakeTelegram, walk: Walk) -> Target:
    from aiogram import Dispatcher, Router
    from aiogram.types import CallbackQuery, Message

    keyboard = _aiogram_keyboard(walk)
    router = Router()

    @router.message()
    async def on_message(message: Message) -> None:
        await message.answer(STEP_TEXT, reply_markup=keyboard)

    @router.callback_query()
    async def on_press(query: CallbackQuery) -> None:
        await query.answer()
        await query.message.answer(STEP_TEXT, reply_markup=keyboard)  # type: ignore[union-attr]

    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    return _aiogram_target("a", fake, dispatcher)


def _build_fsm(letter: str, fake: FakeTelegram, walk: Walk, *, state_filter: bool) -> Target:
    from aiogram import Dispatcher, Router
    from aiogram.filters import CommandObject, CommandStart, StateFilter
    from aiogram.fsm.context import FSMContext
    from aiogram.fsm.state import State, StatesGroup
    from aiogram.types import CallbackQuery, Message

    class Form(StatesGroup):
        phone = State()
        card = State()
        number = State()

    keyboard = _aiogram_keyboard(walk)
    router = Router()

    def on(state: State) -> Any:
        return StateFilter(state) if state_filter else state

    @router.message(CommandStart(deep_link=True))
    async def start(message: Message, command: CommandObject, state: FSMContext) -> None:
        await state.set_state(Form.phone)
        await state.update_data(flow=command.args)
        await message.answer(STEP_TEXT, reply_markup=keyboard)

    def step(current: State, following: State, field: str) -> None:
        @router.message(on(current))
        async def typed(message: Message, state: FSMContext) -> None:
            await state.update_data({field: message.text})
            await state.set_state(following)
            await message.answer(STEP_TEXT, reply_markup=keyboard)

        @router.callback_query(on(current))
        async def pressed(query: CallbackQuery, state: FSMContext) -> None:
            await state.update_data({field: query.data})
            await state.set_state(following)
            await query.answer()
            await query.message.answer(STEP_TEXT, reply_markup=keyboard)  # type: ignore[union-attr]

    step(Form.phone, Form.card, "phone")
    step(Form.card, Form.number, "card")
    step(Form.number, Form.phone, "number")  # round again: the walk is longer than three steps
    dispatcher = Dispatcher()  # MemoryStorage, as in the docs
    dispatcher.include_router(router)
    return _aiogram_target(letter, fake, dispatcher)


def build_b(fake: FakeTelegram, walk: Walk) -> Target:
    return _build_fsm("b", fake, walk, state_filter=False)


def build_c(fake: FakeTelegram, walk: Walk) -> Target:
    return _build_fsm("c", fake, walk, state_filter=True)


def build_d(fake: FakeTelegram, walk: Walk) -> Target:
    from aiogram import Dispatcher, Router
    from aiogram.filters import CommandStart
    from aiogram.fsm.state import State, StatesGroup
    from aiogram.types import CallbackQuery, Message
    from aiogram_dialog import Dialog, DialogManager, StartMode, Window, setup_dialogs
    from aiogram_dialog.widgets.input import MessageInput
    from aiogram_dialog.widgets.kbd import Button, Column, Row
    from aiogram_dialog.widgets.text import Const

    class WalkSG(StatesGroup):
        phone = State()
        card = State()
        number = State()

    async def advance(manager: DialogManager) -> None:
        if manager.current_context().state == WalkSG.number:
            await manager.switch_to(WalkSG.phone)  # round again, like (b) and (c)
        else:
            await manager.next()

    async def on_click(_query: CallbackQuery, _button: Button, manager: DialogManager) -> None:
        await advance(manager)

    async def on_text(message: Message, _widget: Any, manager: DialogManager) -> None:
        manager.dialog_data["last"] = message.text
        await advance(manager)

    def window(state: State) -> Window:
        return Window(
            Const(STEP_TEXT),
            Column(
                *(
                    Button(Const(f"Lựa chọn {i}"), id=f"c{i}", on_click=on_click)
                    for i in range(1, 4)
                )
            ),
            Row(
                Button(Const("⬅️ Quay lại"), id="back", on_click=on_click),
                Button(Const("🏠 Menu chính"), id="menu", on_click=on_click),
            ),
            MessageInput(on_text),
            state=state,
        )

    router = Router()

    @router.message(CommandStart())
    async def start(message: Message, dialog_manager: DialogManager) -> None:
        await dialog_manager.start(WalkSG.phone, mode=StartMode.RESET_STACK)

    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    dispatcher.include_router(
        Dialog(window(WalkSG.phone), window(WalkSG.card), window(WalkSG.number))
    )
    setup_dialogs(dispatcher)
    return _aiogram_target("d", fake, dispatcher, own_buttons=True)


# --- python-telegram-bot --------------------------------------------------------------------------


def _ptb_keyboard(walk: Walk) -> Any:
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup

    payloads = [a.value for a in walk.actions if a.kind == "press"][:3]
    rows = [
        [InlineKeyboardButton(f"Lựa chọn {i + 1}", callback_data=p)] for i, p in enumerate(payloads)
    ]
    rows.append(
        [
            InlineKeyboardButton("⬅️ Quay lại", callback_data="back"),
            InlineKeyboardButton("🏠 Menu chính", callback_data="menu"),
        ]
    )
    return InlineKeyboardMarkup(rows)


async def _ptb_target(letter: str, fake: FakeTelegram, handlers: list[Any]) -> Target:
    from telegram import Update
    from telegram.ext import ApplicationBuilder

    request = ptb_request(fake)
    application = (
        ApplicationBuilder()
        .token(TOKEN)
        .request(request)
        .get_updates_request(request)
        .updater(None)
        .build()
    )
    for handler in handlers:
        application.add_handler(handler)
    await application.initialize()

    async def feed(data: dict[str, Any]) -> None:
        await application.process_update(Update.de_json(data, application.bot))

    async def close() -> None:
        await application.shutdown()

    return Target(letter, fake, feed, close)


async def build_e(fake: FakeTelegram, walk: Walk) -> Target:
    from telegram import Update
    from telegram.ext import CallbackQueryHandler, ContextTypes, MessageHandler, filters

    keyboard = _ptb_keyboard(walk)

    async def on_message(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_message.reply_text(STEP_TEXT, reply_markup=keyboard)  # type: ignore[union-attr]

    async def on_press(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        await query.answer()  # type: ignore[union-attr]
        await query.message.reply_text(STEP_TEXT, reply_markup=keyboard)  # type: ignore[union-attr]

    return await _ptb_target(
        "e", fake, [MessageHandler(filters.ALL, on_message), CallbackQueryHandler(on_press)]
    )


async def build_f(fake: FakeTelegram, walk: Walk) -> Target:
    from telegram import Update
    from telegram.ext import (
        CallbackQueryHandler,
        CommandHandler,
        ContextTypes,
        ConversationHandler,
        MessageHandler,
        filters,
    )

    keyboard = _ptb_keyboard(walk)
    phone, card, number = range(3)

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        context.user_data["flow"] = context.args[0] if context.args else ""  # type: ignore[index]
        await update.effective_message.reply_text(STEP_TEXT, reply_markup=keyboard)  # type: ignore[union-attr]
        return phone

    def step(field: str, following: int) -> list[Any]:
        async def typed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
            context.user_data[field] = update.effective_message.text  # type: ignore[index,union-attr]
            await update.effective_message.reply_text(STEP_TEXT, reply_markup=keyboard)  # type: ignore[union-attr]
            return following

        async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
            query = update.callback_query
            context.user_data[field] = query.data  # type: ignore[index,union-attr]
            await query.answer()  # type: ignore[union-attr]
            await query.message.reply_text(STEP_TEXT, reply_markup=keyboard)  # type: ignore[union-attr]
            return following

        return [
            CallbackQueryHandler(pressed),
            MessageHandler(filters.TEXT & ~filters.COMMAND, typed),
        ]

    with warnings.catch_warnings():  # "per_message=False": the docs' usual setup, on purpose
        warnings.simplefilter("ignore")
        conversation = ConversationHandler(
            entry_points=[CommandHandler("start", start)],
            states={
                phone: step("phone", card),
                card: step("card", number),
                number: step("number", phone),
            },
            fallbacks=[],
        )
    return await _ptb_target("f", fake, [conversation])


# --- Trợ lý số ------------------------------------------------------------------------------------


async def _build_ours(letter: str, framework: str, fake: FakeTelegram, folder: Path) -> Target:
    runs = len(list(folder.glob(f"bench-{framework}-*.sqlite3")))
    database = folder / f"bench-{framework}-{runs + 1}.sqlite3"  # a new file for every run
    ours = await build_trolyso(framework, database, fake)

    async def close() -> None:
        await ours.close()

    async def check(expected_updates: int) -> str:
        """Committed updates, failures and the apology, read back after the run."""
        return "; ".join(await ours.problems(expected_updates))

    target = Target(letter, fake, ours.feed, close, check=check)
    target.ours = ours  # type: ignore[attr-defined]
    return target


async def build_g(fake: FakeTelegram, walk: Walk, folder: Path) -> Target:
    return await _build_ours("g", "aiogram", fake, folder)


async def build_h(fake: FakeTelegram, walk: Walk, folder: Path) -> Target:
    return await _build_ours("h", "ptb", fake, folder)


async def build(letter: str, fake: FakeTelegram, walk: Walk, folder: Path) -> Target:
    if letter in "gh":
        return await (build_g if letter == "g" else build_h)(fake, walk, folder)
    builder = {"a": build_a, "b": build_b, "c": build_c, "d": build_d, "e": build_e, "f": build_f}[
        letter
    ]
    target = builder(fake, walk)
    return await target if asyncio.iscoroutine(target) else target  # type: ignore[return-value]


# --- the run --------------------------------------------------------------------------------------


async def resident(
    target: Target, user_id: int, walk: Walk, latencies: list[float] | None = None
) -> None:
    """One resident: each update after the previous one's replies were sent."""
    fake = target.fake
    for action in walk.actions:
        if action.kind == "text":
            data = message_update(user_id, action.value)
        else:
            data = fake.press(user_id, target.callback_data(user_id, action))
        started = time.perf_counter()
        await fed_and_delivered(lambda data=data: target.feed(data))  # type: ignore[misc]
        if latencies is not None:
            latencies.append(time.perf_counter() - started)


async def crowd(target: Target, users: range, walk: Walk) -> float:
    """All ``users`` walking at once; seconds until the last reply was sent."""
    started = time.perf_counter()
    await asyncio.gather(*(resident(target, user_id, walk) for user_id in users))
    ours = getattr(target, "ours", None)
    if ours is not None:
        await ours.bot.delivery.drain()  # nothing should be left, but stop the clock after it
    return time.perf_counter() - started


@dataclass
class Result:
    letter: str
    updates: int
    seconds: float
    sent: int
    note: str = ""
    calls: str = ""
    gc: GcTimer | None = None

    @property
    def rate(self) -> float:
        return self.updates / self.seconds


async def measure(
    letter: str,
    walk: Walk,
    users: int,
    warmup: int,
    folder: Path,
    first_user: int,
    profile: cProfile.Profile | None = None,
) -> Result:
    fake = FakeTelegram()
    target = await build(letter, fake, walk, folder)
    try:
        await crowd(target, range(first_user, first_user + warmup), walk)
        warm_updates = warmup * len(walk.actions)
        fake.reset()
        gc.collect()
        measured = range(first_user + warmup, first_user + warmup + users)
        if profile is not None:
            profile.enable()
        with GcTimer() as collector:
            seconds = await crowd(target, measured, walk)
        if profile is not None:
            profile.disable()
        updates = users * len(walk.actions)
        sent = fake.calls["sendMessage"] + fake.calls["editMessageText"]
        note = ""
        if target.check is not None:
            note = await target.check(warm_updates + updates)
            expected = users * walk.replies
            if fake.calls["sendMessage"] != expected:
                note = "; ".join(
                    filter(
                        None,
                        [
                            note,
                            f"{fake.calls['sendMessage']} messages sent,"
                            f" the walk expects {expected}",
                        ],
                    )
                )
        calls = ", ".join(f"{method} {count:,}" for method, count in fake.calls.most_common())
        return Result(letter, updates, seconds, sent, note, calls, collector)
    finally:
        await target.close()


def print_profile(profile: cProfile.Profile, seconds: float, top: int) -> None:
    """Where the time went: by package, the top functions, and the top of our code."""
    stats = pstats.Stats(profile)
    by_package: dict[str, float] = defaultdict(float)
    total = 0.0
    for (path, _line, _name), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        total += tottime
        by_package[_package(path)] += tottime
    print(
        f"\nprofile of the measured run ({seconds:.2f} s wall; {total:.2f} s in Python on the "
        "event-loop thread; SQLite itself runs in aiosqlite's thread and is not in it)"
    )
    print("\nown time by package:")
    for package, spent in sorted(by_package.items(), key=lambda item: -item[1])[:14]:
        print(f"  {spent / total:6.1%}  {spent:7.2f} s  {package}")
    print(f"\ntop {top} functions by own time:")
    _print_stats(stats, "tottime", top, None)
    print(f"\ntop {top} functions of bot/ by own time:")
    _print_stats(stats, "tottime", top, "/bot/")
    print(f"\ntop {top} functions of bot/ by cumulative time:")
    _print_stats(stats, "cumulative", top, "/bot/")


def _package(path: str) -> str:
    if "/site-packages/" in path:
        return path.split("/site-packages/", 1)[1].split("/", 1)[0].removesuffix(".py")
    if "/bot/" in path:
        parts = path.split("/bot/", 1)[1].split("/")
        return "bot/" + (parts[0] if len(parts) > 1 else parts[0].removesuffix(".py"))
    if "/benchmarks/" in path:
        return "benchmarks (fake Bot API, updates)"
    if path.startswith("~") or path == "<built-in>":
        return "built-ins (C)"
    if "/lib/python3" in path:
        return "stdlib/" + path.split("/lib/python3", 1)[1].split("/", 2)[1].removesuffix(".py")
    return path


def _print_stats(stats: pstats.Stats, key: str, top: int, only: str | None) -> None:
    rows = []
    for (path, line, name), (_cc, calls, tottime, cumtime, _c) in stats.stats.items():  # type: ignore[attr-defined]
        if only is not None and only not in path:
            continue
        rows.append(
            (
                tottime if key == "tottime" else cumtime,
                tottime,
                cumtime,
                calls,
                f"{_short(path)}:{line} {name}",
            )
        )
    rows.sort(key=lambda row: -row[0])
    print(f"  {'own s':>7} {'cum s':>7} {'calls':>9}  function")
    for _k, tottime, cumtime, calls, where in rows[:top]:
        print(f"  {tottime:7.2f} {cumtime:7.2f} {calls:9d}  {where}")


def _short(path: str) -> str:
    for marker in ("/site-packages/", "/work/main/", "/lib/python3.11/"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path


async def main_async(args: argparse.Namespace) -> int:
    walk = await resolve_walk()
    letters = args.profile or args.only
    rounds = 1 if args.profile else args.rounds
    print(f"machine: {machine()}")
    print(
        f"stream: {args.users:,} residents at once, each walking {walk.describe()}; "
        f"{args.users * len(walk.actions):,} updates per run, after a warm-up of "
        f"{args.warmup} residents; {rounds} round(s), variants taking turns"
    )
    results: dict[str, list[Result]] = defaultdict(list)
    with tempfile.TemporaryDirectory(prefix="trolyso-bench-") as tmp:
        folder = Path(tmp)
        print(f"SQLite files for (g)/(h) in {folder} (synchronous=FULL, on disk)\n")
        header = f"{'':4}{'':42}{'updates/s':>11}{'seconds':>9}{'sent':>8}{'in GC':>7}"
        number = 0
        for round_number in range(rounds):
            if rounds > 1:
                print(f"round {round_number + 1}")
            print(header)
            for letter in letters:
                number += 1
                profile = cProfile.Profile() if args.profile else None
                result = await measure(
                    letter,
                    walk,
                    args.users,
                    args.warmup,
                    folder,
                    first_user=10_000_000 * number,
                    profile=profile,
                )
                results[letter].append(result)
                print(
                    f"({letter}) {NAMES[letter]:42}{result.rate:11,.0f}{result.seconds:9.2f}"
                    f"{result.sent:8,}{result.gc.total / result.seconds:7.0%}"  # type: ignore[union-attr]
                    + (f"   ! {result.note}" if result.note else ""),
                    flush=True,
                )
                if args.verbose:
                    print(f"      Bot API calls: {result.calls}")
                    print(f"      garbage collector: {result.gc.describe()}")  # type: ignore[union-attr]
                if profile is not None:
                    print_profile(profile, result.seconds, args.top)
    rate = {letter: statistics.median(r.rate for r in runs) for letter, runs in results.items()}
    if rounds > 1:
        print(f"\nmedian of {rounds} rounds (updates per second; lowest-highest)")
        for letter, runs in results.items():
            rates = [r.rate for r in runs]
            print(
                f"({letter}) {NAMES[letter]:42}{rate[letter]:11,.0f}"
                f"   {min(rates):,.0f}-{max(rates):,.0f}"
            )
    print()
    for ours, base in (("g", "a"), ("h", "e")):
        if ours in rate and base in rate:
            ratio = rate[ours] / rate[base]
            verdict = "met" if ratio >= GOAL_RATIO else "NOT met"
            print(f"({ours})/({base}) = {ratio:.2f}   goal >= {GOAL_RATIO}  -> {verdict}")
    for ours, base, what in (
        ("g", "b", "an in-memory aiogram FSM"),
        ("g", "d", "aiogram-dialog (in memory)"),
        ("h", "f", "an in-memory ConversationHandler"),
    ):
        if ours in rate and base in rate:
            print(
                f"({ours})/({base}) = {rate[ours] / rate[base]:.2f}   (for reference: "
                f"against {what})"
            )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=1000, help="residents in the measured run")
    parser.add_argument("--warmup", type=int, default=50, help="residents in the warm-up")
    parser.add_argument(
        "--quick", action="store_true", help="200 residents, 20 for the warm-up, one round"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=2,
        help="measure every variant this many times (the median is compared)",
    )
    parser.add_argument("--only", default="abcdefgh", help="which variants, e.g. 'aeg'")
    parser.add_argument("--profile", default="", help="profile these variants (e.g. 'g')")
    parser.add_argument("--verbose", action="store_true", help="print the Bot API calls made")
    parser.add_argument("--top", type=int, default=25, help="rows in the profile tables")
    args = parser.parse_args()
    if args.quick:
        args.users, args.warmup, args.rounds = min(args.users, 200), min(args.warmup, 20), 1
    unknown = set(args.only + args.profile) - set(NAMES)
    if unknown:
        parser.error(f"unknown variants: {''.join(sorted(unknown))}")
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    raise SystemExit(main())
