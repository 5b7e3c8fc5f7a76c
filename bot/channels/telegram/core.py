"""What the bot does with each Telegram update, whichever framework delivered it.

The order of work is what makes it exactly-once: the turn (new session, finished runs, the
replies, and the update's id) is committed first; only then is the update confirmed to Telegram
and are the replies sent, from the outbox. A redelivered update finds its id already committed and
changes nothing; a crash before the commit leaves the update unconfirmed, so Telegram sends it
again.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections.abc import Awaitable, Callable
from typing import TypeVar

from bot.app.assistant import Assistant
from bot.app.staff.desk import STAFF_COMMANDS
from bot.channels.telegram.delivery import Delivery
from bot.channels.telegram.inputs import TgInput, parse_command, to_event
from bot.core.errors import StorageUnavailable
from bot.core.types import Command, Opened, OutgoingMessage, SessionKey
from bot.storage.base import OutboxRecord, Storage

__all__ = ["CHANNEL", "ChatOrder", "TelegramCore"]

log = logging.getLogger(__name__)
CHANNEL = "telegram"
T = TypeVar("T")


class ChatOrder:
    """Runs work for the same chat one at a time, in the order it arrived; chats run in parallel.

    The lock is taken before the first ``await`` of :meth:`run`, and asyncio locks wake waiters
    first come first served, so updates of one chat are handled in the order they came in.
    """

    def __init__(self) -> None:
        self._locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()

    async def run(self, chat_id: int | None, work: Callable[[], Awaitable[T]]) -> T:
        """Run ``work()`` after earlier work for ``chat_id`` has finished."""
        if chat_id is None:
            return await work()
        lock = self._locks.get(chat_id)
        if lock is None:
            lock = self._locks[chat_id] = asyncio.Lock()
        async with lock:
            return await work()


class TelegramCore:
    """Turns each update into an engine event, commits the turn, then delivers the replies."""

    def __init__(
        self,
        assistant: Assistant,
        storage: Storage,
        delivery: Delivery,
        *,
        bot_id: int,
        bot_username: str = "",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.assistant = assistant
        self.storage = storage
        self.delivery = delivery
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.clock = clock
        # While the database cannot save turns: since when, and who has been asked to wait.
        self.outage_since: float | None = None
        self._asked_to_wait: set[SessionKey] = set()

    @property
    def healthy(self) -> bool:
        """False while the database cannot save turns (the health check reports it)."""
        return self.outage_since is None

    def update_key(self, update_id: int) -> str:
        """The durable name of an update; ids are per bot, so the bot's id is part of it."""
        return f"tg:{self.bot_id}:{update_id}"

    async def handle(self, tin: TgInput) -> None:
        """Handle one update; returns once its turn is committed (delivery continues after)."""
        key = SessionKey(CHANNEL, str(tin.user_id))
        if tin.kind in ("blocked", "unblocked"):
            blocked = tin.kind == "blocked"
            await self.storage.set_reachable(key, not blocked, at=self.clock())
            if blocked:
                self.delivery.unreachable.add(key)
                await self.storage.drop_followups(key)  # no reminders to someone who left
            else:
                self.delivery.unreachable.discard(key)
            return
        if not tin.private or tin.sender_chat:
            # Groups and messages sent on behalf of a chat are not residents talking to the bot,
            # and never count as an admin: a staff command from there is refused and recorded.
            if tin.callback_id:
                self.delivery.spawn(self.delivery.answer_callback(tin.callback_id))
            command = parse_command(tin.text, self.bot_username)
            desk = self.assistant.desk
            if command is not None and desk is not None and command[0] in STAFF_COMMANDS:
                reason = "sent on behalf of a chat" if tin.sender_chat else "not a private chat"
                await desk.refuse(key, command[0], reason, at=self.clock())
            return
        event = to_event(tin, self.bot_username)
        if isinstance(event, Command) and event.name == "start" and not event.arg:
            event = Opened()
        if key in self.delivery.unreachable:  # they wrote: they can be written to again
            self.delivery.unreachable.discard(key)
            await self.storage.set_reachable(key, True, at=self.clock())
        handled = await self.assistant.handle(
            key,
            event,
            update_key=self.update_key(tin.update_id),
            outbox=True,
            lang_hint="en" if tin.language.startswith("en") else "",
        )
        if handled.unsaved:
            self._unsaved(key, tin)
            raise StorageUnavailable("the turn could not be saved; the update stays unconfirmed")
        if self.outage_since is not None:
            log.warning(
                "the database works again after %.0f s; waiting messages are being answered",
                self.clock() - self.outage_since,
            )
            self.outage_since = None
            self._asked_to_wait.clear()
        # Replies not stored in the outbox (an apology after a failure, the goodbye after /forget)
        # are sent directly.
        direct = () if handled.in_outbox or handled.duplicate else handled.messages
        fresh = (
            [
                OutboxRecord(id=outbox_id, key=key, message=message)
                for outbox_id, message in zip(handled.outbox_ids, handled.messages, strict=True)
            ]
            if handled.in_outbox and len(handled.outbox_ids) == len(handled.messages)
            else None
        )
        if tin.callback_id:
            # Only the button's spinner: it must not hold up (or be overtaken by) the replies.
            self.delivery.spawn(self.delivery.answer_callback(tin.callback_id))
        # Spawned now, in commit order: the task takes the chat's delivery lock before it first
        # waits, so this turn's replies cannot be overtaken by the next turn's. After a
        # redelivery (no fresh replies) the outbox is read: replies committed before a crash
        # may still be waiting there.
        self.delivery.spawn(self.delivery.flush(key, fresh, direct=direct))

    def _unsaved(self, key: SessionKey, tin: TgInput) -> None:
        """The database failed this turn: say so once in the log, and once to the resident."""
        if self.outage_since is None:
            self.outage_since = self.clock()
            log.warning(
                "the database cannot save turns (locked by another program, or the disk is "
                "full?): updates are not confirmed and will be answered once it works again"
            )
        if key in self._asked_to_wait:
            return
        self._asked_to_wait.add(key)
        engine = self.assistant.engine
        lang = "en" if tin.language.startswith("en") else engine.default_language
        busy = OutgoingMessage(text=engine.catalog.text("flow.busy", lang, xung_ho="bạn"))
        self.delivery.spawn(self.delivery.flush(key, [], direct=[busy]))
