"""One turn, whatever the channel: commit before confirm, then the replies, in commit order.

The order of work is what makes it exactly-once: the turn (new session, finished runs, the
replies, and the update's durable key) is committed first; only then does the channel confirm
the update, and are the replies sent, from the outbox. A redelivered update finds its key already
committed and changes nothing; a crash before the commit leaves the update unconfirmed, so the
channel sends it again. While the database cannot save turns nothing is confirmed, each resident
is asked once to wait, and :attr:`Turns.healthy` is False (a health check reports it).
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections.abc import Awaitable, Callable, Hashable
from typing import TypeVar

from bot.app.assistant import Assistant
from bot.app.delivery import Delivery
from bot.core.errors import StorageUnavailable
from bot.core.types import IncomingEvent, OutgoingMessage, SessionKey
from bot.storage.base import OutboxRecord, Storage

__all__ = ["ChatOrder", "Turns"]

log = logging.getLogger(__name__)
T = TypeVar("T")


class ChatOrder:
    """Runs work for the same chat one at a time, in the order it arrived; chats run in parallel.

    The lock is taken before the first ``await`` of :meth:`run`, and asyncio locks wake waiters
    first come first served, so updates of one chat are handled in the order they came in.
    """

    def __init__(self) -> None:
        self._locks: weakref.WeakValueDictionary[Hashable, asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )

    async def run(self, chat_id: Hashable | None, work: Callable[[], Awaitable[T]]) -> T:
        """Run ``work()`` after earlier work for ``chat_id`` has finished."""
        if chat_id is None:
            return await work()
        lock = self._locks.get(chat_id)
        if lock is None:
            lock = self._locks[chat_id] = asyncio.Lock()
        async with lock:
            return await work()


class Turns:
    """A channel's events in, committed turns out; the replies leave through the delivery."""

    def __init__(
        self,
        assistant: Assistant,
        storage: Storage,
        delivery: Delivery,
        *,
        clock: Callable[[], float] = time.time,
        outbox: bool = True,
    ) -> None:
        self.assistant = assistant
        self.storage = storage
        self.delivery = delivery
        self.clock = clock
        # Replies are kept in the outbox with the turn, so a crash before they are sent cannot
        # lose them. A channel whose showing cannot fail (the terminal) passes them on directly:
        # after a crash its resident is shown where they were anyway, not the old replies again.
        self.outbox = outbox
        # While the database cannot save turns: since when, and who has been asked to wait.
        self.outage_since: float | None = None
        self._asked_to_wait: set[SessionKey] = set()

    @property
    def healthy(self) -> bool:
        """False while the database cannot save turns (the health check reports it)."""
        return self.outage_since is None

    async def reachable(self, key: SessionKey, reachable: bool) -> None:
        """The resident blocked the bot (no replies, no reminders) or let it write again."""
        await self.storage.set_reachable(key, reachable, at=self.clock())
        if reachable:
            self.delivery.unreachable.discard(key)
        else:
            self.delivery.unreachable.add(key)
            await self.storage.drop_followups(key)  # no reminders to someone who left

    async def handle(
        self,
        key: SessionKey,
        event: IncomingEvent,
        *,
        update_key: str,
        lang_hint: str = "",
        name_hint: str = "",
        before_replies: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        """Handle one event; returns once its turn is committed (delivery continues after).

        Raises :class:`StorageUnavailable` when the turn could not be saved: the channel must
        not confirm the update. ``before_replies`` (a button's spinner, say) is sent first;
        ``name_hint`` is the name the channel's profile gives (a volunteer's, when they join).
        """
        # They wrote: if they had blocked the bot, they can be written to again. Their turn
        # stores it (TurnRecord.reachable), so no backend is asked first on every update.
        self.delivery.unreachable.discard(key)
        handled = await self.assistant.handle(
            key,
            event,
            update_key=update_key,
            outbox=self.outbox,
            lang_hint=lang_hint,
            name_hint=name_hint,
            wrote=True,
        )
        if handled.unsaved:
            self._unsaved(key, lang_hint)
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
        direct += handled.private
        fresh = (
            [
                OutboxRecord(id=outbox_id, key=key, message=message)
                for outbox_id, message in zip(handled.outbox_ids, handled.messages, strict=True)
            ]
            if handled.in_outbox and len(handled.outbox_ids) == len(handled.messages)
            else None
        )
        if before_replies is not None:
            # It must not hold up (or be overtaken by) the replies.
            self.delivery.spawn(before_replies())
        # Spawned now, in commit order: the task takes the chat's delivery lock before it first
        # waits, so this turn's replies cannot be overtaken by the next turn's. After a
        # redelivery (no fresh replies) the outbox is read: replies committed before a crash
        # may still be waiting there.
        self.delivery.spawn(
            self.delivery.flush(key, fresh, direct=direct, claimed=handled.claimed)
        )
        if handled.notify is not None and self.assistant.elsewhere is not None:
            # A word this turn left for another chat (a volunteer), through that chat's channel.
            self.delivery.spawn(self.assistant.elsewhere(handled.notify))

    def _unsaved(self, key: SessionKey, lang_hint: str) -> None:
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
        lang = lang_hint or engine.default_language
        busy = OutgoingMessage(text=engine.catalog.text("flow.busy", lang, xung_ho="bạn"))
        self.delivery.spawn(self.delivery.flush(key, [], direct=[busy]))
