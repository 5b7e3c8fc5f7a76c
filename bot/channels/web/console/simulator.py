"""The console's simulator: an officer chats with a flow in the page, before residents see it.

It is ``trolyso chat --flows DRAFTS`` in a browser: its own application
(:func:`bot.app.compose.build_app` with the draft folder over the live flows) on its own
database beside the live one (``...-try.sqlite3``, as the terminal's tryout uses), so nothing
tried reaches the leaders' numbers. Each start is a new conversation with its own id.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.app.compose import App, build_app, draft_folder
from bot.app.reload import FlowReloader
from bot.app.tryout import TimeTravel, TryClock, WaitCommand
from bot.config import Settings
from bot.core.console_messages import console_text
from bot.core.types import Command, IncomingEvent, OutgoingMessage, Press, SessionKey, Text
from bot.flows.graph import mermaid_node
from bot.flows.schema import parse_duration

__all__ = ["MAX_TEXT", "WAITS", "Simulator", "try_database"]

CHANNEL = "console"
MAX_TEXT = 500
# How far the page may move time (as /wait in `trolyso chat --try`): only these, so no request
# makes the scheduler walk through years.
WAITS = ("1h", "1d", "3d")
MAX_WAIT = 7 * 86400  # /wait typed in the simulator: at most a week


def try_database(settings: Settings) -> Path:
    """The tryout's database: beside the live SQLite file (or in the data folder)."""
    live = settings.database
    if not isinstance(live, Path):  # a database server: try on a SQLite file
        from bot.storage import data_folder

        live = data_folder(settings) / "trolyso.sqlite3"
    return live.with_name(f"{live.stem}-try{live.suffix}")


def _message(message: OutgoingMessage) -> dict[str, Any]:
    return {
        "text": message.text,
        "buttons": [
            [{"label": b.label, "payload": b.payload, "url": b.url} for b in row]
            for row in message.buttons
        ],
    }


class Simulator:
    """Conversations tried in the console, on the draft folder over the live flows."""

    def __init__(self, settings: Settings, *, clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        # The tryout's own clock: "wait a day" moves it, never the live bot's.
        self.clock = TryClock(clock)
        web = settings.web
        drafts = Path(web.console_drafts) if web is not None and web.console_drafts else None
        self.drafts = draft_folder(settings, drafts)
        self._app: App | None = None
        self._reloader: FlowReloader | None = None
        self._lock = asyncio.Lock()

    async def app(self) -> App:
        """The tryout's application, with the files as they are now (built at the first use,
        then reloaded when a flow or draft changed; a broken draft raises FlowError)."""
        async with self._lock:
            if self._app is None:
                self._app = await build_app(
                    self.settings,
                    drafts=self.drafts,
                    database=try_database(self.settings),
                    clock=self.clock,
                    on_fault=_ignore,
                )
                self._reloader = FlowReloader(
                    self.settings,
                    self._app.assistant,
                    self._app.storage,
                    drafts=self.drafts,
                    clock=self.clock,
                )
            elif self._reloader is not None:
                # As `trolyso chat` does before each turn: an edit saved is tried at once (an
                # edit with errors is refused and the last good version kept).
                await self._reloader.check()
            return self._app

    async def close(self) -> None:
        """Release the tryout's database."""
        if self._app is not None:
            await self._app.close()
            self._app = None

    async def turn(
        self, actor: str, conversation: str, flow_id: str, lang: str, event: IncomingEvent
    ) -> dict[str, Any]:
        """One turn of a tried conversation: what the bot says and where it is on the diagram."""
        app = await self.app()
        key = SessionKey(CHANNEL, f"{actor}~{conversation}")
        handled = await app.assistant.handle(key, event, lang_hint=lang)
        return await self._answer(app, key, conversation, flow_id, handled.messages)

    async def wait(
        self, actor: str, conversation: str, flow_id: str, lang: str, duration: str
    ) -> dict[str, Any]:
        """Let time pass in a tried conversation (one of :data:`WAITS`): the reminders it sends."""
        app = await self.app()
        key = SessionKey(CHANNEL, f"{actor}~{conversation}")
        reminders = self.settings.reminders
        travel = TimeTravel(app.assistant, app.storage, reminders, key, self.clock)
        shown = await WaitCommand(travel, reminders)(duration, lang)
        notes = [item for item in shown if isinstance(item, str)]
        messages = [m for item in shown if not isinstance(item, str) for m in item]
        answer = await self._answer(app, key, conversation, flow_id, tuple(messages))
        answer["notes"] = notes
        return answer

    async def _answer(
        self,
        app: App,
        key: SessionKey,
        conversation: str,
        flow_id: str,
        messages: tuple[OutgoingMessage, ...],
    ) -> dict[str, Any]:
        session = await app.storage.load(key)
        step = ""
        for frame in reversed(session.stack if session is not None else []):
            if frame.flow_id == flow_id:
                step = frame.step
                break
        return {
            "conversation": conversation,
            "messages": [_message(m) for m in messages],
            "notes": [],
            "step": step,
            "node": mermaid_node(step) if step else "",
        }

    async def start(self, actor: str, flow_id: str, lang: str) -> dict[str, Any]:
        """A new conversation opened on ``flow_id``."""
        conversation = secrets.token_hex(8)
        return await self.turn(actor, conversation, flow_id, lang, Command("start", flow_id))

    async def press(
        self, actor: str, conversation: str, flow_id: str, lang: str, payload: str
    ) -> dict[str, Any]:
        """A button pressed in a tried conversation."""
        return await self.turn(actor, conversation, flow_id, lang, Press(payload))

    async def say(
        self, actor: str, conversation: str, flow_id: str, lang: str, text: str
    ) -> dict[str, Any]:
        """Words typed in a tried conversation (a /command as the web chat reads it; ``/wait
        1d`` lets time pass, as in ``trolyso chat --try``, at most a week)."""
        text = text.strip()[:MAX_TEXT]
        if not (text.startswith("/") and len(text) > 1):
            return await self.turn(actor, conversation, flow_id, lang, Text(text))
        name, _, arg = text[1:].partition(" ")
        if name == "wait":
            seconds = parse_duration(arg.strip()) if arg.strip() else 0
            if seconds and seconds > MAX_WAIT:
                key = SessionKey(CHANNEL, f"{actor}~{conversation}")
                answer = await self._answer(await self.app(), key, conversation, flow_id, ())
                answer["notes"] = [console_text("sim.wait_max", lang)]
                return answer
            return await self.wait(actor, conversation, flow_id, lang, arg.strip())
        event = Command(name=name, arg=arg.strip())
        return await self.turn(actor, conversation, flow_id, lang, event)


async def _ignore(fault: object) -> None:
    """A flow failing while tried: the officer sees the bot's apology in the page."""
