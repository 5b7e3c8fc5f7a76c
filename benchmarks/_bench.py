"""Shared pieces of the Telegram benchmarks: a network-free Bot API, the walk, the real bot.

Nothing here is a test. ``FakeTelegram`` answers Bot API requests with the tests' own fake Bot API
(tests/support: the same methods and checks the end-to-end tests use), without any socket;
``AiogramFakeSession`` and ``PtbFakeRequest``
plug it into aiogram's ``BaseSession`` and ptb's ``BaseRequest``, so the frameworks still
serialise every request and parse every answer exactly as they do over HTTP.

``Walk`` is one resident's way through a shipped flow: ``/start <flow>`` as a deep link, button
presses carrying the callback_data the bot really offers, and typed answers. ``resolve_walk``
plays it once through the real engine to read those payloads.

``build_trolyso`` builds the bot through ``trolyso run``'s own wiring
(:func:`bot.channels.hosting.build_service`) and only swaps the adapter's HTTP client for the
fake.
"""

from __future__ import annotations

import asyncio
import contextvars
import itertools
import json
import logging
import os
import platform
import sqlite3
import sys
import time
import warnings
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BOT_ID = 7_000_001
TOKEN = f"{BOT_ID}:BENCHMARK-not-a-real-token"
BOT_USERNAME = "trolyso_bench_bot"
BOT_USER = {"id": BOT_ID, "is_bot": True, "first_name": "Trợ lý số", "username": BOT_USERNAME}
# Never contacted: every request is answered by FakeTelegram.
API_BASE = "http://127.0.0.1:9"

# ---------------------------------------------------------------------------------------------
# The machine
# ---------------------------------------------------------------------------------------------


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine() -> str:
    """CPU model, cores, Python and library versions, for the top of every report."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = os.cpu_count() or 0
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    return (
        f"{model}, {cores} cores ({usable} usable); Python {platform.python_version()}; "
        f"aiogram {_version('aiogram')}, python-telegram-bot {_version('python-telegram-bot')}, "
        f"aiogram-dialog {_version('aiogram-dialog')}, aiosqlite {_version('aiosqlite')}, "
        f"SQLite {sqlite3.sqlite_version}; {revision()}"
    )


def revision() -> str:
    """The commit measured (and whether the work tree had changes)."""
    import subprocess

    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--", "bot"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown revision"
    return f"commit {head}" + (" + uncommitted changes in bot/" if dirty else "")


class GcTimer:
    """Counts the garbage collector's runs and the time they take, per generation."""

    def __init__(self) -> None:
        self.runs = [0, 0, 0]
        self.seconds = [0.0, 0.0, 0.0]
        self._started = 0.0

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            generation = info["generation"]
            self.runs[generation] += 1
            self.seconds[generation] += time.perf_counter() - self._started

    def __enter__(self) -> GcTimer:
        import gc

        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *_exc: object) -> None:
        import gc

        gc.callbacks.remove(self._callback)

    @property
    def total(self) -> float:
        return sum(self.seconds)

    def describe(self) -> str:
        return ", ".join(
            f"gen{g} {n}x {s * 1000:.0f} ms"
            for g, (n, s) in enumerate(zip(self.runs, self.seconds, strict=True))
        )


def rss_mb() -> float:
    """Resident memory of this process (VmRSS), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def percentile(samples: list[float], share: float) -> float:
    """The value below which ``share`` of the samples fall (nearest rank)."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


# ---------------------------------------------------------------------------------------------
# The tests' fake Bot API, answered in process
# ---------------------------------------------------------------------------------------------


