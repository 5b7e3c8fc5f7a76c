"""Delivering replies: from the outbox, in order, within a channel's limits, through its errors.

Channel-agnostic: a channel renders a message into its native requests and carries each out
(:class:`Sender`), raising the error kinds of :mod:`bot.core.errors`. A reply is marked sent only
after the channel accepted it, so replies committed before a crash are sent after the restart.
``RetryLater`` waits as long as the channel asks; ``Transient`` errors are retried with backoff,
and replies still pending after that are retried in the background until the channel takes them,
oldest first; ``Unreachable`` (the resident blocked the bot) stops sending to that resident and
no other. One chat's replies leave in the order their turns committed: every send for a chat,
stored or not, goes out under that chat's lock, taken in commit order.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

from bot.app.limits import RateLimiter
from bot.core.errors import (
    ChannelError,
    Rejected,
    RetryLater,
    StorageError,
    Transient,
    Unreachable,
)
from bot.core.types import OutgoingMessage, SessionKey
from bot.storage.base import OutboxRecord, Storage

__all__ = ["Delivery", "Sender"]

log = logging.getLogger(__name__)
# Seconds a committed reply may wait unclaimed before another process's retry loop sends it
# (the process that committed it claims it at once, unless it died).
ORPHAN_AFTER = 2.0


class Sender(Protocol):
    """What the delivery needs of a channel: its messages as native requests, and one request."""

    @property
    def name(self) -> str:
        """The channel's name, as in ``SessionKey.channel``."""

    async def render(self, key: SessionKey, message: OutgoingMessage) -> Sequence[Any]:
        """The native requests that show ``message`` to ``key``, in order."""

    async def call(self, request: Any) -> Any:
        """Carry out one request; raises the kinds of :mod:`bot.core.errors` (anything else
        counts as transient)."""


