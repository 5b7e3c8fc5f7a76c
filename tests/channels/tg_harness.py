"""Run the real Telegram channel against the fake Bot API, and talk to it like a resident.

``TelegramRig`` wires the real pieces (engine over the fixture flows, SQLite file, Assistant,
aiogram or python-telegram-bot adapter, polling or webhook); ``Resident`` sends texts and presses
buttons as Telegram would deliver them, and reads what the bot sent back.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.channels.hosting import build_service
from bot.config import TelegramSettings, WebhookSettings
from bot.core.types import SessionKey
from tests.harness import FIXTURE_FLOWS, make_settings
from tests.support.fake_bot_api import DEFAULT_TOKEN, FakeBotAPI
from tests.support.fake_bot_requests import Call
from tests.support.telegram_updates import callback_update, message_update

SECRET = "s3cret-token_for-tests"
WEBHOOK_PATH = "/telegram/webhook"
_update_ids = itertools.count(500_001)


async def wait_until(condition: Any, timeout: float = 20) -> None:
    """Poll ``condition()`` until it is true (AssertionError after ``timeout`` seconds)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.02)


async def outbox_emptied(storage: Any, key: SessionKey, timeout: float = 10) -> None:
    """Until nothing waits in ``key``'s outbox: a reply is marked sent once Telegram's answer
    is back, a moment after the fake Bot API recorded the send."""
    deadline = asyncio.get_running_loop().time() + timeout
    while await storage.pending_outbox(key):
        assert asyncio.get_running_loop().time() < deadline, "replies still wait in the outbox"
        await asyncio.sleep(0.01)


def _chat_of(update: dict[str, Any]) -> SessionKey | None:
    """The private chat an update comes from (None for kinds without one)."""
    if "message" in update:
        return SessionKey("telegram", str(update["message"]["chat"]["id"]))
    if "callback_query" in update:
        query = update["callback_query"]
        chat = query.get("message", {}).get("chat", {}).get("id", query["from"]["id"])
        return SessionKey("telegram", str(chat))
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class TelegramRig:
    """A started bot (framework x mode) wired to a fake Bot API."""

    api: FakeBotAPI
    framework: str
    mode: str
    db: Path
    flows: Path = FIXTURE_FLOWS
    extra: dict[str, Any] = field(default_factory=dict)
    busy_timeout: float = 10.0  # how long SQLite waits for another program's write lock
    config: dict[str, Any] = field(default_factory=dict)  # more settings (targets...)

    async def start(self) -> None:
        self.port = free_port()
        self.settings = TelegramSettings(
            framework=self.framework,  # type: ignore[arg-type]
            mode=self.mode,  # type: ignore[arg-type]
            token=DEFAULT_TOKEN,
            api_base=self.api.url,
            poll_timeout=1,
            webhook=WebhookSettings(
                listen="127.0.0.1",
                port=self.port,
                path=WEBHOOK_PATH,
                public_url=f"http://127.0.0.1:{self.port}",
                secret_token=SECRET,
            ),
            **{"chat_messages_per_second": 100.0, "chat_burst": 100, **self.extra},
        )
        settings = make_settings(
            self.flows,
            # The fixture flows run without the welcome flow unless a test's config asks for it.
            **{"welcome_flow": "", "database": self.db, "telegram": self.settings, **self.config},
        )
        # As `trolyso run` builds it; the reload and the scheduler are driven by hand in tests.
        self.service = await build_service(settings, loops=False, busy_timeout=self.busy_timeout)
        self.storage = self.service.app.storage
        self.assistant = self.service.app.assistant
        self.desk = self.assistant.desk
        self.notices = self.service.app.notices
        self.bot = self.service.telegram
        self.runner = self.service.runner
        await self.runner.start()
        self.serving = asyncio.ensure_future(self.runner.serve())

    async def stop(self) -> None:
        self.runner.stop()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.serving, 10)
        await self.service.close()

    def _passed(self, update_id: int) -> bool:
        """Handled without a turn (ignored): the webhook answered, or polling moved past it."""
        if self.mode == "webhook":
            return True
        poller = self.bot.poller
        return poller is not None and poller.offset is not None and poller.offset > update_id

    @property
    def webhook_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{WEBHOOK_PATH}"

    async def deliver(self, update: dict[str, Any], *, wait: bool = True) -> int:
        """Hand an update to the bot as Telegram would (queue or webhook); returns its id.

        With ``wait``, returns once the update's turn is committed and its replies delivered.
        """
        update = {**update, "update_id": update.get("update_id") or next(_update_ids)}
        if self.mode == "polling":
            self.api.push_update(update)
        else:
            status = await self.api.deliver_webhook(self.webhook_url, update, secret_token=SECRET)
            assert status == 200, status
        if wait:
            await self.settle(update["update_id"], _chat_of(update), len(self.api.calls))
        return int(update["update_id"])

    async def settle(
        self, update_id: int, chat: SessionKey | None = None, mark: int = 0, timeout: float = 10
    ) -> None:
        """Wait until an update is committed and everything it sent has gone out.

        The replies are written with the commit and sent a moment later, so after the commit
        this also waits, for ``chat``, until its outbox is empty or Telegram has been tried
        (a call to that chat after ``mark``, which may have failed on purpose).
        """
        key = self.bot.core.update_key(update_id)
        deadline = asyncio.get_running_loop().time() + timeout
        while not (await self.storage.is_processed(key) or self._passed(update_id)):
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"update {update_id} was never processed")
            await asyncio.sleep(0.01)
        if chat is not None:
            await self._tried(chat, mark, deadline)
        await self.bot.delivery.drain()

    async def _tried(self, chat: SessionKey, mark: int, deadline: float) -> None:
        while await self.storage.pending_outbox(chat):
            if any(str(c.chat_id) == chat.user_id for c in self.api.calls[mark:]):
                return
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"replies to {chat} were never tried")
            await asyncio.sleep(0.01)