class FakeTelegram:
    """The Bot API of the tests (tests/support), answered without a socket.

    Every method is the tests' own (:data:`tests.support.fake_bot_methods.HANDLERS` on a
    :class:`~tests.support.fake_bot_state.BotState`): the same checks of texts, keyboards and
    chats, the same answers. Only the HTTP server is left out, so a benchmark measures the bot,
    not a local socket. It counts calls and remembers each chat's last keyboard (what the walks
    press next).

    With ``remember=False`` it keeps nothing per chat once a call is answered, so it adds nothing
    to the memory measured by benchmarks/memory.py.
    """

    def __init__(self, *, remember: bool = True) -> None:
        from tests.support.fake_bot_state import BotState

        self.state = BotState(TOKEN, BOT_USERNAME)
        self.calls: Counter[str] = Counter()
        self.remember = remember
        # chat -> (message id, callback_data of every button) of the last message with a keyboard
        self.keyboards: dict[int, tuple[int, list[str]]] = {}
        self.marker = ""  # a text to count (the bot's apology after a failed turn)
        self.marked = 0

    def reset(self) -> None:
        """Forget the counts (not the message ids)."""
        self.calls.clear()
        self.marked = 0

    def last_message_id(self, chat_id: int) -> int:
        """The id of the last message the bot showed in ``chat_id`` with a keyboard."""
        entry = self.keyboards.get(chat_id)
        if entry:
            return entry[0]
        return self.state.last_message_id.get(chat_id, 1_000) if self.remember else 1_000

    def press(self, user_id: int, data: str) -> dict[str, Any]:
        """A button press on the last keyboard shown to ``user_id``, as Telegram delivers it.

        The callback query is noted as open, so the bot may answer it (Telegram refuses to
        answer a query it never sent).
        """
        update = callback_update(user_id, data, self.last_message_id(user_id))
        self.state.open_callback_queries.add(str(update["callback_query"]["id"]))
        return update

    def answer(self, method: str, form: Mapping[str, Any]) -> tuple[int, dict[str, Any]]:
        """Telegram's HTTP status and JSON answer to ``method`` with these form fields."""
        from tests.support.fake_bot_methods import HANDLERS, canonical_method
        from tests.support.fake_bot_requests import decode_param
        from tests.support.fake_bot_state import ApiError

        method = canonical_method(method)
        self.calls[method] += 1
        params = {key: decode_param(key, value) for key, value in form.items()}
        text = str(params.get("text") or params.get("caption") or "")
        if self.marker and self.marker in text:
            self.marked += 1
        handler = HANDLERS.get(method)
        try:
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            result = handler(self.state, params)
        except ApiError as error:
            return error.status, {
                "ok": False,
                "error_code": error.status,
                "description": error.description,
            }
        if isinstance(result, dict) and "message_id" in result:
            self._note(result)
        if not self.remember:
            self.state.messages.clear()
            self.state.last_message_id.clear()
            self.state.open_callback_queries.clear()
        return 200, {"ok": True, "result": result}

    def _note(self, message: dict[str, Any]) -> None:
        markup = message.get("reply_markup")
        if self.remember and isinstance(markup, dict) and markup.get("inline_keyboard"):
            self.keyboards[int(message["chat"]["id"])] = (
                int(message["message_id"]),
                [
                    str(button.get("callback_data", ""))
                    for row in markup["inline_keyboard"]
                    for button in row
                ],
            )


def aiogram_session(fake: FakeTelegram) -> Any:
    """An aiogram ``BaseSession`` that answers from ``fake`` instead of the network.

    It does the work the real AiohttpSession does around the socket: every field of the method
    goes through ``prepare_value`` (as ``build_form_data`` does), and the answer is JSON checked
    and parsed by ``check_response`` into aiogram's types.
    """
    from aiogram.client.session.base import BaseSession

    class AiogramFakeSession(BaseSession):
        async def make_request(self, bot: Any, method: Any, timeout: int | None = None) -> Any:
            files: dict[str, Any] = {}
            form = {}
            for key, value in method.model_dump(warnings=False).items():
                prepared = self.prepare_value(value, bot=bot, files=files)
                if prepared:
                    form[key] = prepared
            status, answer = fake.answer(method.__api_method__, form)
            content = json.dumps(answer)
            response = self.check_response(
                bot=bot, method=method, status_code=status, content=content
            )
            return response.result

        async def close(self) -> None:
            return None

        def stream_content(self, *args: Any, **kwargs: Any) -> Any:  # pragma: no cover
            # Never called by these runs: nothing here downloads files.
            raise NotImplementedError

    return AiogramFakeSession()