class Delivery:
    """Sends what the engine said, for every chat, without letting one chat hold up another."""

    def __init__(
        self,
        sender: Sender,
        storage: Storage,
        *,
        limiter: RateLimiter | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        max_attempts: int = 5,
        backoff: float = 0.5,
    ) -> None:
        self.sender = sender
        self.channel = sender.name
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

    async def drain(self, grace: float | None = None) -> None:
        """Wait until everything spawned has finished (graceful shutdown).

        With ``grace``, stop waiting after that many seconds and cancel what is left (a chat
        waiting out a long "retry after", say): its replies stay in the outbox for the next start.
        """
        loop = asyncio.get_running_loop()
        deadline = None if grace is None else loop.time() + grace
        while self._tasks:
            left = None if deadline is None else deadline - loop.time()
            if left is not None and left <= 0:
                log.warning(
                    "stopping with replies still being sent to %d chats; they stay in the "
                    "outbox and go out at the next start",
                    len(self._tasks),
                )
                for task in list(self._tasks):
                    task.cancel()
                await asyncio.gather(*list(self._tasks), return_exceptions=True)
                return
            await asyncio.wait(list(self._tasks), timeout=left)

    # --- the outbox ------------------------------------------------------------------------------

    def _lock(self, key: SessionKey) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        return lock

    async def flush(
        self,
        key: SessionKey,
        fresh: Sequence[OutboxRecord] | None = None,
        *,
        direct: Sequence[OutgoingMessage] = (),
        urgent: bool = True,
        claimed: bool = False,
    ) -> None:
        """Send ``key``'s pending replies in order; stop at the first that cannot go now.

        ``fresh`` are the replies a turn just stored: when nothing older waits for this chat
        they are sent as they are, without reading the outbox back. ``direct`` are replies that
        could not be stored (an apology while the database is down): sent after what waits,
        best effort, as nothing could replay them. A reminder's flush is not ``urgent``: a
        resident who writes meanwhile is answered first (see :mod:`bot.app.limits`).
        ``claimed``: on a database several processes share, the turn saved ``fresh`` already
        claimed by this process, with nothing older waiting for the chat.
        """
        async with self._lock(key):
            if claimed and fresh is not None and key not in self._backlog:
                # Nothing older waited, and what another process commits for this chat while
                # these go out waits for them, then is claimed by that process's retry loop.
                await self._send_pending(key, fresh, urgent)
            else:
                await self._flush_locked(key, fresh, urgent)
            for message in direct:
                try:
                    await self.send(key, message)
                except (Unreachable, Transient) as exc:
                    log.warning("a reply that could not be stored was not sent (%s)", _kind(exc))

    def flush_stored(self, key: SessionKey) -> None:
        """Send in the background what another chat's turn stored for ``key`` (a staff member's
        answer for a resident). The chat's next flush reads its outbox too, rather than only
        its own turn's replies, so nothing is sent twice and nothing is overtaken."""
        self._backlog.add(key)
        self.spawn(self.flush(key))

    async def blocked(self, key: SessionKey) -> bool:
        """True when ``key`` blocked the bot. On a database several processes share the
        database is asked (another process may have learnt it); in one process, memory is."""
        if self.storage.shared:
            return not await self.storage.is_reachable(key)
        return key in self.unreachable

    async def _flush_locked(
        self, key: SessionKey, fresh: Sequence[OutboxRecord] | None, urgent: bool = True
    ) -> None:
        """The body of :meth:`flush`, with the chat's lock held."""
        if self.storage.shared:
            await self._flush_claimed(key, urgent, mine=fresh is not None)
            return
        if fresh is not None and key not in self._backlog:
            pending = list(fresh)
        else:
            try:
                pending = await self.storage.pending_outbox(key)
            except StorageError as exc:  # the database is down: the retry loop comes back
                log.warning("could not read waiting replies (%s)", _kind(exc))
                self._backlog.add(key)
                return
            self._backlog.discard(key)
        if pending:
            await self._send_pending(key, pending, urgent)

    async def _flush_claimed(
        self, key: SessionKey, urgent: bool = True, *, mine: bool = False
    ) -> None:
        """Several processes: send what this process could claim of ``key``'s replies, until
        none is left. What another process claimed it sends, in order; a claim of a process
        that died runs out, and the retry loop of a living one sends those replies. ``mine``:
        this process just committed replies there (when another one still sends older ones,
        the retry loop claims them after it)."""
        first = True
        while True:
            try:
                pending = await self.storage.claim_outbox(key, now=self.clock())
            except StorageError as exc:  # the database is down: the retry loop comes back
                log.warning("could not claim waiting replies (%s)", _kind(exc))
                self._backlog.add(key)
                return
            if not pending:
                if first and mine:
                    self._backlog.add(key)  # ours wait behind another process's
                else:
                    self._backlog.discard(key)
                return
            first = False
            if not await self._send_pending(key, pending, urgent):
                return

    async def _send_pending(
        self, key: SessionKey, pending: Sequence[OutboxRecord], urgent: bool = True
    ) -> bool:
        """Send ``pending`` in order, marking each sent; False when the rest must wait.

        (Several processes: who blocked the bot is not asked first; Telegram says it.)"""
        if not self.storage.shared and key in self.unreachable:
            await self.storage.mark_sent([p.id for p in pending], at=self.clock(), dropped=True)
            return True
        for index, record in enumerate(pending):
            try:
                await self.send(key, record.message, urgent=urgent)
            except Unreachable:
                log.info("a resident blocked the bot; their replies are dropped")
                self.unreachable.add(key)
                await self.storage.set_reachable(key, False, at=self.clock())
                await self.storage.drop_followups(key)
                rest = [p.id for p in pending[index:]]
                await self.storage.mark_sent(rest, at=self.clock(), dropped=True)
                return True
            except Transient:
                log.warning(
                    "%s unreachable for now; %d replies wait", self.channel, len(pending) - index
                )
                self._backlog.add(key)
                return False
            try:
                await self.storage.mark_sent([record.id], at=self.clock())
            except StorageError as exc:
                # Sent, but not noted: it may go out once more when the database is back.
                log.warning("a sent reply could not be noted as sent (%s)", _kind(exc))
                self._backlog.add(key)
                return False
        return True

    async def resume(self) -> None:
        """At start: learn who blocked the bot, and send in the background what a previous run
        left in the outbox."""
        if not self.storage.shared:  # several processes: asked each time (see blocked())
            self.unreachable = await self.storage.unreachable()
        self.spawn(self.flush_all())

    async def flush_all(self) -> None:
        """Send every pending reply (after a restart), one chat after another."""
        keys = {record.key for record in await self.storage.pending_outbox()}
        self._backlog |= keys
        for key in sorted(keys, key=str):
            if key.channel == self.channel:
                await self.flush(key)

    async def retry_loop(self, *, first: float = 1.0, longest: float = 30.0) -> None:
        """Until cancelled: send the replies that are still waiting, without a resident's help.

        A pass runs ``first`` seconds after replies were left waiting; while the channel keeps
        failing the pause doubles up to ``longest``, and is back to ``first`` once they all left.
        """
        pause = first
        while True:
            await self.sleep(pause)
            waiting = [k for k in sorted(self._backlog, key=str) if k.channel == self.channel]
            if self.storage.shared:
                waiting = await self._left_by_others(waiting)
            if not waiting:
                pause = first
                continue
            for key in waiting:
                try:
                    await self.flush(key)
                except Exception as exc:  # the database, say: the next pass tries again
                    log.warning("could not retry waiting replies (%s)", _kind(exc))
                    self._backlog.add(key)
            pause = min(longest, pause * 2) if self._backlog else first

    async def _left_by_others(self, waiting: list[SessionKey]) -> list[SessionKey]:
        """``waiting`` and the chats whose replies no living process holds (one died with
        them claimed, or before it could claim them)."""
        now = self.clock()
        try:
            orphans = await self.storage.waiting_outbox(
                self.channel, now=now, older_than=now - ORPHAN_AFTER
            )
        except StorageError as exc:
            log.warning("could not look for replies left by another process (%s)", _kind(exc))
            return waiting
        return waiting + [key for key in orphans if key not in set(waiting)]

    # --- single messages -------------------------------------------------------------------------

    async def send(self, key: SessionKey, message: OutgoingMessage, *, urgent: bool = True) -> None:
        """Show ``message`` to ``key`` (several requests for a long text or a photo); one not
        ``urgent`` (a reminder, a morning list) lets urgent ones go first."""
        for request in await self.sender.render(key, message):
            await self.execute(request, key=key, urgent=urgent)

    async def execute(
        self,
        request: Any,
        *,
        key: SessionKey | None = None,
        if_rejected: str = "",
        urgent: bool = True,
    ) -> Any:
        """One request with the rate limits, "retry later" waits and retries of transient errors.

        A request the channel rejects is logged and skipped: it will never succeed, and must not
        hold back the replies queued after it. With ``if_rejected`` a rejection is routine (a
        button pressed long ago, or twice): that sentence is logged as information.
        """
        attempt = 0
        while True:
            if key is not None:
                await self.limiter.acquire(key, urgent=urgent)
            try:
                return await _classified(self.sender.call(request))
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
            except Rejected as exc:
                if if_rejected:
                    log.info("%s (%s)", if_rejected, exc)
                    return None
                what = getattr(request, "method", "") or type(request).__name__
                log.error("%s refused a %s request; skipped (%s)", self.channel, what, exc)
                return None

    async def send_many(self, keys: Sequence[SessionKey], message: OutgoingMessage) -> bool:
        """Send one message to several chats (staff); True when all of them got it."""
        delivered = True
        for key in keys:
            try:
                await self.send(key, message)
            except (Unreachable, Transient):
                log.warning("a staff chat could not be reached")
                delivered = False
        return delivered


async def _classified(call: Awaitable[Any]) -> Any:
    """Await a transport call; anything it raises that is not ours counts as transient.

    A framework can fail in ways its adapter did not foresee (an HTML error page it cannot
    decode, a dropped connection): trying again later is right for all of them, and a
    traceback in the log helps nobody.
    """
    try:
        return await call
    except (ChannelError, asyncio.CancelledError):
        raise
    except Exception as exc:
        raise Transient(_kind(exc)) from exc


def _kind(exc: BaseException) -> str:
    """What went wrong, in one short line (no resident's words: a channel's answers may quote
    them, so only the exception's type and the first words are kept)."""
    text = str(exc).splitlines()[0][:120] if str(exc) else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
