"""Sending limits: so many messages a second overall and per chat, as each channel declares.

Telegram's are about 30 a second overall and 1 a second per chat. Token buckets: short bursts go
out at once (a step's two or three messages), a steady stream is spaced out. The clock and the
sleep are injectable so tests never wait.

Replies to a resident who just wrote are urgent; reminders and morning lists are not: while an
urgent message waits for the overall limit, nothing else takes it, so at 07:00 a resident's
answer overtakes the reminders still waiting, and the reminders use what the replies leave.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass

__all__ = ["ChannelLimits", "RateLimiter"]


@dataclass(frozen=True, slots=True)
class ChannelLimits:
    """What a channel lets a bot send: messages a second overall, and per chat (with a burst)."""

    per_second: float = 30.0
    per_chat_per_second: float = 1.0
    chat_burst: int = 3


@dataclass(slots=True)
class _Bucket:
    tokens: float
    at: float


class RateLimiter:
    """Waits as long as needed before each message so both limits hold."""

    def __init__(
        self,
        *,
        per_second: float = 30.0,
        per_chat_per_second: float = 1.0,
        chat_burst: int = 3,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.per_second = per_second
        self.per_chat = per_chat_per_second
        self.chat_burst = chat_burst
        self.clock = clock
        self.sleep = sleep
        self._global = _Bucket(tokens=per_second, at=clock())
        self._chats: dict[Hashable, _Bucket] = {}
        # Urgent messages whose chat may be written to now, waiting only for the overall limit.
        self._urgent_ready = 0

    @classmethod
    def within(
        cls, limits: ChannelLimits, *, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    ) -> RateLimiter:
        """A limiter that keeps a channel's declared limits."""
        return cls(
            per_second=limits.per_second,
            per_chat_per_second=limits.per_chat_per_second,
            chat_burst=limits.chat_burst,
            sleep=sleep,
        )

    def _wait_for(self, bucket: _Bucket, rate: float, capacity: float, now: float) -> float:
        bucket.tokens = min(capacity, bucket.tokens + (now - bucket.at) * rate)
        bucket.at = now
        # A hair's tolerance and a floor on the wait: floating-point refills must not leave a
        # bucket at 0.9999999 forever.
        return 0.0 if bucket.tokens >= 1 - 1e-9 else max((1 - bucket.tokens) / rate, 0.001)

    async def acquire(self, chat_id: Hashable, *, urgent: bool = True) -> None:
        """Return when one more message to ``chat_id`` may be sent; one that is not ``urgent``
        (a reminder) also waits while urgent ones wait for the overall limit."""
        ready = False  # counted in _urgent_ready
        try:
            while True:
                now = self.clock()
                chat = self._chats.get(chat_id)
                if chat is None:
                    chat = self._chats[chat_id] = _Bucket(tokens=self.chat_burst, at=now)
                    if len(self._chats) > 10_000:  # forget idle chats; full is the default
                        self._forget_full(now)
                chat_wait = self._wait_for(chat, self.per_chat, self.chat_burst, now)
                wait = max(
                    self._wait_for(self._global, self.per_second, self.per_second, now), chat_wait
                )
                if urgent and ready != (chat_wait <= 0):
                    ready = chat_wait <= 0
                    self._urgent_ready += 1 if ready else -1
                if not urgent and self._urgent_ready:
                    wait = max(wait, 1 / self.per_second)  # the urgent ones go first
                if wait <= 0:
                    self._global.tokens -= 1
                    chat.tokens -= 1
                    return
                await self.sleep(wait)
        finally:
            if ready:
                self._urgent_ready -= 1

    def _forget_full(self, now: float) -> None:
        for chat_id, bucket in list(self._chats.items()):
            if bucket.tokens + (now - bucket.at) * self.per_chat >= self.chat_burst:
                del self._chats[chat_id]