def ptb_request(fake: FakeTelegram) -> Any:
    """A python-telegram-bot ``BaseRequest`` whose ``do_request`` answers from ``fake``."""
    from telegram.request import BaseRequest

    class PtbFakeRequest(BaseRequest):
        __slots__ = ()

        @property
        def read_timeout(self) -> float | None:
            return 5.0

        async def initialize(self) -> None:
            return None

        async def shutdown(self) -> None:
            return None

        async def do_request(
            self,
            url: str,
            method: str,
            request_data: Any = None,
            read_timeout: Any = None,
            write_timeout: Any = None,
            connect_timeout: Any = None,
            pool_timeout: Any = None,
        ) -> tuple[int, bytes]:
            endpoint = url.rsplit("/", 1)[-1]
            params = request_data.json_parameters if request_data is not None else {}
            status, answer = fake.answer(endpoint, params)
            return status, json.dumps(answer).encode()

    return PtbFakeRequest()


# ---------------------------------------------------------------------------------------------
# Updates as Telegram sends them
# ---------------------------------------------------------------------------------------------

_update_ids = itertools.count(1)
_message_ids = itertools.count(1)
_callback_ids = itertools.count(1)


def number_updates_from(first: int) -> None:
    """Number this process's updates from ``first``: Telegram numbers a bot's updates once,
    whichever of the bot's processes receives them, so processes of one benchmark must not
    send the same numbers (the second would be taken for a redelivery of the first's)."""
    global _update_ids
    _update_ids = itertools.count(first)