@dataclass
class Resident:
    """A Telegram user in a private chat with the bot."""

    rig: TelegramRig
    user_id: int
    language: str = "vi"
    mark: int = 0

    @property
    def key(self) -> SessionKey:
        return SessionKey("telegram", str(self.user_id))

    def _begin(self) -> None:
        self.mark = len(self.rig.api.calls)

    async def send(self, text: str, **kwargs: Any) -> int:
        self._begin()
        return await self.rig.deliver(
            message_update(self.user_id, text, language_code=self.language), **kwargs
        )

    async def press(self, label: str) -> int:
        data = self.button_data(label)
        return await self.press_data(data)

    async def press_data(self, data: str, message_id: int | None = None) -> int:
        self._begin()
        message_id = message_id or self.last_message_id()
        return await self.rig.deliver(callback_update(self.user_id, data, message_id=message_id))

    def replies(self, everything: bool = False) -> list[Call]:
        """Successful messages and photos sent to this chat since the last action."""
        calls = self.rig.api.calls if everything else self.rig.api.calls[self.mark :]
        return [
            c
            for c in calls
            if c.ok and c.method in ("sendMessage", "sendPhoto") and c.chat_id == self.user_id
        ]

    @property
    def texts(self) -> list[str]:
        return [str(c.params.get("text") or c.params.get("caption") or "") for c in self.replies()]

    @property
    def text(self) -> str:
        return "\n".join(self.texts)

    def keyboard(self, everything: bool = True) -> list[list[dict[str, str]]]:
        for call in reversed(self.replies(everything)):
            markup = call.params.get("reply_markup")
            if markup:
                return list(markup["inline_keyboard"])
        return []

    @property
    def buttons(self) -> list[str]:
        return [b["text"] for row in self.keyboard(everything=False) for b in row]

    def button_data(self, label: str) -> str:
        for row in self.keyboard():
            for button in row:
                if button["text"] == label and "callback_data" in button:
                    return str(button["callback_data"])
        raise AssertionError(f"no button {label!r} in {self.keyboard()}")

    def last_message_id(self) -> int:
        for call in reversed(self.replies(everything=True)):
            if isinstance(call.result, dict) and "message_id" in call.result:
                return int(call.result["message_id"])
        return 1
