"""Delivering replies: from the outbox, in order, within Telegram's limits, through its errors.

A reply is marked sent only after Telegram accepted it, so replies committed before a crash are
sent after the restart. 429 waits as long as Telegram asks; 5xx and network errors are retried
with backoff; 403 (the resident blocked the bot) stops sending to that resident and no other.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
import weakref
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from bot.channels.telegram.errors import Rejected, RetryLater, Transient, Unreachable
from bot.channels.telegram.inputs import ApiCall
from bot.channels.telegram.limits import RateLimiter
from bot.channels.telegram.render import render_message
from bot.storage.base import OutboxRecord, Storage
from bot.types import OutgoingMessage, SessionKey

__all__ = ["Delivery", "Transport"]

log = logging.getLogger(__name__)


class Transport(Protocol):
    """Carries out one Bot API call through a framework's HTTP client."""

    async def call(self, call: ApiCall) -> Any:
        """The call's result as plain JSON data; raises ``bot.channels.telegram.errors``."""


class Delivery:
    """Sends what the engine said, for every chat, without letting one chat hold up another."""

    def __init__(
        self,
        transport: Transport,
        storage: Storage,
        *,
        limiter: RateLimiter | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        max_attempts: int = 5,
        backoff: float = 0.5,
    ) -> None:
        self.transport = transport
        self.storage = storage
        self.limiter = limiter or RateLimiter(sleep=sleep)
        self.clock = clock
        self.sleep = sleep
        self.max_attempts = max_attempts
        self.backoff = backoff
        self._locks: weakref.WeakValueDictionary[SessionKey, asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )
        self._tasks: set[asyncio.Task[None]] = set()
        # Residents who blocked the bot (loaded at start, kept current): no futile sends.
        self.unreachable: set[SessionKey] = set()
        # Chats whose outbox may hold replies from before (a failure, a crash): read it first.
        self._backlog: set[SessionKey] = set()

    # --- background work, drained on shutdown ----------------------------------------------------

    def spawn(self, work: Awaitable[None]) -> None:
        """Run ``work`` in the background; :meth:`drain` waits for it."""

        async def guarded() -> None:
            try:
                await work
            except Exception:
                log.exception("delivery failed")

        task = asyncio.ensure_future(guarded())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Wait until everything spawned has finished (graceful shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # --- the outbox ------------------------------------------------------------------------------

    def _lock(self, key: SessionKey) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        return lock

    async def flush(self, key: SessionKey, fresh: Sequence[OutboxRecord] | None = None) -> None:
        """Send ``key``'s pending replies in order; stop at the first that cannot go now.

        ``fresh`` are the replies a turn just stored: when nothing older waits for this chat
        they are sent as they are, without reading the outbox back.
        """
        async with self._lock(key):
            if fresh is not None and key not in self._backlog:
                pending = list(fresh)
            else:
                pending = await self.storage.pending_outbox(key)
                self._backlog.discard(key)
            if not pending:
                return
            chat_id = int(key.user_id)
            if key in self.unreachable:
                await self.storage.mark_sent([p.id for p in pending], at=self.clock(), dropped=True)
                return
            for index, record in enumerate(pending):
                try:
                    await self.send(chat_id, record.message)
                except Unreachable:
                    log.info("a resident blocked the bot; their replies are dropped")
                    self.unreachable.add(key)
                    await self.storage.set_reachable(key, False, at=self.clock())
                    await self.storage.drop_followups(key)
                    rest = [p.id for p in pending[index:]]
                    await self.storage.mark_sent(rest, at=self.clock(), dropped=True)
                    return
                except Transient:
                    log.warning(
                        "Telegram unreachable for now; %d replies wait", len(pending) - index
                    )
                    self._backlog.add(key)
                    return
                await self.storage.mark_sent([record.id], at=self.clock())

    async def flush_all(self) -> None:
        """Send every pending reply (after a restart), one chat after another."""
        keys = {record.key for record in await self.storage.pending_outbox()}
        self._backlog |= keys
        for key in sorted(keys, key=str):
            if key.channel == "telegram":
                await self.flush(key)

    # --- single messages -------------------------------------------------------------------------

    async def send(self, chat_id: int, message: OutgoingMessage) -> None:
        """Show ``message`` in ``chat_id`` (several calls for a long text or a photo)."""
        photo, ref = await self._photo_for(message)
        for call in render_message(chat_id, message, photo=photo):
            result = await self.execute(call, chat_id=chat_id)
            if call.upload and ref and isinstance(result, dict) and result.get("photo"):
                await self.storage.cache_file(ref, str(result["photo"][-1]["file_id"]))

    async def _photo_for(self, message: OutgoingMessage) -> tuple[str, str]:
        """A cached file_id for a local image (and the cache key), so it is uploaded once."""
        if not message.image or message.image.startswith(("http://", "https://")):
            return "", ""
        path = Path(message.image)
        try:
            stat = path.stat()
        except OSError:
            return "", ""
        ref = (
            "photo:"
            + hashlib.sha256(
                f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode()
            ).hexdigest()[:32]
        )
        return (await self.storage.cached_file(ref) or ""), ref

    async def answer_callback(self, callback_id: str) -> None:
        """Stop the button's spinner; an expired callback id is not worth a retry."""
        try:
            await self.execute(ApiCall("answerCallbackQuery", {"callback_query_id": callback_id}))
        except (Rejected, Transient, Unreachable):
            log.debug("could not answer a button press", exc_info=True)

    async def execute(self, call: ApiCall, *, chat_id: int | None = None) -> Any:
        """One API call with the rate limits, 429 waits and retries of transient errors.

        A request Telegram rejects (400) is logged and skipped: it will never succeed, and must
        not hold back the replies queued after it.
        """
        attempt = 0
        while True:
            if chat_id is not None:
                await self.limiter.acquire(chat_id)
            try:
                return await self.transport.call(call)
            except RetryLater as exc:
                attempt += 1
                if attempt > self.max_attempts:
                    raise Transient(str(exc)) from exc
                await self.sleep(exc.seconds)
            except Transient:
                attempt += 1
                if attempt >= self.max_attempts:
                    raise
                await self.sleep(self.backoff * 2 ** (attempt - 1))
            except Rejected:
                log.error("Telegram refused a %s request; skipped", call.method, exc_info=True)
                return None

    async def send_many(self, chat_ids: Sequence[int], message: OutgoingMessage) -> bool:
        """Send one message to several chats (staff); True when all of them got it."""
        delivered = True
        for chat_id in chat_ids:
            try:
                await self.send(chat_id, message)
            except (Unreachable, Transient):
                log.warning("a staff chat could not be reached")
                delivered = False
        return delivered