def _user(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": "An", "language_code": "vi"}


def message_update(user_id: int, text: str) -> dict[str, Any]:
    """A text message in the private chat of ``user_id`` (a command gets its entity)."""
    message: dict[str, Any] = {
        "message_id": next(_message_ids),
        "from": _user(user_id),
        "chat": {"id": user_id, "type": "private", "first_name": "An"},
        "date": int(time.time()),
        "text": text,
    }
    if text.startswith("/"):
        length = len(text.split(maxsplit=1)[0].encode("utf-16-le")) // 2
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    return {"update_id": next(_update_ids), "message": message}


def callback_update(user_id: int, data: str, message_id: int) -> dict[str, Any]:
    """A press on a button carrying ``data`` under the bot's message ``message_id``."""
    return {
        "update_id": next(_update_ids),
        "callback_query": {
            "id": str(4_000_000_000_000_000 + next(_callback_ids)),
            "from": _user(user_id),
            "message": {
                "message_id": message_id,
                "from": BOT_USER,
                "chat": {"id": user_id, "type": "private", "first_name": "An"},
                "date": int(time.time()),
                "text": "...",
            },
            "chat_instance": str((user_id * 7_919 + 13) % 10**19),
            "data": data,
        },
    }


# ---------------------------------------------------------------------------------------------
# The walk through a shipped flow
# ---------------------------------------------------------------------------------------------

FLOW = "vneid_install"
# What a resident does: ("start", flow) | ("press", button label) | ("text", what they type).
WALK_SCRIPT: tuple[tuple[str, str], ...] = (
    ("start", FLOW),
    ("press", "Anh"),  # the welcome flow: how to address them
    ("press", "Android (Samsung, Oppo...)"),
    ("text", "Có thẻ gắn chip"),  # a button label, typed
    ("press", "Số đứng tên tôi"),
    ("press", "Đã cài xong"),
    ("text", "da bam"),  # a typed answer, no diacritics
    ("press", "Đã bấm xong"),
    ("press", "Đã đọc xong"),
    ("text", "chụp xong rồi"),  # a typed answer in the resident's words
)


@dataclass(frozen=True)
class Action:
    """One update of the walk: a message text, or a press with our bot's callback_data."""

    kind: str  # "text" or "press"
    value: str  # the text, or the callback_data
    index: int = 0  # the button's place on its keyboard (for bots with their own payloads)
    replies: int = 0  # messages our bot answers with (what the walk saw)


@dataclass
class Walk:
    """The resolved walk, with what one resident's walk sends back."""

    actions: list[Action] = field(default_factory=list)

    @property
    def replies(self) -> int:
        return sum(action.replies for action in self.actions)

    def describe(self) -> str:
        kinds = Counter(a.kind if not a.value.startswith("/") else "command" for a in self.actions)
        return (
            f"{len(self.actions)} updates per resident ({kinds['command']} /start deep link, "
            f"{kinds['press']} button presses, {kinds['text']} typed texts)"
        )


def bench_settings(database: Path, framework: str = "aiogram", **telegram: Any) -> Any:
    """Settings of a bot over the shipped flows and locales, with ``database`` as its file.

    Telegram's own sending limits (30 messages a second, 1 a second per chat) are lifted: they
    are a property of Telegram's servers, not of the bot's processing, which is what is measured.
    """
    from bot.config import Settings, TelegramSettings

    limits = {
        "messages_per_second": 1e9,
        "chat_messages_per_second": 1e9,
        "chat_burst": 1_000_000,
    }
    return Settings(
        flows_dir=ROOT / "flows",
        locales_dir=ROOT / "locales",
        database=database,
        log_level="WARNING",
        telegram=TelegramSettings(
            framework=framework,
            token=TOKEN,
            api_base=API_BASE,
            username=BOT_USERNAME,
            **{**limits, **telegram},
        ),
    )


async def resolve_walk(script: tuple[tuple[str, str], ...] = WALK_SCRIPT) -> Walk:
    """Play the script once through the real engine; read the payloads our buttons carry."""
    from bot.app.assistant import Assistant
    from bot.app.compose import load_engine
    from bot.core.types import Command, Press, SessionKey, Text
    from bot.storage.memory import MemoryStorage

    engine, _ = load_engine(bench_settings(Path("unused.sqlite3")))
    assistant = Assistant(engine, MemoryStorage())
    key = SessionKey("telegram", "1")
    walk = Walk()
    keyboard: list[tuple[str, str]] = []
    for kind, value in script:
        if kind == "start":
            event: Any = Command("start", value)
            action = Action("text", f"/start {value}")
        elif kind == "press":
            labels = [label for label, _ in keyboard]
            if value not in labels:
                raise SystemExit(
                    f"the walk expects a button {value!r} in {FLOW}, but the bot offers {labels}:"
                    " the flow changed; update WALK_SCRIPT in benchmarks/_bench.py"
                )
            index = labels.index(value)
            event = Press(keyboard[index][1])
            action = Action("press", keyboard[index][1], index=index)
        else:
            event = Text(value)
            action = Action("text", value)
        handled = await assistant.handle(key, event)
        if handled.failed or not handled.messages:
            raise SystemExit(f"the walk failed at {kind} {value!r}")
        new_keyboard = [
            (button.label, button.payload)
            for message in handled.messages
            for row in message.buttons
            for button in row
            if button.payload
        ]
        if kind == "text" and not value.startswith("/") and new_keyboard == keyboard:
            raise SystemExit(f"the typed {value!r} did not move the walk on: update WALK_SCRIPT")
        keyboard = new_keyboard or keyboard
        walk.actions.append(
            Action(action.kind, action.value, action.index, replies=len(handled.messages))
        )
    return walk


# ---------------------------------------------------------------------------------------------
# Waiting for a turn's replies (the bot sends them in background tasks)
# ---------------------------------------------------------------------------------------------

_sink: contextvars.ContextVar[list[asyncio.Future[None]] | None] = contextvars.ContextVar(
    "bench_delivery_sink", default=None
)


def track_deliveries(delivery: Any) -> None:
    """Let :func:`fed_and_delivered` wait for the delivery an update started.

    ``TelegramCore.handle`` hands the sending of a turn's replies to ``Delivery.spawn`` (a
    background task). This wraps ``spawn`` on this one object so the feeding task, which set a
    context variable, gets a future that completes when that background work has finished.
    """
    original = delivery.spawn

    def spawn(work: Awaitable[None]) -> None:
        sink = _sink.get()
        if sink is None:
            original(work)
            return
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        async def tracked() -> None:
            try:
                await work
            finally:
                if not done.done():
                    done.set_result(None)

        sink.append(done)
        original(tracked())

    delivery.spawn = spawn


async def fed_and_delivered(feed: Callable[[], Awaitable[None]]) -> None:
    """Run ``feed()`` and wait for the deliveries it spawned (no-op for inline senders)."""
    sink: list[asyncio.Future[None]] = []
    token = _sink.set(sink)
    try:
        await feed()
    finally:
        _sink.reset(token)
    if sink:
        await asyncio.gather(*sink)


# ---------------------------------------------------------------------------------------------
# Trợ lý số itself, network-free
# ---------------------------------------------------------------------------------------------


class ErrorCount(logging.Handler):
    """Counts warnings and errors the bot logs (a failed turn, a failed delivery)."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.count = 0
        self.first: str = ""

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        if not self.first:
            self.first = record.getMessage()[:300]


@dataclass
class Trolyso:
    """A started TelegramBot with a fake Bot API; ``feed(data)`` runs one raw update."""

    framework: str
    app: Any
    bot: Any
    fake: FakeTelegram
    errors: ErrorCount

    async def feed(self, data: dict[str, Any]) -> None:
        """The update through the adapter: parse, then the framework's dispatcher and our handler.

        (aiogram: ``Update.model_validate`` + ``Dispatcher.feed_update``; ptb: ``Update.de_json``
        + ``Application.process_update``.) Returns when the turn is committed.
        """
        adapter = self.bot.adapter
        await adapter.process(adapter.parse(data))

    async def problems(self, expected_updates: int) -> list[str]:
        """After a run: updates not committed, replies unsent, errors logged, apologies sent."""
        await self.bot.delivery.drain()
        committed = await processed_updates(self.app.storage)
        pending = len(await self.app.storage.pending_outbox())
        found = []
        if committed != expected_updates:
            found.append(f"{committed} of {expected_updates} updates committed")
        if pending:
            found.append(f"{pending} replies still in the outbox")
        if self.errors.count:
            found.append(f"{self.errors.count} warnings/errors logged (first: {self.errors.first})")
        if self.fake.marked:
            found.append(f"{self.fake.marked} apologies sent")
        return found

    async def close(self) -> None:
        await self.bot.close()
        await self.app.close()
        logging.getLogger("bot").removeHandler(self.errors)


async def build_trolyso(framework: str, database: Path, fake: FakeTelegram) -> Trolyso:
    """The bot as ``trolyso run`` builds it (``build_service``), with ``fake`` as Telegram."""
    from bot.channels.hosting import build_service
    from bot.channels.telegram.bot import make_adapter

    warnings.filterwarnings("ignore", category=DeprecationWarning)
    settings = bench_settings(database, framework)
    # The configured framework's real adapter; only its HTTP client answers from the fake.
    adapter: Any = make_adapter(settings.telegram)
    if framework == "ptb":
        request = ptb_request(fake)
        adapter.application.bot._request = (request, request)  # ptb has no public setter
    else:
        adapter.bot.session = aiogram_session(fake)
    service = await build_service(settings, telegram_adapter=adapter, loops=False)
    # getMe, setMyCommands, deleteWebhook: all answered by the fake; then the memory settings.
    await service.runner.start()
    bot = service.telegram
    track_deliveries(bot.delivery)
    errors = ErrorCount()
    logging.getLogger("bot").addHandler(errors)
    app = service.app
    fake.marker = app.assistant.engine.catalog.text("flow.broken", "vi", xung_ho="bạn")[:24]
    return Trolyso(framework, app, bot, fake, errors)


async def processed_updates(storage: Any) -> int:
    """How many update ids the database has committed."""
    async with storage.db.execute("SELECT count(*) FROM processed_updates") as cursor:
        row = await cursor.fetchone()
    return int(row[0])
